"""Agreement between annotators, as INCEpTION measures it: pure, no Django.

For two annotators A and B, each annotator's work is a set of items: a span
(document, start, end) with a label, and, where given, a speaker and a cue; and a set of links
between spans of the two articles, each with a relation.

What counts (`regions`)
    Only the passages both annotators worked on, so that a partial second reading is not punished
    for the text it never reached. A passage is a paragraph (`reader.text.paragraphs`). An
    annotator worked on the paragraphs of a document *from the first to the last one holding one
    of their annotations*: people read in order, so a paragraph between two they annotated was
    read and deliberately left untagged (counting only paragraphs holding an annotation would
    drop exactly those silent disagreements and flatter the pair). A curator may mark a sample
    instead (character ranges per document); then only the sample counts, for every pair. An item
    counts when it shares a character with a counted region; a link when both its ends do.

Exact-match and overlap F1, per label and over all labels (a span must carry the same label)
    Exact: with M spans at the very same offsets, F1 = 2M / (|A| + |B|). Overlap: precision is
    the share of B's spans that share a character with one of A's, recall the share of A's that
    share one with B's, F1 = 2PR / (P + R). Both symmetric, in [0, 1], None when neither side has
    a span; overlap F1 is never below exact F1.

Matching (INCEpTION's "overlap" matching, made one-to-one)
    Every item of A is paired with at most one overlapping item of B, greedily: pairs with the same
    label first, then by the share of characters they have in common (Jaccard: shared / covered),
    ties broken by position and symmetrically, so that swapping A and B pairs the same items.
    An item left unpaired is a unit the other annotator coded "no annotation" (NONE).

Cohen's kappa (Cohen 1960, "A coefficient of agreement for nominal scales")
    Over the units (matched pairs and unpaired items), the category being the label or NONE:
    kappa = (p_o - p_e) / (1 - p_e), with p_o the share of units on which A and B agree and
    p_e = sum over categories c of p_A(c) * p_B(c), each annotator's own share of c.
    NONE is a category because, inside a passage both read, leaving text untagged is a decision
    (B read the sentence A tagged as a quote and did not tag it); leaving unpaired items out
    would reward an annotator for tagging little. Stretches neither tagged are not units (they
    cannot be counted), so the cell (NONE, NONE) is always empty and kappa is conservative.
    Per label, the units are collapsed to "this label" / "anything else" (Fleiss 1971's
    category-specific agreement). None when p_e = 1 (one category throughout: nothing to
    correct for chance).

Krippendorff's alpha, nominal (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011)
    Over the same units, as a second opinion that corrects for chance with the two annotators'
    pooled distribution (and handles missing values and any number of coders):
    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c * n_k, with o_ck the coincidences
    of values c and k within units (each pair of values in a unit of m values weighs 1 / (m - 1)),
    n_c = sum_k o_ck and n the number of pairable values. None when there is no pairable value
    or only one value occurs.

Speaker, cue and link relation
    For matched pairs with the same label: the share whose speakers agree (the canonical speaker,
    or none on both sides), and kappa and alpha with "none" as a category; the same for cues
    (compared ignoring case and spacing). Links: A's and B's links inside the counted regions are
    matched one-to-one when both ends overlap; the share of matched links with the same relation,
    and kappa and alpha over the relation with NONE for a link only one annotator drew.

Not here: Krippendorff's unitized alpha (αu, 1995/2004), which would score boundaries over the
whole continuum of characters; boundaries count here through exact vs overlap F1.
"""

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations, permutations

ALL_LABELS = "all labels"
NONE = "no annotation"


@dataclass(frozen=True)
class Item:
    """One annotation: who tagged which text with which label. `ref`, `quote`, `speaker` and
    `cue` identify and describe it; they do not take part in comparisons of spans."""

    annotator: str
    label: str
    document: object
    start: int
    end: int
    ref: object = field(default=None, compare=False)
    quote: str = field(default="", compare=False)
    speaker: str = field(default="", compare=False)
    cue: str = field(default="", compare=False)

    @property
    def place(self):
        return (self.document, self.start, self.end)


@dataclass(frozen=True)
class LinkItem:
    """One link: who joined which two spans, and how. `ends` are two places, in any order."""

    annotator: str
    relation: str
    ends: tuple
    ref: object = field(default=None, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "ends", tuple(sorted(self.ends, key=_place_key)))


def _place_key(place):
    return (str(place[0]), place[1], place[2])


# --- F1 -----------------------------------------------------------------------------------------


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


# --- Chance-corrected coefficients --------------------------------------------------------------


