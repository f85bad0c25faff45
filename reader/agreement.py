"""Span-level agreement between annotators: pure, no Django.

For two annotators A and B and one label, each annotator's work is a set of spans
(document, start, end) carrying that label.

- Exact-match F1: a span agrees when the other annotator tagged the very same offsets.
  With M such spans, precision M/|B| and recall M/|A|, so F1 = 2M / (|A| + |B|).
- Overlap F1: a span agrees when it shares at least one character with a span of the
  other annotator. Precision is the share of B's spans that overlap one of A's, recall the
  share of A's spans that overlap one of B's, and F1 = 2PR / (P + R).

Both are symmetric (swapping A and B swaps P and R), lie between 0 and 1, are 1 for an
annotator compared with themselves, and overlap F1 is never below exact-match F1. With no
span on either side there is nothing to agree on: None.
"""

from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import combinations

ALL_LABELS = "all labels"


@dataclass(frozen=True)
class Item:
    """One annotation: who tagged which text with which label. `ref` and `quote` identify it
    for display and do not take part in comparisons."""

    annotator: str
    label: str
    document: object
    start: int
    end: int
    ref: object = field(default=None, compare=False)
    quote: str = field(default="", compare=False)

    @property
    def place(self):
        return (self.document, self.start, self.end)


def _f1(precision, recall):
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def exact_f1(a, b) -> float | None:
    """Exact-match F1 between two collections of (document, start, end)."""
    a, b = set(a), set(b)
    if not a and not b:
        return None
    return 2 * len(a & b) / (len(a) + len(b))


class _Index:
    """One annotator's spans per document, sorted by start, to find overlaps in O(log n)."""

    def __init__(self, places):
        self.by_document = {}
        for document, start, end in sorted(set(places), key=lambda p: (p[1], p[2])):
            self.by_document.setdefault(document, []).append((start, end))
        self.starts = {d: [s for s, _ in spans] for d, spans in self.by_document.items()}
        self.longest = {d: max(e - s for s, e in spans) for d, spans in self.by_document.items()}

    def overlapping(self, place):
        """The spans that share a character with `place`."""
        document, start, end = place
        spans = self.by_document.get(document, [])
        if not spans:
            return []
        starts = self.starts[document]
        # An overlapping span starts before `end` and after `start - longest`.
        low = bisect_left(starts, start - self.longest[document] + 1)
        high = bisect_left(starts, end)
        return [(document, s, e) for s, e in spans[low:high] if s < end and start < e]


def overlap_f1(a, b) -> float | None:
    """Overlap F1 between two collections of (document, start, end)."""
    a, b = set(a), set(b)
    if not a and not b:
        return None
    if not a or not b:
        return 0.0
    index_a, index_b = _Index(a), _Index(b)
    recall = sum(1 for place in a if index_b.overlapping(place)) / len(a)
    precision = sum(1 for place in b if index_a.overlapping(place)) / len(b)
    return _f1(precision, recall)


@dataclass
class Difference:
    """Where two annotators differ: a span only one tagged (the other side is None), or
    overlapping spans whose boundaries differ."""

    a: Item | None
    b: Item | None

    @property
    def kind(self):
        if self.a and self.b:
            return "boundaries"
        return "only_a" if self.a else "only_b"


@dataclass
class LabelAgreement:
    label: str
    count_a: int
    count_b: int
    exact_matches: int
    exact_f1: float | None
    overlap_f1: float | None
    differences: list = field(default_factory=list)


@dataclass
class PairAgreement:
    a: str
    b: str
    labels: list = field(default_factory=list)  # LabelAgreement per label, then ALL_LABELS


def differences(a_items, b_items) -> list[Difference]:
    """Each span of one annotator that the other did not tag at the same offsets, paired with
    the other's overlapping spans when there are some, in reading order."""
    a_by_place = {item.place: item for item in a_items}
    b_by_place = {item.place: item for item in b_items}
    index_b = _Index(b_by_place)
    found, paired = [], set()
    for place, item in a_by_place.items():
        if place in b_by_place:
            continue
        others = [o for o in index_b.overlapping(place) if o not in a_by_place]
        found.extend(Difference(item, b_by_place[o]) for o in others)
        paired.update(others)
        if not others:
            found.append(Difference(item, None))
    # A span of B overlapping one of A's that differs was paired above; what is left B alone tagged.
    found.extend(
        Difference(None, item)
        for place, item in b_by_place.items()
        if place not in a_by_place and place not in paired
    )
    return sorted(found, key=lambda d: (d.a or d.b).place)


def _label_agreement(label, a_items, b_items):
    a_places, b_places = {i.place for i in a_items}, {i.place for i in b_items}
    return LabelAgreement(
        label=label,
        count_a=len(a_places),
        count_b=len(b_places),
        exact_matches=len(a_places & b_places),
        exact_f1=exact_f1(a_places, b_places),
        overlap_f1=overlap_f1(a_places, b_places),
        differences=differences(a_items, b_items),
    )


def compare(items, labels=None) -> list[PairAgreement]:
    """Agreement for every pair of annotators among `items`, per label (in the order of
    `labels`, else alphabetical) and over all labels, where a span must carry the same label
    to agree."""
    items = list(items)
    annotators = sorted({item.annotator for item in items})
    labels = list(labels) if labels is not None else sorted({item.label for item in items})
    work = {}
    for item in items:
        work.setdefault((item.annotator, item.label), []).append(item)
    pairs = []
    for a, b in combinations(annotators, 2):
        pair = PairAgreement(a, b)
        for label in labels:
            pair.labels.append(_label_agreement(label, work.get((a, label), []), work.get((b, label), [])))
        pair.labels.append(_overall(a, b, items))
        pairs.append(pair)
    return pairs


def _overall(a, b, items):
    """All labels at once: a span agrees only with a span of the same label, so places carry it."""
    a_keys = {(i.label, *i.place) for i in items if i.annotator == a}
    b_keys = {(i.label, *i.place) for i in items if i.annotator == b}
    # The label joins the document in the place, so overlaps are looked for within one label.
    exact = exact_f1(a_keys, b_keys)
    overlap = overlap_f1(
        {((k[0], k[1]), k[2], k[3]) for k in a_keys}, {((k[0], k[1]), k[2], k[3]) for k in b_keys}
    )
    return LabelAgreement(ALL_LABELS, len(a_keys), len(b_keys), len(a_keys & b_keys), exact, overlap)
