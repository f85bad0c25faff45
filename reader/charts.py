"""Small charts drawn on the server as SVG: readable in print and without colour (each series
has its own fill pattern and every bar carries its number), and no script to draw them."""

from dataclasses import dataclass, field

BAR, GAP, LABEL_WIDTH, WIDTH = 12, 8, 130, 460
PATTERNS = ("solid", "hatched", "dotted")  # one per series, named in the legend


@dataclass
class Bar:
    x: int
    y: int
    width: int
    count: int
    pattern: str


@dataclass
class Row:
    label: str
    y: int
    bars: list = field(default_factory=list)


@dataclass
class Chart:
    width: int
    height: int
    rows: list
    series: list  # (name, pattern)
    title: str


def grouped_bars(rows, series, *, title, limit=12) -> Chart:
    """One row per label (e.g. a cue lemma), one bar per series (e.g. an outlet) in each row.
    `rows` are (label, [count per series]); the longest bar fills the width."""
    if len(rows) > limit:
        title = f"{title} (the {limit} most used of {len(rows)}; all in the table)"
    rows = rows[:limit]
    most = max((count for _, counts in rows for count in counts), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - 40) / most
    drawn, y = [], 4
    for label, counts in rows:
        row = Row(label=label, y=y)
        for i, count in enumerate(counts):
            row.bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=y + i * (BAR + 2),
                    width=max(1, round(count * scale)) if count else 0,
                    count=count,
                    pattern=PATTERNS[i % len(PATTERNS)],
                )
            )
        drawn.append(row)
        y += len(counts) * (BAR + 2) + GAP
    return Chart(
        width=WIDTH,
        height=y,
        rows=drawn,
        series=[(name, PATTERNS[i % len(PATTERNS)]) for i, name in enumerate(series)],
        title=title,
    )