def cohen_kappa(pairs) -> float | None:
    """Cohen's kappa (1960) over (category by A, category by B) pairs, one per unit."""
    pairs = list(pairs)
    n = len(pairs)
    if not n:
        return None
    observed = Fraction(sum(1 for x, y in pairs if x == y), n)
    by_a, by_b = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    expected = sum(Fraction(by_a[c] * by_b[c], n * n) for c in by_a)
    if expected == 1:
        return None
    return float((observed - expected) / (1 - expected))


def kappa_from_table(table) -> float | None:
    """Cohen's kappa from a square table of counts, rows A's categories, columns B's."""
    return cohen_kappa(
        (row, column)
        for row, counts in enumerate(table)
        for column, count in enumerate(counts)
        for _ in range(count)
    )


def krippendorff_alpha_nominal(units) -> float | None:
    """Krippendorff's alpha for nominal data. `units` holds, for each unit, the values its coders
    gave (None for a coder who gave none)."""
    coincidences = Counter()
    for unit in units:
        values = [value for value in unit if value is not None]
        m = len(values)
        if m < 2:
            continue  # a value nobody else coded cannot be compared
        for x, y in permutations(values, 2):
            coincidences[x, y] += Fraction(1, m - 1)
    totals = Counter()
    for (x, _), weight in coincidences.items():
        totals[x] += weight
    n = sum(totals.values())
    if not n:
        return None
    disagreeing = sum(weight for (x, y), weight in coincidences.items() if x != y)
    expected = sum(totals[x] * totals[y] for x, y in permutations(totals, 2))
    if not expected:
        return None
    return float(1 - (n - 1) * disagreeing / expected)


@dataclass
class Coefficients:
    """How far A and B agree on one field over `units` units."""

    units: int = 0
    agreed: int = 0
    kappa: float | None = None
    alpha: float | None = None

    @property
    def share(self):
        return self.agreed / self.units if self.units else None


def coefficients(pairs) -> Coefficients:
    pairs = list(pairs)
    return Coefficients(
        units=len(pairs),
        agreed=sum(1 for x, y in pairs if x == y),
        kappa=cohen_kappa(pairs),
        alpha=krippendorff_alpha_nominal(pairs),
    )


# --- Passages -----------------------------------------------------------------------------------


def worked_on(passages, places) -> list[tuple[int, int]]:
    """The passages of one document (sorted (start, end)) from the first to the last that shares
    a character with one of `places` ((start, end) of one annotator's spans there)."""
    touched = [i for i, (start, end) in enumerate(passages) if any(s < end and start < e for s, e in places)]
    return list(passages[touched[0] : touched[-1] + 1]) if touched else []


def shared_passages(passages, a_places, b_places) -> dict:
    """{document: [(start, end)]}: the passages A and B both worked on. `passages` maps a
    document to its passages; `a_places` and `b_places` are (document, start, end)."""
    shared = {}
    for document, spans in passages.items():
        a = worked_on(spans, [(s, e) for d, s, e in a_places if d == document])
        b = set(worked_on(spans, [(s, e) for d, s, e in b_places if d == document]))
        both = [passage for passage in a if passage in b]
        if both:
            shared[document] = both
    return shared


def inside(place, regions) -> bool:
    """Whether (document, start, end) shares a character with one of `regions`[document]."""
    document, start, end = place
    return any(s < end and start < e for s, e in regions.get(document, ()))


# --- Matching -----------------------------------------------------------------------------------


def _jaccard(x, y):
    shared = min(x[2], y[2]) - max(x[1], y[1])
    covered = max(x[2], y[2]) - min(x[1], y[1])
    return Fraction(max(shared, 0), covered)


def match(a_items, b_items):
    """Pair A's items with overlapping items of B, one to one (see the module's docstring).
    Returns (pairs, only A's, only B's), each in reading order."""
    a_items, b_items = list(a_items), list(b_items)
    b_at = {}
    for item in b_items:
        b_at.setdefault(item.place, []).append(item)
    index_b = _Index(b_at)
    candidates = []
    for x in a_items:
        for place in index_b.overlapping(x.place):
            for y in b_at[place]:
                kx, ky = (x.start, x.end, x.label), (y.start, y.end, y.label)
                key = (x.label != y.label, -_jaccard(x.place, y.place), min(kx, ky), max(kx, ky))
                candidates.append((key, kx, x, y))
    paired, used_a, used_b = [], set(), set()
    for _, _, x, y in sorted(candidates, key=lambda c: (c[0], c[1])):
        if id(x) not in used_a and id(y) not in used_b:
            used_a.add(id(x))
            used_b.add(id(y))
            paired.append((x, y))
    only_a = [x for x in a_items if id(x) not in used_a]
    only_b = [y for y in b_items if id(y) not in used_b]
    paired.sort(key=lambda p: _reading(p[0]))
    return paired, sorted(only_a, key=_reading), sorted(only_b, key=_reading)


