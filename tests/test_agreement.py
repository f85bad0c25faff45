"""Span-level agreement between annotators: the pure computation."""

from hypothesis import given
from hypothesis import strategies as st

from reader.agreement import ALL_LABELS, Item, compare, differences, exact_f1, overlap_f1


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
