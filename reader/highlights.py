"""Render a document's text with its highlights, on the server.

The rendered text holds the stored text character for character (gaps between
paragraphs are kept in hidden elements), so the browser can turn any selection
into offsets by counting the text before it. Built with string joins, not
template loops: a page may hold thousands of segments.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from django.db.models import Q
from django.utils.safestring import mark_safe

from reader import text as textlib


@dataclass
class SpanLook:
    """What a highlight shows of one span: its labels (in label order) and whether it
    is linked, with the strings every piece of the span repeats worked out once."""

    start: int
    end: int
    labels: list = field(default_factory=list)
    linked: bool = False
    classes: str = "hl k-other"
    names: tuple = ()
    marker: str = ""


def span_looks(rows, labels, linked=()) -> dict:
    """Each span's look, from plain rows (fast: a page may show thousands).

    `rows` are (span id, start, end, label id) of annotations, `labels` maps label
    ids to Labels, `linked` holds (span id, start, end) of spans with a link; one
    whose annotations were all deleted still shows, so its link stays visible.
    Orphaned spans are left out by the queries: their offsets belong to an old text.
    """
    looks = {}
    for span_id, start, end, label_id in rows:
        look = looks.get(span_id)
        if look is None:
            look = looks[span_id] = SpanLook(start, end)
        if label_id not in look.labels:
            look.labels.append(label_id)
    for span_id, start, end in linked:
        looks.setdefault(span_id, SpanLook(start, end)).linked = True
    order = {pk: (label.position, label.name) for pk, label in labels.items()}
    for look in looks.values():
        if len(look.labels) > 1:
            look.labels.sort(key=order.__getitem__)
        chosen = [labels[pk] for pk in look.labels]
        if chosen:
            look.classes = f"hl lab-{chosen[0].pk} k-{chosen[0].kind}"
        look.names = tuple(label.name for label in chosen)
        look.marker = "".join(label.marker for label in chosen) + ("↔" if look.linked else "")
    return looks


def _mark(text, segment, looks):
    # The span that started last (or the shortest among those starting
    # together) is the innermost: its first label sets the colour and style.
    covering = [looks[span_id] for span_id in segment.spans]
    classes = covering[-1].classes
    if len(covering) > 1:
        classes += " deep" if len(covering) > 2 else " nested"
        names = " · ".join(dict.fromkeys(name for look in covering for name in look.names))
    else:
        names = " · ".join(covering[0].names)
    if any(look.linked for look in covering):
        classes += " linked"
    starting = [look for look in covering if look.start == segment.start]
    tag = f' data-tag="{escape(" ".join(look.marker for look in starting))}"' if starting else ""
    # The first piece of a linked span takes focus, so its counterpart can be found by keyboard.
    focus = ' tabindex="0"' if any(look.linked for look in starting) else ""
    return (
        f'<mark class="{classes}" data-spans="{" ".join(map(str, segment.spans))}"'
        f' title="{escape(names or "linked")}"{tag}{focus}>'
        f"{escape(text[segment.start : segment.end], quote=False)}</mark>"
    )


def _unit(document, text, unit, looks, oob=False):
    inner = "".join(
        _mark(text, segment, looks)
        if segment.spans
        else escape(text[segment.start : segment.end], quote=False)
        for segment in unit.segments
    )
    swap = ' hx-swap-oob="true"' if oob else ""
    return f'<span id="u-{document.pk}-{unit.index}" class="u"{swap}>{inner}</span>'


def _paragraph(document, text, block, looks):
    inner = "".join(_unit(document, text, unit, looks) for unit in block.units)
    return f'<p id="p-{document.pk}-{block.index}" class="para" data-start="{block.start}">{inner}</p>'


def _blocks(document, looks):
    spans = [(span_id, look.start, look.end) for span_id, look in looks.items()]
    return textlib.layout(document.text, spans)


def render_text(document, looks):
    """The whole text with highlights: the inside of a column's text element."""
    blocks = _blocks(document, looks)
    text = document.text
    parts = [
        _paragraph(document, text, block, looks)
        if block.is_paragraph
        else f'<span class="gap" hidden>{escape(text[block.start : block.end], quote=False)}</span>'
        for block in blocks
    ]
    return mark_safe("".join(parts))


def _touched(blocks, start, end):
    return [
        unit
        for block in blocks
        if block.is_paragraph
        for unit in block.units
        if unit.start < end and start < unit.end
    ]


def render_units(document, looks, start, end):
    """The units (sentences) that [start, end) touches, ready for an out-of-band swap.

    `looks` need to hold only the spans overlapping those units.
    """
    return [
        mark_safe(_unit(document, document.text, unit, looks, oob=True))
        for unit in _touched(_blocks(document, looks), start, end)
    ]


def looks_for(documents, *, within=None, labels=None):
    """Every highlight of these documents (or of one stretch [low, high) of one), by
    document id. Two queries of plain rows, whatever the number of annotations."""
    from reader.models import Annotation, Label, Span

    ids = [document.pk for document in documents]
    annotations = Annotation.objects.filter(span__document__in=ids, span__orphaned=False)
    spans = Span.objects.filter(document__in=ids, orphaned=False).filter(
        Q(links_out__isnull=False) | Q(links_in__isnull=False)
    )
    if within:
        low, high = within
        annotations = annotations.filter(span__start__lt=high, span__end__gt=low)
        spans = spans.filter(start__lt=high, end__gt=low)
    labels = labels or {label.pk: label for label in Label.objects.all()}
    rows = {pk: [] for pk in ids}
    for document_id, *row in annotations.values_list(
        "span__document_id", "span_id", "span__start", "span__end", "label_id"
    ):
        rows[document_id].append(row)
    linked = {pk: [] for pk in ids}
    for document_id, *row in spans.values_list("document_id", "id", "start", "end").distinct():
        linked[document_id].append(row)
    return {pk: span_looks(rows[pk], labels, linked[pk]) for pk in ids}


@lru_cache(maxsize=64)
def _unit_ranges(text):
    # Texts rarely change and writes come in runs on the same one.
    return [
        (unit.start, unit.end)
        for block in textlib.layout(text, [])
        if block.is_paragraph
        for unit in block.units
    ]


def changed_units(document, start, end):
    """Re-render the sentences a write at [start, end) touched, with all their highlights."""
    touched = [(s, e) for s, e in _unit_ranges(document.text) if s < end and start < e]
    if not touched:
        return []
    looks = looks_for([document], within=(touched[0][0], touched[-1][1]))[document.pk]
    return render_units(document, looks, start, end)
