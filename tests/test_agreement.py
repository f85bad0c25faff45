"""Agreement between annotators: the pure computation, its coefficients against published worked
examples (Cohen 1960, Krippendorff 2011) and the `krippendorff` package, and its properties.

Bad inputs tried: nothing tagged on either side, one side empty, units with no pairable value,
one category throughout, spans in other documents, touching spans, spans across paragraphs,
links with one end outside what counts."""

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.agreement import (
    ALL_LABELS,
    Coefficients,
    Item,
    LinkItem,
    LinkUnit,
    Unit,
    _jaccard,
    coefficients,
    cohen_kappa,
    compare,
    differences,
    exact_f1,
    inside,
    kappa_from_table,
    krippendorff_alpha_nominal,
    link_units,
    match,
    match_links,
    overlap_f1,
    shared_passages,
    units,
    worked_on,
)


def place(document="d", start=0, end=1):
    return (document, start, end)


spans = st.builds(
    lambda document, start, length: (document, start, start + length),
    st.sampled_from(["left", "right"]),
    st.integers(0, 60),
    st.integers(1, 15),
)
span_sets = st.sets(spans, max_size=12)
non_empty_span_sets = st.sets(spans, min_size=1, max_size=12)


# --- properties ---------------------------------------------------------------------------------


@given(non_empty_span_sets)
def test_an_annotator_agrees_fully_with_themselves(a):
    assert exact_f1(a, a) == 1.0
    assert overlap_f1(a, a) == 1.0


@given(span_sets, span_sets)
def test_exact_match_f1_does_not_depend_on_who_is_first(a, b):
    assert exact_f1(a, b) == exact_f1(b, a)


@given(span_sets, span_sets)
def test_overlap_f1_does_not_depend_on_who_is_first(a, b):
    assert overlap_f1(a, b) == overlap_f1(b, a)


@given(non_empty_span_sets, span_sets)
def test_agreement_lies_between_0_and_1_and_overlap_is_never_below_exact(a, b):
    assert 0 <= exact_f1(a, b) <= overlap_f1(a, b) <= 1


@given(span_sets, span_sets)
def test_overlap_f1_matches_a_brute_force_count(a, b):
    def overlaps(x, ys):
        return any(x[0] == y[0] and x[1] < y[2] and y[1] < x[2] for y in ys)

    if a and b:
        recall = sum(overlaps(x, b) for x in a) / len(a)
        precision = sum(overlaps(y, a) for y in b) / len(b)
        expected = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        assert abs(overlap_f1(a, b) - expected) < 1e-12


@given(span_sets, span_sets)
def test_every_span_not_shared_is_listed_as_a_difference(a, b):
    items_a = [Item("a", "Quote", *p) for p in a]
    items_b = [Item("b", "Quote", *p) for p in b]
    listed = {d.a.place for d in differences(items_a, items_b) if d.a} | {
        d.b.place for d in differences(items_a, items_b) if d.b
    }
    assert listed == a ^ b


# --- examples -----------------------------------------------------------------------------------


def test_nothing_tagged_on_either_side_has_no_agreement():
    assert exact_f1(set(), set()) is None
    assert overlap_f1(set(), set()) is None


def test_one_side_tagging_nothing_agrees_not_at_all():
    assert exact_f1({place()}, set()) == 0.0
    assert overlap_f1({place()}, set()) == 0.0


def test_spans_in_different_documents_never_overlap():
    assert overlap_f1({place("left", 0, 10)}, {place("right", 0, 10)}) == 0.0


def test_touching_spans_do_not_overlap():
    assert overlap_f1({place(start=0, end=5)}, {place(start=5, end=9)}) == 0.0


def test_other_boundaries_are_listed_as_a_pair():
    a, b = Item("ann", "Claim", "d", 0, 10), Item("bob", "Claim", "d", 2, 10)
    (difference,) = differences([a], [b])
    assert (difference.kind, difference.a, difference.b) == ("boundaries", a, b)


def test_a_span_tagged_by_one_annotator_only_is_listed_alone():
    a = Item("ann", "Quote", "d", 0, 10)
    (difference,) = differences([a], [])
    assert (difference.kind, difference.b) == ("only_a", None)