def _reading(item):
    return (_place_key(item.place), item.label)


def _ends_overlap(x, y):
    return all(p[0] == q[0] and p[1] < q[2] and q[1] < p[2] for p, q in zip(x.ends, y.ends, strict=True))


def match_links(a_links, b_links):
    """Pair A's links with B's whose two ends both overlap, one to one: the same relation first,
    then the most characters in common. Returns (pairs, only A's, only B's)."""
    a_links, b_links = list(a_links), list(b_links)
    candidates = []
    for x in a_links:
        for y in b_links:
            if _ends_overlap(x, y):
                common = sum(_jaccard(p, q) for p, q in zip(x.ends, y.ends, strict=True))
                kx = (tuple(_place_key(p) for p in x.ends), x.relation)
                ky = (tuple(_place_key(p) for p in y.ends), y.relation)
                key = (x.relation != y.relation, -common, min(kx, ky), max(kx, ky))
                candidates.append((key, kx, x, y))
    paired, used_a, used_b = [], set(), set()
    for _, _, x, y in sorted(candidates, key=lambda c: (c[0], c[1])):
        if id(x) not in used_a and id(y) not in used_b:
            used_a.add(id(x))
            used_b.add(id(y))
            paired.append((x, y))
    return (
        paired,
        [x for x in a_links if id(x) not in used_a],
        [y for y in b_links if id(y) not in used_b],
    )


def _normal_cue(cue):
    return " ".join(cue.split()).casefold()


# --- Differences and units ----------------------------------------------------------------------


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


@dataclass
class Unit:
    """What adjudication decides on: A's item and B's matched item (either may be None)."""

    a: Item | None
    b: Item | None

    @property
    def first(self):
        return self.a or self.b

    @property
    def differs(self) -> list[str]:
        """The fields on which A and B disagree: boundaries, label, speaker, cue."""
        if not (self.a and self.b):
            return ["only_a" if self.a else "only_b"]
        found = []
        if self.a.place != self.b.place:
            found.append("boundaries")
        if self.a.label != self.b.label:
            found.append("label")
        if self.a.speaker != self.b.speaker:
            found.append("speaker")
        if _normal_cue(self.a.cue) != _normal_cue(self.b.cue):
            found.append("cue")
        return found

    @property
    def agreed(self) -> bool:
        return not self.differs


@dataclass
class LinkUnit:
    a: LinkItem | None
    b: LinkItem | None

    @property
    def first(self):
        return self.a or self.b

    @property
    def differs(self) -> list[str]:
        if not (self.a and self.b):
            return ["only_a" if self.a else "only_b"]
        found = [] if self.a.ends == self.b.ends else ["boundaries"]
        return found + ([] if self.a.relation == self.b.relation else ["relation"])

    @property
    def agreed(self) -> bool:
        return not self.differs


def units(a_items, b_items) -> list[Unit]:
    """Every matched pair and every unpaired item, in reading order."""
    paired, only_a, only_b = match(a_items, b_items)
    found = (
        [Unit(x, y) for x, y in paired] + [Unit(x, None) for x in only_a] + [Unit(None, y) for y in only_b]
    )
    return sorted(found, key=lambda u: _reading(u.first))


def link_units(a_links, b_links) -> list[LinkUnit]:
    paired, only_a, only_b = match_links(a_links, b_links)
    found = [LinkUnit(x, y) for x, y in paired]
    found += [LinkUnit(x, None) for x in only_a] + [LinkUnit(None, y) for y in only_b]
    return sorted(found, key=lambda u: (tuple(_place_key(p) for p in u.first.ends), u.first.relation))


# --- Agreement of a pair ------------------------------------------------------------------------


@dataclass
class LabelAgreement:
    label: str
    count_a: int
    count_b: int
    exact_matches: int
    exact_f1: float | None
    overlap_f1: float | None
    differences: list = field(default_factory=list)
    kappa: float | None = None
    alpha: float | None = None


@dataclass
class PairAgreement:
    a: str
    b: str
    labels: list = field(default_factory=list)  # LabelAgreement per label, then ALL_LABELS
    regions: dict | None = None  # what counted: {document: [(start, end)]}, None for everything
    counted: tuple = (0, 0)  # A's and B's items that counted
    left_out: tuple = (0, 0)  # A's and B's items outside the regions
    links_left_out: tuple = (0, 0)
    speaker: Coefficients = field(default_factory=Coefficients)
    cue: Coefficients = field(default_factory=Coefficients)
    relation: Coefficients = field(default_factory=Coefficients)

    @property
    def overall(self):
        return self.labels[-1]


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