def test_compare_gives_each_pair_of_annotators_once():
    items = [Item(name, "Quote", "d", 0, 4) for name in ("ann", "bob", "cy")]
    assert [(pair.a, pair.b) for pair in compare(items)] == [("ann", "bob"), ("ann", "cy"), ("bob", "cy")]


def test_compare_rows_follow_the_labels_given_then_all_labels():
    items = [Item("ann", "Quote", "d", 0, 4), Item("bob", "Claim", "d", 0, 4)]
    (pair,) = compare(items, labels=["Quote", "Claim"])
    assert [row.label for row in pair.labels] == ["Quote", "Claim", ALL_LABELS]


def test_all_labels_requires_the_same_label_to_agree():
    items = [Item("ann", "Quote", "d", 0, 4), Item("bob", "Claim", "d", 0, 4)]
    (pair,) = compare(items)
    overall = pair.labels[-1]
    assert (overall.exact_f1, overall.overlap_f1) == (0.0, 0.0)


def test_the_quote_and_reference_do_not_take_part_in_comparisons():
    assert Item("ann", "Quote", "d", 0, 4, ref=1, quote="x") == Item(
        "ann", "Quote", "d", 0, 4, ref=2, quote="y"
    )


# === Chance-corrected coefficients against published worked examples ============================

NA = None  # a coder who gave no value

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: four observers,
# twelve units, values 1-5, some missing. Published: nominal alpha = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
]

# Cohen (1960), Table 1: two judges, 200 cases, three categories (counts: the published
# proportions times 200). Published: p_o = .70, p_c = .41, kappa = .492.
COHEN_1960 = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]


def units_of(matrix):
    """A reliability matrix (coders x units) as units of values."""
    return [list(unit) for unit in zip(*matrix, strict=True)]


def test_nominal_alpha_reproduces_krippendorffs_published_example():
    assert round(krippendorff_alpha_nominal(units_of(KRIPPENDORFF_2011)), 3) == 0.743


def test_nominal_alpha_reproduces_the_krippendorff_packages_documented_example():
    # The `krippendorff` package's docstring: three coders, fifteen units, nominal alpha 0.691358.
    data = [
        [NA, NA, NA, NA, NA, 3, 4, 1, 2, 1, 1, 3, 3, NA, 3],
        [1, NA, 2, 1, 3, 3, 4, 3, NA, NA, NA, NA, NA, NA, NA],
        [NA, NA, 2, 1, 3, 4, 4, NA, 2, 1, 1, 3, 3, NA, 4],
    ]
    assert round(krippendorff_alpha_nominal(units_of(data)), 6) == 0.691358


def test_kappa_reproduces_cohens_published_example():
    assert round(kappa_from_table(COHEN_1960), 3) == 0.492


def test_kappa_of_a_two_by_two_table():
    # 50 cases: both yes 20, A yes B no 5, A no B yes 10, both no 15: p_o = .7, p_e = .5.
    assert kappa_from_table([[20, 5], [10, 15]]) == 0.4


def test_kappa_is_exact_for_a_table_that_floats_would_round():
    # p_o = 2/3, p_e = 2/3 * 1/3 + 1/3 * 2/3 = 4/9: kappa exactly (2/9) / (5/9) = 2/5.
    assert cohen_kappa([("x", "x"), ("y", "y"), ("x", "y")]) == 0.4


def test_kappa_and_alpha_with_nothing_to_measure_are_none():
    assert cohen_kappa([]) is None
    assert krippendorff_alpha_nominal([]) is None
    assert krippendorff_alpha_nominal([[1, None], [None, 2]]) is None  # no pairable value


def test_one_category_throughout_has_no_chance_corrected_agreement():
    assert cohen_kappa([("x", "x"), ("x", "x")]) is None
    assert krippendorff_alpha_nominal([["x", "x"], ["x", "x"]]) is None


def test_systematic_disagreement_gives_negative_coefficients():
    pairs = [("x", "y"), ("y", "x")]
    assert cohen_kappa(pairs) == -1.0
    assert krippendorff_alpha_nominal(pairs) == -0.5  # 1 - (4 - 1) * 4 / (2 * 2 * 2)


def test_alpha_weighs_a_value_by_the_other_values_of_its_unit():
    # Three coders on one unit and two on another: 1 - (n - 1) * D_o / D_e = 1 - 4 * 1 / 6.
    assert krippendorff_alpha_nominal([["x", "x", "y"], ["y", "y", None]]) == pytest.approx(1 / 3)