def _overall(a_items, b_items):
    """All labels at once: a span agrees only with a span of the same label, so places carry it."""
    a_keys = {(i.label, *i.place) for i in a_items}
    b_keys = {(i.label, *i.place) for i in b_items}
    # The label joins the document in the place, so overlaps are looked for within one label.
    exact = exact_f1(a_keys, b_keys)
    overlap = overlap_f1(
        {((k[0], k[1]), k[2], k[3]) for k in a_keys}, {((k[0], k[1]), k[2], k[3]) for k in b_keys}
    )
    return LabelAgreement(ALL_LABELS, len(a_keys), len(b_keys), len(a_keys & b_keys), exact, overlap)


def _label_pairs(paired, only_a, only_b):
    return (
        [(x.label, y.label) for x, y in paired]
        + [(x.label, NONE) for x in only_a]
        + [(NONE, y.label) for y in only_b]
    )


def compare_pair(a, b, a_items, b_items, labels, *, regions=None, a_links=(), b_links=()) -> PairAgreement:
    """Agreement of A's and B's items (and links) within `regions` ({document: [(start, end)]};
    None counts everything)."""

    def split(things, place_of):
        if regions is None:
            return list(things), 0
        kept = [t for t in things if all(inside(p, regions) for p in place_of(t))]
        return kept, len(things) - len(kept)

    a_items, a_out = split(list(a_items), lambda i: [i.place])
    b_items, b_out = split(list(b_items), lambda i: [i.place])
    a_links, a_links_out = split(list(a_links), lambda link: link.ends)
    b_links, b_links_out = split(list(b_links), lambda link: link.ends)

    paired, only_a, only_b = match(a_items, b_items)
    categories = _label_pairs(paired, only_a, only_b)
    pair = PairAgreement(
        a,
        b,
        regions=regions,
        counted=(len(a_items), len(b_items)),
        left_out=(a_out, b_out),
        links_left_out=(a_links_out, b_links_out),
    )
    for label in labels:
        row = _label_agreement(
            label, [i for i in a_items if i.label == label], [i for i in b_items if i.label == label]
        )
        binary = [(x == label, y == label) for x, y in categories]
        row.kappa, row.alpha = cohen_kappa(binary), krippendorff_alpha_nominal(binary)
        pair.labels.append(row)
    overall = _overall(a_items, b_items)
    overall.kappa, overall.alpha = cohen_kappa(categories), krippendorff_alpha_nominal(categories)
    pair.labels.append(overall)

    same_label = [(x, y) for x, y in paired if x.label == y.label]
    pair.speaker = coefficients((x.speaker, y.speaker) for x, y in same_label)
    pair.cue = coefficients((_normal_cue(x.cue), _normal_cue(y.cue)) for x, y in same_label)
    linked, links_a, links_b = match_links(a_links, b_links)
    relations = (
        [(x.relation, y.relation) for x, y in linked]
        + [(x.relation, NONE) for x in links_a]
        + [(NONE, y.relation) for y in links_b]
    )
    pair.relation = Coefficients(
        units=len(linked),
        agreed=sum(1 for x, y in linked if x.relation == y.relation),
        kappa=cohen_kappa(relations),
        alpha=krippendorff_alpha_nominal(relations),
    )
    return pair


def compare(items, labels=None, *, passages=None, sample=None, links=()) -> list[PairAgreement]:
    """Agreement for every pair of annotators among `items` (and `links`), per label (in the order
    of `labels`, else alphabetical) and over all labels.

    `sample` ({document: [(start, end)]}) counts only those regions, for every pair; else
    `passages` ({document: [(start, end)]}, every document's paragraphs) counts only the passages
    both annotators of a pair worked on; with neither, everything counts."""
    items, links = list(items), list(links)
    annotators = sorted({item.annotator for item in items} | {link.annotator for link in links})
    labels = list(labels) if labels is not None else sorted({item.label for item in items})
    work, drawn = {}, {}
    for item in items:
        work.setdefault(item.annotator, []).append(item)
    for link in links:
        drawn.setdefault(link.annotator, []).append(link)
    pairs = []
    for a, b in combinations(annotators, 2):
        a_items, b_items = work.get(a, []), work.get(b, [])
        if sample is not None:
            regions = sample
        elif passages is not None:
            regions = shared_passages(
                passages,
                [i.place for i in a_items] + [p for link in drawn.get(a, []) for p in link.ends],
                [i.place for i in b_items] + [p for link in drawn.get(b, []) for p in link.ends],
            )
        else:
            regions = None
        pairs.append(
            compare_pair(
                a,
                b,
                a_items,
                b_items,
                labels,
                regions=regions,
                a_links=drawn.get(a, []),
                b_links=drawn.get(b, []),
            )
        )
    return pairs