categories = st.sampled_from(["Quote", "Claim", "Speaker", "no annotation"])
category_pairs = st.lists(st.tuples(categories, categories), max_size=40)


@given(category_pairs)
def test_kappa_does_not_depend_on_who_is_first(pairs):
    assert cohen_kappa(pairs) == cohen_kappa([(y, x) for x, y in pairs])


@given(category_pairs)
def test_kappa_and_alpha_lie_between_minus_one_and_one(pairs):
    for value in (cohen_kappa(pairs), krippendorff_alpha_nominal(pairs)):
        assert value is None or -1 <= value <= 1


@given(st.lists(categories, min_size=1, max_size=30))
def test_perfect_agreement_gives_one_unless_one_category_throughout(values):
    pairs = [(v, v) for v in values]
    expected = None if len(set(values)) == 1 else 1.0
    assert cohen_kappa(pairs) == expected
    assert krippendorff_alpha_nominal(pairs) == expected


@given(category_pairs)
def test_alpha_of_two_coders_is_scotts_pi_corrected_for_sample_size(pairs):
    # Krippendorff (2011): with two coders and no missing value, alpha = 1 - (2N-1)/2N * (1 - pi).
    n = len(pairs)
    pooled = Counter(v for pair in pairs for v in pair)
    expected = sum((count / (2 * n)) ** 2 for count in pooled.values()) if n else 1
    if n == 0 or expected == 1:
        assert krippendorff_alpha_nominal(pairs) is None
        return
    observed = sum(1 for x, y in pairs if x == y) / n
    pi = (observed - expected) / (1 - expected)
    assert krippendorff_alpha_nominal(pairs) == pytest.approx(1 - (2 * n - 1) / (2 * n) * (1 - pi))


reliability = st.integers(2, 4).flatmap(
    lambda coders: st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=coders, max_size=coders),
        min_size=1,
        max_size=15,
    )
)


@settings(deadline=None)  # the first example imports numpy
@given(reliability)
def test_alpha_matches_the_krippendorff_package(units):
    import numpy as np

    krippendorff = pytest.importorskip("krippendorff")
    ours = krippendorff_alpha_nominal(units)
    matrix = np.array([[np.nan if v is None else v for v in unit] for unit in units], dtype=float).T
    pairable = [unit for unit in units if sum(v is not None for v in unit) >= 2]
    if ours is None:
        assert len({v for unit in pairable for v in unit if v is not None}) < 2
        return
    assert ours == pytest.approx(float(krippendorff.alpha(matrix, level_of_measurement="nominal")))


@given(reliability, st.randoms())
def test_alpha_does_not_depend_on_the_order_of_units_or_coders(units, random):
    shuffled = [list(unit) for unit in units]
    random.shuffle(shuffled)
    order = list(range(len(units[0])))
    random.shuffle(order)
    shuffled = [[unit[i] for i in order] for unit in shuffled]
    ours, theirs = krippendorff_alpha_nominal(units), krippendorff_alpha_nominal(shuffled)
    assert ours == theirs or ours == pytest.approx(theirs)


def test_coefficients_count_units_and_agreements():
    pairs = [("a", "a"), ("a", "b"), ("b", "b"), ("", "")]
    found = coefficients(pairs)
    assert (found.units, found.agreed, found.share) == (4, 3, 0.75)
    assert (found.kappa, found.alpha) == (cohen_kappa(pairs), krippendorff_alpha_nominal(pairs))
    assert found.alpha is not None
    assert Coefficients().share is None


# === Passages ===================================================================================


PARAGRAPHS = [(0, 10), (12, 20), (22, 30), (32, 40)]


def test_an_annotator_worked_on_every_paragraph_from_their_first_to_their_last():
    assert worked_on(PARAGRAPHS, [(13, 15), (33, 35)]) == [(12, 20), (22, 30), (32, 40)]


def test_an_annotator_with_nothing_in_a_document_worked_on_none_of_it():
    assert worked_on(PARAGRAPHS, []) == []
    assert worked_on(PARAGRAPHS, [(10, 12)]) == []  # the blank line between two paragraphs


def test_a_span_across_two_paragraphs_marks_both_as_worked_on():
    assert worked_on(PARAGRAPHS, [(18, 24)]) == [(12, 20), (22, 30)]


def test_a_span_touching_a_paragraph_does_not_mark_it():
    assert worked_on(PARAGRAPHS, [(20, 22), (1, 2)]) == [(0, 10)]
    assert worked_on(PARAGRAPHS, [(30, 32), (39, 40)]) == [(32, 40)]


def test_shared_passages_are_those_both_worked_on_per_document():
    passages = {"left": PARAGRAPHS, "right": PARAGRAPHS}
    a = [("left", 0, 3), ("left", 25, 26), ("right", 1, 2)]
    b = [("left", 14, 15), ("left", 35, 36)]
    assert shared_passages(passages, a, b) == {"left": [(12, 20), (22, 30)]}


def test_inside_means_sharing_a_character():
    regions = {"d": [(22, 30), (12, 20)]}
    assert inside(("d", 19, 25), regions)
    assert inside(("d", 29, 40), regions)
    assert inside(("d", 11, 13), regions)
    assert not inside(("d", 20, 22), regions)
    assert not inside(("d", 30, 31), regions)
    assert not inside(("d", 0, 12), regions)
    assert not inside(("e", 12, 20), regions)


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 10)), max_size=6),
    st.integers(0, 55),
    st.integers(1, 9),
)
def test_inside_matches_a_brute_force_check(regions, start, length):
    spans = [(s, s + n) for s, n in regions]
    expected = any(s < start + length and start < e for s, e in spans)
    assert inside(("d", start, start + length), {"d": spans}) == expected


# === Matching ===================================================================================


def test_matching_prefers_the_same_label_over_more_overlap():
    a = [Item("ann", "Claim", "d", 0, 10), Item("ann", "Quote", "d", 0, 10)]
    b = [Item("bob", "Quote", "d", 2, 10)]
    paired, only_a, only_b = match(a, b)
    assert [(x.label, y.label) for x, y in paired] == [("Quote", "Quote")]
    assert (only_a, only_b) == ([a[0]], [])


def test_matching_prefers_more_characters_in_common():
    a = [Item("ann", "Quote", "d", 0, 10)]
    b = [Item("bob", "Quote", "d", 0, 3), Item("bob", "Quote", "d", 1, 10), Item("bob", "Quote", "d", 8, 20)]
    paired, _, only_b = match(a, b)
    assert [(x.place, y.place) for x, y in paired] == [(("d", 0, 10), ("d", 1, 10))]
    assert only_b == [b[0], b[2]]


def test_the_share_of_characters_in_common_is_shared_over_covered():
    assert _jaccard(("d", 0, 10), ("d", 5, 20)) == Fraction(5, 20)
    assert _jaccard(("d", 5, 20), ("d", 0, 10)) == Fraction(5, 20)
    assert _jaccard(("d", 3, 7), ("d", 0, 10)) == Fraction(4, 10)
    assert _jaccard(("d", 0, 5), ("d", 8, 10)) == 0
    assert _jaccard(("d", 10, 20), ("d", 15, 30)) == Fraction(5, 20)


def test_matched_pairs_are_in_the_reading_order_of_a():
    a = [Item("ann", "Quote", "d", 0, 100), Item("ann", "Quote", "d", 10, 20)]
    b = [Item("bob", "Quote", "d", 5, 15), Item("bob", "Quote", "d", 50, 60)]
    paired, _, _ = match(a, b)
    assert [(x.start, y.start) for x, y in paired] == [(0, 50), (10, 5)]


def test_matching_is_one_to_one():
    a = [Item("ann", "Quote", "d", 0, 20)]
    b = [Item("bob", "Quote", "d", 0, 8), Item("bob", "Quote", "d", 10, 20)]
    paired, only_a, only_b = match(a, b)
    assert (len(paired), only_a, len(only_b)) == (1, [], 1)


def test_matching_never_pairs_across_documents_or_touching_spans():
    a = [Item("ann", "Quote", "left", 0, 5), Item("ann", "Quote", "left", 10, 15)]
    b = [Item("bob", "Quote", "right", 0, 5), Item("bob", "Quote", "left", 5, 10)]
    paired, only_a, only_b = match(a, b)
    assert (paired, only_a, only_b) == ([], a, [b[1], b[0]])  # in reading order


items_strategy = st.lists(
    st.builds(
        lambda label, start, length: ("d", label, start, start + length),
        st.sampled_from(["Quote", "Claim"]),
        st.integers(0, 40),
        st.integers(1, 12),
    ),
    max_size=10,
    unique=True,
)


def as_items(annotator, rows):
    return [Item(annotator, label, document, start, end) for document, label, start, end in rows]


@given(items_strategy, items_strategy)
def test_matching_is_one_to_one_symmetric_and_maximal(a_rows, b_rows):
    a, b = as_items("ann", a_rows), as_items("bob", b_rows)
    paired, only_a, only_b = match(a, b)
    assert sorted(map(id, [x for x, _ in paired] + only_a)) == sorted(map(id, a))
    assert sorted(map(id, [y for _, y in paired] + only_b)) == sorted(map(id, b))
    assert all(x.start < y.end and y.start < x.end for x, y in paired)
    # Nothing left unpaired could still have been paired.
    assert not any(x.start < y.end and y.start < x.end for x in only_a for y in only_b)
    swapped, _, _ = match(b, a)
    key = lambda x: (x.label, x.start, x.end)  # noqa: E731
    assert sorted((key(x), key(y)) for x, y in paired) == sorted((key(x), key(y)) for y, x in swapped)


@given(items_strategy, items_strategy)
def test_every_item_is_in_exactly_one_unit(a_rows, b_rows):
    a, b = as_items("ann", a_rows), as_items("bob", b_rows)
    found = units(a, b)
    assert sorted(id(u.a) for u in found if u.a) == sorted(map(id, a))
    assert sorted(id(u.b) for u in found if u.b) == sorted(map(id, b))


def test_units_are_in_reading_order():
    a = [Item("ann", "Quote", "d", 30, 35), Item("ann", "Quote", "d", 0, 5)]
    b = [Item("bob", "Claim", "d", 10, 15)]
    assert [u.first.start for u in units(a, b)] == [0, 10, 30]


def test_a_unit_names_each_field_on_which_they_differ():
    a = Item("ann", "Quote", "d", 0, 10, speaker="Rouhani", cue="said")
    assert Unit(a, Item("bob", "Quote", "d", 0, 10, speaker="Rouhani", cue=" Said ")).differs == []
    assert Unit(a, Item("bob", "Claim", "d", 0, 9, speaker="Zarif", cue="told")).differs == [
        "boundaries",
        "label",
        "speaker",
        "cue",
    ]
    assert Unit(a, None).differs == ["only_a"]
    assert Unit(None, a).differs == ["only_b"]
    assert Unit(a, a).agreed
    assert not Unit(a, None).agreed


def test_a_link_is_the_same_whichever_end_comes_first():
    one = LinkItem("ann", "paraphrase", (("r", 5, 9), ("l", 0, 4)))
    other = LinkItem("ann", "paraphrase", (("l", 0, 4), ("r", 5, 9)))
    assert one == other
    assert one.ends == (("l", 0, 4), ("r", 5, 9))


def test_links_match_when_both_ends_overlap():
    a = [LinkItem("ann", "paraphrase", (("l", 0, 10), ("r", 0, 10)))]
    b = [
        LinkItem("bob", "contradicts", (("l", 2, 8), ("r", 20, 30))),  # one end elsewhere
        LinkItem("bob", "contradicts", (("l", 5, 12), ("r", 3, 9))),
    ]
    paired, only_a, only_b = match_links(a, b)
    assert [(x.relation, y.relation) for x, y in paired] == [("paraphrase", "contradicts")]
    assert (only_a, only_b) == ([], [b[0]])


def test_links_do_not_match_across_documents_or_at_touching_ends():
    x = LinkItem("ann", "paraphrase", (("l", 10, 20), ("r", 10, 20)))
    for ends in [
        (("l", 10, 20), ("s", 10, 20)),  # the other end in another document
        (("l", 0, 10), ("r", 10, 20)),  # touching before
        (("l", 20, 30), ("r", 10, 20)),  # touching after
        (("l", 10, 20), ("r", 0, 5)),  # before
        (("l", 10, 20), ("r", 25, 30)),  # after
    ]:
        assert match_links([x], [LinkItem("bob", "paraphrase", ends)]) == (
            [],
            [x],
            [LinkItem("bob", "paraphrase", ends)],
        )


def test_link_matching_is_one_to_one():
    a = [LinkItem("ann", "paraphrase", (("l", 0, 10), ("r", 0, 10)))]
    b = [
        LinkItem("bob", "paraphrase", (("l", 0, 10), ("r", 0, 10))),
        LinkItem("bob", "paraphrase", (("l", 0, 9), ("r", 0, 10))),
    ]
    paired, only_a, only_b = match_links(a, b)
    assert [y for _, y in paired] == [b[0]]
    assert only_b == [b[1]]
    paired, only_a, only_b = match_links(b, a)
    assert [x for x, _ in paired] == [b[0]]
    assert only_a == [b[1]]


def test_link_matching_prefers_more_characters_in_common():
    a = [LinkItem("ann", "paraphrase", (("l", 0, 10), ("r", 0, 10)))]
    b = [
        LinkItem("bob", "paraphrase", (("l", 0, 2), ("r", 0, 10))),
        LinkItem("bob", "paraphrase", (("l", 0, 9), ("r", 0, 10))),
    ]
    paired, _, only_b = match_links(a, b)
    assert paired[0][1] is b[1]
    assert only_b == [b[0]]


def test_link_units_pair_what_matched_and_list_the_rest_in_reading_order():
    x = LinkItem("ann", "paraphrase", (("l", 20, 30), ("r", 0, 10)))
    y = LinkItem("bob", "contradicts", (("l", 21, 30), ("r", 0, 10)))
    only_b = LinkItem("bob", "elaborates", (("l", 0, 5), ("r", 40, 50)))
    only_a = LinkItem("ann", "counterpart", (("l", 40, 45), ("r", 40, 50)))
    found = link_units([x, only_a], [only_b, y])
    assert [(u.a, u.b) for u in found] == [(None, only_b), (x, y), (only_a, None)]


def test_link_matching_prefers_the_same_relation():
    a = [LinkItem("ann", "paraphrase", (("l", 0, 10), ("r", 0, 10)))]
    b = [
        LinkItem("bob", "contradicts", (("l", 0, 10), ("r", 0, 10))),
        LinkItem("bob", "paraphrase", (("l", 1, 10), ("r", 0, 9))),
    ]
    paired, _, only_b = match_links(a, b)
    assert paired[0][1] is b[1]
    assert only_b == [b[0]]


def test_a_link_unit_names_what_differs():
    x = LinkItem("ann", "paraphrase", (("l", 0, 10), ("r", 0, 10)))
    assert LinkUnit(x, LinkItem("bob", "paraphrase", (("l", 0, 10), ("r", 0, 10)))).agreed
    assert LinkUnit(x, LinkItem("bob", "contradicts", (("l", 0, 9), ("r", 0, 10)))).differs == [
        "boundaries",
        "relation",
    ]
    assert LinkUnit(None, x).differs == ["only_b"]
    assert [u.first.relation for u in link_units([x], [])] == ["paraphrase"]


# === A pair's agreement =========================================================================


def two_readers():
    """ann and bob on one document of three paragraphs; bob stopped after the second.

    Paragraphs: 0-20, 22-40, 42-60. Quote: alike at 0-5, other boundaries at 24-30 / 25-30.
    Claim: ann's 10-15 matched by bob's Quote 9-15 (a label disagreement), bob's alone at 33-36.
    ann's Quote at 45-50 lies in the paragraph bob never reached."""
    ann = [
        Item("ann", "Quote", "d", 0, 5, speaker="Rouhani", cue="said"),
        Item("ann", "Quote", "d", 24, 30, speaker="Zarif", cue="said"),
        Item("ann", "Claim", "d", 10, 15),
        Item("ann", "Quote", "d", 45, 50),
    ]
    bob = [
        Item("bob", "Quote", "d", 0, 5, speaker="Rouhani", cue="Said"),
        Item("bob", "Quote", "d", 25, 30, speaker="Rouhani", cue="said"),
        Item("bob", "Quote", "d", 9, 15),
        Item("bob", "Claim", "d", 33, 36),
    ]
    return ann + bob


PASSAGES = {"d": [(0, 20), (22, 40), (42, 60)]}


def test_agreement_counts_only_the_passages_both_worked_on():
    (pair,) = compare(two_readers(), labels=["Quote", "Claim"], passages=PASSAGES)
    assert pair.regions == {"d": [(0, 20), (22, 40)]}
    assert (pair.counted, pair.left_out) == ((3, 4), (1, 0))


def test_per_label_counts_and_f1_on_the_passages_both_worked_on():
    (pair,) = compare(two_readers(), labels=["Quote", "Claim"], passages=PASSAGES)
    quote, claim, overall = pair.labels
    assert (quote.label, quote.count_a, quote.count_b, quote.exact_matches) == ("Quote", 2, 3, 1)
    assert (quote.exact_f1, quote.overlap_f1) == (2 / 5, pytest.approx(0.8))
    assert (claim.label, claim.count_a, claim.count_b, claim.exact_matches) == ("Claim", 1, 1, 0)
    assert (claim.exact_f1, claim.overlap_f1) == (0.0, 0.0)
    assert (overall.label, overall.count_a, overall.count_b, overall.exact_matches) == (ALL_LABELS, 3, 4, 1)
    # Same label needed: ann's 3 spans, 2 overlap a Quote of bob's; bob's 4, 2 overlap one of ann's.
    assert overall.exact_f1 == 2 / 7
    assert overall.overlap_f1 == pytest.approx(_harmonic(2 / 3, 2 / 4))


def _harmonic(p, r):
    return 2 * p * r / (p + r)


def test_kappa_and_alpha_per_label_and_over_all_labels():
    (pair,) = compare(two_readers(), labels=["Quote", "Claim"], passages=PASSAGES)
    # Units: (Quote, Quote) x2, (Claim, Quote), (none, Claim).
    units_ = [("Quote", "Quote"), ("Quote", "Quote"), ("Claim", "Quote"), ("no annotation", "Claim")]
    quote, claim, overall = pair.labels
    assert overall.kappa == pytest.approx(cohen_kappa(units_))
    assert overall.alpha == pytest.approx(krippendorff_alpha_nominal(units_))
    # p_o = 2/4; p_e = Quote 2/4 * 3/4 + Claim 1/4 * 1/4 = 7/16; kappa = (1/16) / (9/16).
    assert overall.kappa == pytest.approx(1 / 9)
    as_quote = [(x == "Quote", y == "Quote") for x, y in units_]
    assert (quote.kappa, quote.alpha) == (cohen_kappa(as_quote), krippendorff_alpha_nominal(as_quote))
    assert quote.kappa == pytest.approx(0.5)
    as_claim = [(x == "Claim", y == "Claim") for x, y in units_]
    assert claim.kappa == cohen_kappa(as_claim) == pytest.approx(-1 / 3)


def test_speaker_and_cue_agreement_on_matched_pairs_with_the_same_label():
    (pair,) = compare(two_readers(), labels=["Quote", "Claim"], passages=PASSAGES)
    assert (pair.speaker.units, pair.speaker.agreed) == (2, 1)
    assert pair.speaker.kappa == cohen_kappa([("Rouhani", "Rouhani"), ("Zarif", "Rouhani")])
    assert (pair.cue.units, pair.cue.agreed, pair.cue.kappa) == (2, 2, None)  # "Said" is "said"


def test_a_sample_counts_only_its_regions_for_every_pair():
    (pair,) = compare(two_readers(), labels=["Quote"], passages=PASSAGES, sample={"d": [(0, 6)]})
    assert pair.regions == {"d": [(0, 6)]}
    assert (pair.counted, pair.left_out) == ((1, 1), (3, 3))
    assert (pair.labels[0].exact_f1, pair.labels[-1].kappa) == (1.0, None)


def test_without_passages_or_sample_everything_counts():
    (pair,) = compare(two_readers(), labels=["Quote"])
    assert (pair.regions, pair.counted, pair.left_out) == (None, (4, 4), (0, 0))
    assert pair.labels[0].count_a == 3


def test_link_relations_agree_on_matched_links_inside_what_counts():
    links = [
        LinkItem("ann", "paraphrase", (("l", 0, 5), ("r", 0, 5))),
        LinkItem("ann", "contradicts", (("l", 10, 15), ("r", 10, 15))),
        LinkItem("ann", "paraphrase", (("l", 50, 55), ("r", 0, 5))),  # an end outside
        LinkItem("ann", "elaborates", (("l", 20, 25), ("r", 20, 25))),
        LinkItem("bob", "elaborates", (("l", 20, 24), ("r", 20, 25))),
        LinkItem("bob", "paraphrase", (("l", 1, 5), ("r", 0, 4))),
        LinkItem("bob", "paraphrase", (("l", 10, 15), ("r", 10, 15))),
        LinkItem("bob", "elaborates", (("l", 30, 35), ("r", 30, 35))),
    ]
    items = [Item("ann", "Quote", "l", 0, 40), Item("bob", "Quote", "l", 0, 40)]
    sample = {"l": [(0, 40)], "r": [(0, 40)]}
    (pair,) = compare(items, labels=["Quote"], sample=sample, links=links)
    assert pair.links_left_out == (1, 0)
    assert (pair.relation.units, pair.relation.agreed) == (3, 2)
    relations = [
        ("paraphrase", "paraphrase"),
        ("elaborates", "elaborates"),
        ("contradicts", "paraphrase"),
        ("no annotation", "elaborates"),
    ]
    assert pair.relation.kappa == pytest.approx(cohen_kappa(relations))
    assert pair.relation.alpha == pytest.approx(krippendorff_alpha_nominal(relations))


def test_links_mark_the_passages_an_annotator_worked_on():
    links = [LinkItem("bob", "paraphrase", (("d", 45, 50), ("e", 0, 3)))]
    (pair,) = compare(two_readers(), labels=["Quote"], passages=PASSAGES, links=links)
    assert pair.regions == {"d": [(0, 20), (22, 40), (42, 60)]}
    assert pair.left_out == (0, 0)


def test_the_first_annotators_links_mark_passages_too():
    items = [
        Item("bob", "Quote", "d", 0, 5),
        Item("bob", "Quote", "d", 45, 50),
        Item("ann", "Quote", "d", 1, 4),
    ]
    links = [LinkItem("ann", "paraphrase", (("d", 44, 46), ("e", 0, 3)))]
    (pair,) = compare(items, labels=["Quote"], passages=PASSAGES, links=links)
    assert pair.regions == {"d": [(0, 20), (22, 40), (42, 60)]}
    assert (pair.counted, pair.left_out) == ((1, 2), (0, 0))


def test_an_annotator_with_only_links_is_compared_too():
    links = [LinkItem("al", "paraphrase", (("d", 0, 5), ("e", 0, 3)))]
    pairs = compare(two_readers(), labels=["Quote"], links=links, passages=PASSAGES)
    assert [(p.a, p.b) for p in pairs] == [("al", "ann"), ("al", "bob"), ("ann", "bob")]
    assert (pairs[0].counted, pairs[0].labels[0].count_b) == ((0, 2), 1)  # al read the first paragraph


def test_an_annotator_with_only_links_may_come_second():
    links = [LinkItem("zed", "paraphrase", (("d", 0, 5), ("e", 0, 3)))]
    pairs = compare(two_readers(), labels=["Quote"], links=links, passages=PASSAGES)
    assert [(p.a, p.b) for p in pairs] == [("ann", "bob"), ("ann", "zed"), ("bob", "zed")]
    assert (pairs[1].counted, pairs[1].left_out) == ((2, 0), (2, 0))


def test_each_label_lists_where_the_pair_differs():
    (pair,) = compare(two_readers(), labels=["Quote", "Claim"], passages=PASSAGES)
    quote, claim, _ = pair.labels
    assert [(d.kind, d.a and d.a.start, d.b and d.b.start) for d in quote.differences] == [
        ("only_b", None, 9),
        ("boundaries", 24, 25),
    ]
    assert [d.kind for d in claim.differences] == ["only_a", "only_b"]


def test_differences_are_listed_after_a_span_both_tagged():
    shared, alone = Item("ann", "Quote", "d", 0, 4), Item("ann", "Quote", "d", 10, 14)
    found = differences([shared, alone], [Item("bob", "Quote", "d", 0, 4)])
    assert [(d.kind, d.a) for d in found] == [("only_a", alone)]


def test_the_overall_row_is_the_last():
    (pair,) = compare(two_readers(), labels=["Quote"])
    assert pair.overall is pair.labels[-1]
    assert pair.overall.label == ALL_LABELS
