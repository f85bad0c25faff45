"""reader/text.py: offsets, selections, paragraphs and highlight segments.

Pure functions, so no database. Property tests (hypothesis) build texts out of
the characters that break naive offset code: ZWJ sequences, flags, combining
accents, astral characters, tabs, blank and whitespace-only lines; and spans
that nest, overlap, coincide and cross paragraphs.
"""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import text as textlib
from reader.text import CONTEXT_CHARS, SelectionError, StaleSelection

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl: 5 code points
FLAG_IR = "\U0001f1ee\U0001f1f7"  # regional indicators I + R
E_ACUTE = "e\u0301"  # e + combining acute accent
SCRIPT_X = "\U0001d4b3"  # 𝒳, outside the Basic Multilingual Plane

ATOMS = [
    "word",
    "The",
    "minister",
    "said.",
    "“quoted”",
    "café",
    FAMILY,
    FLAG_IR,
    E_ACUTE,
    SCRIPT_X,
    "👍🏽",
    " ",
    "  ",
    "\t",
    "\u00a0",
    "\n",
    "\n\n",
    "\n  \n",
    "\n\t\n\n",
    "\n\u00a0\n",
    " \n",
]

FAST = settings(max_examples=200, deadline=None)

texts = st.one_of(
    st.lists(st.sampled_from(ATOMS), max_size=40).map("".join),
    st.text(max_size=30),
)


@st.composite
def text_and_spans(draw, max_spans=8):
    """A text and (id, start, end) spans inside it: non-empty, unique ids, often sharing edges."""
    text = draw(texts)
    n = len(text)
    if n == 0:
        return text, []
    # Paragraph edges make good span edges: spans that start or end exactly there.
    edges = sorted({0, n, *(edge for bounds in textlib.paragraphs(text) for edge in bounds)})
    position = st.one_of(st.integers(0, n), st.sampled_from(edges))
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=max_spans))
    spans = []
    for span_id in ids:
        if spans and draw(st.integers(0, 3)) == 0:
            # Identical to, or nested inside, a span drawn before.
            _, outer_start, outer_end = draw(st.sampled_from(spans))
            start = draw(st.integers(outer_start, outer_end - 1))
            end = draw(st.integers(start + 1, outer_end))
        else:
            a, b = draw(position), draw(position)
            if a == b:
                a, b = (a, a + 1) if a < n else (a - 1, a)
            start, end = min(a, b), max(a, b)
        spans.append((span_id, start, end))
    return text, spans


def covered(ranges):
    return {i for start, end in ranges for i in range(start, end)}


def assert_contiguous(pieces, start, end):
    """Pieces (anything with .start and .end) tile [start, end) in order, none empty."""
    position = start
    for piece in pieces:
        assert piece.start == position
        assert piece.end > piece.start
        position = piece.end
    assert position == end


# --- segments -----------------------------------------------------------------------------------


@FAST
@given(text_and_spans())
def test_segments_rebuild_the_text_exactly(case):
    text, spans = case
    cut = textlib.segments(0, len(text), spans)
    assert_contiguous(cut, 0, len(text))
    assert "".join(text[s.start : s.end] for s in cut) == text


@FAST
@given(text_and_spans(), st.data())
def test_segments_of_a_stretch_rebuild_that_stretch(case, data):
    text, spans = case
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    cut = textlib.segments(start, end, spans)
    assert_contiguous(cut, start, end)
    assert "".join(text[s.start : s.end] for s in cut) == text[start:end]


@FAST
@given(text_and_spans())
def test_each_span_is_covered_by_exactly_the_segments_naming_it(case):
    text, spans = case
    cut = textlib.segments(0, len(text), spans)
    for span_id, start, end in spans:
        naming = [s for s in cut if span_id in s.spans]
        assert covered((s.start, s.end) for s in naming) == set(range(start, end))
        # contiguous: the naming segments follow one another without a hole
        assert all(a.end == b.start for a, b in zip(naming, naming[1:], strict=False))
        for s in cut:
            if s not in naming:
                assert s.end <= start or s.start >= end


@FAST
@given(text_and_spans())
def test_each_segment_names_exactly_the_spans_covering_it(case):
    text, spans = case
    for s in textlib.segments(0, len(text), spans):
        expected = {span_id for span_id, start, end in spans if start <= s.start and s.end <= end}
        assert set(s.spans) == expected
        assert len(s.spans) == len(expected)  # no span named twice
        # every other span is disjoint from the segment: no span half-covers one
        for span_id, start, end in spans:
            if span_id not in expected:
                assert s.end <= start or s.start >= end


@FAST
@given(text_and_spans())
def test_a_segment_lists_an_enclosing_span_before_the_spans_nested_in_it(case):
    text, spans = case
    bounds = {span_id: (start, end) for span_id, start, end in spans}
    for s in textlib.segments(0, len(text), spans):
        for i, outer in enumerate(s.spans):
            for inner in s.spans[:i]:
                # `inner` is listed before `outer`: it must not be strictly inside `outer`
                (i_start, i_end), (o_start, o_end) = bounds[inner], bounds[outer]
                strictly_inside = (
                    o_start <= i_start and i_end <= o_end and (o_start, o_end) != (i_start, i_end)
                )
                assert not strictly_inside


@FAST
@given(text_and_spans(), st.lists(st.integers(-3, 80), max_size=6))
def test_extra_cuts_split_segments_without_naming_spans(case, cuts):
    text, spans = case
    plain = textlib.segments(0, len(text), spans)
    with_cuts = textlib.segments(0, len(text), spans, cuts=cuts)
    assert_contiguous(with_cuts, 0, len(text))
    inside = {c for c in cuts if 0 < c < len(text)}
    assert inside <= {s.start for s in with_cuts}
    for s in with_cuts:
        enclosing = next(p for p in plain if p.start <= s.start and s.end <= p.end)
        assert set(s.spans) == set(enclosing.spans)


def test_segments_of_an_empty_stretch_are_none():
    assert textlib.segments(5, 5, [(1, 0, 10)]) == []


def test_a_span_outside_the_stretch_names_no_segment():
    cut = textlib.segments(10, 20, [(1, 0, 10), (2, 20, 30)])
    assert [(s.start, s.end, s.spans) for s in cut] == [(10, 20, ())]


def test_overlapping_spans_cut_the_text_at_every_boundary():
    cut = textlib.segments(0, 10, [(1, 0, 6), (2, 3, 10)])
    assert [(s.start, s.end, set(s.spans)) for s in cut] == [(0, 3, {1}), (3, 6, {1, 2}), (6, 10, {2})]


def test_a_nested_span_is_listed_after_the_span_around_it():
    cut = textlib.segments(0, 10, [(7, 4, 6), (9, 2, 8)])
    middle = next(s for s in cut if s.start == 4)
    assert middle.spans == (9, 7)


def segments_listing_every_span(start, end, spans, cuts=()):
    """The cutting as it was before the chains, kept as the reference: a fresh tuple per segment."""
    starting, ending = {}, {}
    for span_id, span_start, span_end in spans:
        clipped_start, clipped_end = max(span_start, start), min(span_end, end)
        if clipped_start < clipped_end:
            starting.setdefault(clipped_start, []).append((span_end, span_id))
            ending.setdefault(clipped_end, []).append(span_id)
    cuts = sorted({start, end, *starting, *ending, *(c for c in cuts if start < c < end)})
    active = {}
    result = []
    for cut, next_cut in zip(cuts, cuts[1:], strict=False):
        for span_id in ending.get(cut, ()):
            del active[span_id]
        for _, span_id in sorted(starting.get(cut, ()), reverse=True):
            active[span_id] = None
        result.append((cut, next_cut, tuple(active)))
    return result


@st.composite
def tangled_spans(draw):
    """Many short spans over a small range: they nest, coincide, share edges and cross."""
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=30))
    spans = []
    for span_id in ids:
        start = draw(st.integers(0, 19))
        spans.append((span_id, start, draw(st.integers(start + 1, 20))))
    return spans


@FAST
@given(st.one_of(tangled_spans(), text_and_spans().map(lambda case: case[1])), st.data())
def test_segments_name_the_same_spans_in_the_same_order_as_a_fresh_tuple_each(spans, data):
    start = data.draw(st.integers(0, 20))
    end = data.draw(st.integers(start, 21))
    cuts = data.draw(st.lists(st.integers(-1, 22), max_size=4))
    cut = textlib.segments(start, end, spans, cuts=cuts)
    expected = segments_listing_every_span(start, end, spans, cuts)
    assert [(s.start, s.end, tuple(s.spans)) for s in cut] == expected


@FAST
@given(tangled_spans())
def test_the_spans_of_a_segment_behave_as_a_tuple(spans):
    reference = segments_listing_every_span(0, 20, spans)
    for s, (_, _, expected) in zip(textlib.segments(0, 20, spans), reference, strict=True):
        assert s.spans == expected
        assert expected == s.spans
        assert hash(s.spans) == hash(expected)
        assert len(s.spans) == len(expected)
        assert list(s.spans) == list(expected)
        assert list(reversed(s.spans)) == list(reversed(expected))
        assert bool(s.spans) == bool(expected)
        assert all(span_id in s.spans for span_id in expected)
        assert not any(span_id in s.spans for span_id, _, _ in spans if span_id not in expected)
        for index in range(-len(expected), len(expected)):
            assert s.spans[index] == expected[index]
        assert s.spans[1:] == expected[1:]
        assert s.spans != (*expected, 0)


@FAST
@given(tangled_spans(), st.lists(st.integers(1, 19), max_size=4))
def test_the_piece_after_an_extra_cut_has_its_whole_chain_made_there(spans, cuts):
    for s in textlib.segments(0, 20, spans, cuts=cuts):
        made_here = [link.since == s.start for link in s.spans.chain()] if s.spans else []
        if s.start in cuts:
            assert all(made_here)
        else:
            # the links made where a piece starts are its innermost ones: the rest came from before
            assert made_here == sorted(made_here, reverse=True)
            assert all(made_here[: sum(1 for _, start, _ in spans if start == s.start)])


def test_a_span_ending_under_spans_that_outlive_it_leaves_them_in_their_order():
    # 1 crosses 2 and 3, which nest: when 1 ends, 2 and 3 stay, 2 outside 3.
    cut = textlib.segments(0, 10, [(1, 0, 5), (2, 2, 9), (3, 3, 8)])
    assert [(s.start, s.end, tuple(s.spans)) for s in cut] == [
        (0, 2, (1,)),
        (2, 3, (1, 2)),
        (3, 5, (1, 2, 3)),
        (5, 8, (2, 3)),
        (8, 9, (2,)),
        (9, 10, ()),
    ]


def test_eight_thousand_nested_spans_are_cut_into_pieces_that_share_their_outer_spans():
    n = 8000
    length = 2 * n + 1
    cut = textlib.segments(0, length, [(i, i, length - i) for i in range(n)])
    assert len(cut) == 2 * n - 1
    # going in, each piece's innermost span is the one starting there; coming out, the one ending there
    assert [s.spans[-1] for s in cut] == [*range(n), *range(n - 2, -1, -1)]
    assert [len(s.spans) for s in cut] == [*range(1, n + 1), *range(n - 1, 0, -1)]
    assert tuple(cut[n - 1].spans) == tuple(range(n))
    # each piece going in adds one link to the chain of the piece before it, and coming out
    # drops one: the memory is linear, not one full tuple per piece
    assert all(cut[i].spans.outer is cut[i - 1].spans for i in range(1, n))
    assert all(cut[i].spans is cut[2 * n - 2 - i].spans for i in range(n - 1))


# --- layout -------------------------------------------------------------------------------------


@FAST
@given(text_and_spans())
def test_layout_blocks_rebuild_the_whole_text(case):
    text, spans = case
    blocks = textlib.layout(text, spans)
    assert_contiguous(blocks, 0, len(text))
    assert "".join(text[b.start : b.end] for b in blocks) == text


@FAST
@given(text_and_spans())
def test_layout_paragraph_segments_rebuild_each_paragraph(case):
    text, spans = case
    for block in textlib.layout(text, spans):
        if block.is_paragraph:
            assert_contiguous(block.segments, block.start, block.end)
            assert "".join(text[s.start : s.end] for s in block.segments) == text[block.start : block.end]
        else:
            assert block.segments == []


@FAST
@given(text_and_spans())
def test_layout_gaps_hold_only_whitespace_and_paragraphs_never_do(case):
    text, spans = case
    for block in textlib.layout(text, spans):
        if block.is_paragraph:
            assert text[block.start : block.end].strip() != ""
        else:
            assert text[block.start : block.end].strip() == ""


@FAST
@given(text_and_spans())
def test_layout_alternates_gaps_and_paragraphs(case):
    text, spans = case
    kinds = [b.is_paragraph for b in textlib.layout(text, spans)]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))


@FAST
@given(text_and_spans())
def test_layout_paragraph_blocks_are_the_paragraphs(case):
    text, spans = case
    blocks = [b for b in textlib.layout(text, spans) if b.is_paragraph]
    assert [(b.start, b.end) for b in blocks] == textlib.paragraphs(text)
    assert [b.index for b in blocks] == list(range(len(blocks)))


@FAST
@given(text_and_spans())
def test_layout_covers_each_span_where_it_meets_a_paragraph(case):
    text, spans = case
    blocks = textlib.layout(text, spans)
    in_paragraphs = covered((b.start, b.end) for b in blocks if b.is_paragraph)
    for span_id, start, end in spans:
        naming = [s for b in blocks if b.is_paragraph for s in b.segments if span_id in s.spans]
        assert covered((s.start, s.end) for s in naming) == set(range(start, end)) & in_paragraphs


def test_a_span_across_two_paragraphs_is_highlighted_in_both_but_not_in_the_gap():
    text = "First part.\n\nSecond part."
    start, end = text.index("part."), text.index("Second") + len("Second")
    blocks = textlib.layout(text, [(1, start, end)])
    first, gap, second = blocks
    assert (first.is_paragraph, gap.is_paragraph, second.is_paragraph) == (True, False, True)
    assert [text[s.start : s.end] for s in first.segments if s.spans] == ["part."]
    assert [text[s.start : s.end] for s in second.segments if s.spans] == ["Second"]


def test_layout_of_an_empty_text_is_empty():
    assert textlib.layout("", []) == []


# --- paragraphs ---------------------------------------------------------------------------------


@FAST
@given(texts)
def test_paragraphs_hold_no_blank_line_and_are_separated_by_one(text):
    found = textlib.paragraphs(text)
    for start, end in found:
        assert start == 0 or text[start - 1] == "\n"
        assert end == len(text) or text[end] == "\n"
        inner_lines = text[start:end].split("\n")[1:-1]
        assert all(line.strip() for line in inner_lines)
    for (_, previous_end), (next_start, _) in zip(found, found[1:], strict=False):
        gap = text[previous_end:next_start]
        assert gap.strip() == ""
        assert gap.count("\n") >= 2


@FAST
@given(texts)
def test_every_non_whitespace_character_is_in_a_paragraph(text):
    inside = covered(textlib.paragraphs(text))
    assert all(i in inside for i, char in enumerate(text) if not char.isspace())


def test_a_text_without_blank_lines_is_one_paragraph():
    text = "One line.\nAnother line.\nA third."
    assert textlib.paragraphs(text) == [(0, len(text))]


def test_single_newlines_stay_inside_a_paragraph():
    text = "Line one\nline two\n\nNext"
    assert textlib.paragraphs(text)[0] == (0, text.index("\n\n"))
    assert "\n" in text[slice(*textlib.paragraphs(text)[0])]


def test_blank_lines_separate_paragraphs():
    text = "First.\n\nSecond.\n\n\nThird."
    found = [text[start:end] for start, end in textlib.paragraphs(text)]
    assert found == ["First.", "Second.", "Third."]


def test_whitespace_only_lines_separate_paragraphs():
    text = "First.\n   \nSecond.\n\t \nThird."
    found = [text[start:end] for start, end in textlib.paragraphs(text)]
    assert found == ["First.", "Second.", "Third."]


def test_a_whitespace_only_text_has_no_paragraph():
    assert textlib.paragraphs(" \n\n\t\n  ") == []


# --- offsets and selections ---------------------------------------------------------------------


def test_offsets_count_code_points_not_utf16_units():
    text = FAMILY + " word"
    start = text.index("word")
    utf16_units_before = len(text[:start].encode("utf-16-le")) // 2
    assert start == 5 + 1  # 3 people + 2 zero-width joiners, then the space
    assert utf16_units_before == 3 * 2 + 2 + 1  # astral people take two units each
    assert textlib.check_selection(text, start, start + 4, "word") == (start, start + 4)


def test_a_selection_of_an_emoji_with_accents_keeps_every_code_point():
    text = f"Say {E_ACUTE}lan {FLAG_IR} {SCRIPT_X}!"
    start, end = text.index(E_ACUTE), text.index("!")
    trimmed = textlib.check_selection(text, start, end, text[start:end])
    assert text[slice(*trimmed)] == f"{E_ACUTE}lan {FLAG_IR} {SCRIPT_X}"


@FAST
@given(texts, st.data())
def test_a_matching_selection_is_trimmed_to_its_words_or_refused(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    exact = text[start:end]
    if exact.strip():
        trimmed_start, trimmed_end = textlib.check_selection(text, start, end, exact)
        assert start <= trimmed_start < trimmed_end <= end
        assert text[trimmed_start:trimmed_end] == exact.strip()
    else:
        with pytest.raises(SelectionError) as refused:
            textlib.check_selection(text, start, end, exact)
        assert refused.type is SelectionError
        assert refused.value.status == 400


@FAST
@given(texts.filter(bool), st.data())
def test_a_selection_whose_quote_differs_is_stale(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    exact = data.draw(st.text(max_size=10).filter(lambda seen: seen != text[start:end]))
    with pytest.raises(StaleSelection) as refused:
        textlib.check_selection(text, start, end, exact)
    assert refused.value.status == 409


def test_reversed_selection_is_refused():
    text = "The talks failed."
    with pytest.raises(SelectionError) as refused:
        textlib.check_selection(text, 9, 4, text[4:9])
    assert refused.type is SelectionError
    assert refused.value.status == 400


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 18), (17, 18), (-5, -1)])
def test_out_of_range_selection_is_refused(start, end):
    text = "The talks failed."  # 17 code points
    with pytest.raises(SelectionError) as refused:
        textlib.check_selection(text, start, end, text[start:end])
    assert refused.type is SelectionError
    assert refused.value.status == 400


def test_empty_selection_is_refused():
    with pytest.raises(SelectionError) as refused:
        textlib.check_selection("The talks failed.", 4, 4, "")
    assert refused.type is SelectionError


def test_whitespace_only_selection_is_refused():
    text = "The talks\n\n \tfailed."
    start, end = text.index("\n"), text.index("failed")
    with pytest.raises(SelectionError) as refused:
        textlib.check_selection(text, start, end, text[start:end])
    assert refused.type is SelectionError


def test_mismatched_quote_is_stale():
    text = "The talks failed."
    with pytest.raises(StaleSelection) as refused:
        textlib.check_selection(text, 4, 9, "tolks")
    assert refused.value.status == 409


def test_a_stale_quote_of_only_whitespace_is_stale_not_empty():
    text = "The talks failed."
    with pytest.raises(StaleSelection):
        textlib.check_selection(text, 4, 9, "     ")


def test_selection_is_trimmed_of_outer_whitespace():
    text = "The talks failed.\n\nNext."
    start, end = text.index(" failed"), text.index("Next")
    word = text.index("failed")
    assert textlib.check_selection(text, start, end, text[start:end]) == (word, word + len("failed."))


# --- context ------------------------------------------------------------------------------------


@FAST
@given(text_and_spans(max_spans=1))
def test_context_is_at_most_32_code_points_right_next_to_the_span(case):
    text, spans = case
    for _, start, end in spans:
        prefix, suffix = textlib.context(text, start, end)
        assert len(prefix) == min(CONTEXT_CHARS, start)
        assert len(suffix) == min(CONTEXT_CHARS, len(text) - end)
        assert text[:start].endswith(prefix)
        assert text[end:].startswith(suffix)


def test_context_size_is_32():
    assert CONTEXT_CHARS == 32


def test_context_counts_astral_characters_as_one():
    text = SCRIPT_X * 40 + "word" + FAMILY * 10
    start = text.index("word")
    prefix, suffix = textlib.context(text, start, start + 4)
    assert prefix == SCRIPT_X * 32
    assert suffix == (FAMILY * 10)[:32]


# --- newlines and hashes ------------------------------------------------------------------------


def test_normalise_newlines_turns_crlf_and_cr_into_lf():
    assert textlib.normalise_newlines("a\r\nb\rc\nd\r\r\ne\r") == "a\nb\nc\nd\n\ne\n"


def test_normalise_newlines_changes_nothing_else():
    text = f"  {FAMILY} {E_ACUTE}\t \u2028 {SCRIPT_X}  \n\n"
    assert textlib.normalise_newlines(text) == text


def test_sha256_hashes_utf8():
    assert textlib.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert textlib.sha256("café") == hashlib.sha256(b"caf\xc3\xa9").hexdigest()
    assert textlib.sha256("café") != hashlib.sha256(b"caf\xe9").hexdigest()


# --- Small pure helpers the reader and the formats use ------------------------------------------


def test_word_diff_aligns_two_wordings_word_by_word_ignoring_case_and_punctuation():
    assert textlib.word_diff("Dozens of American servicemen, injured.", "dozens of US troops injured") == [
        ("equal", "Dozens of", "dozens of"),
        ("replace", "American servicemen,", "US troops"),
        ("equal", "injured.", "injured"),
    ]


def test_word_diff_tells_words_only_on_one_side():
    assert textlib.word_diff("a pair of bases", "a pair of US bases") == [
        ("equal", "a pair of", "a pair of"),
        ("insert", "", "US"),
        ("equal", "bases", "bases"),
    ]
    assert textlib.word_diff("said on Friday", "said") == [
        ("equal", "said", "said"),
        ("delete", "on Friday", ""),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Mehr News Agency", ("Mehr News Agency", "")),
        ("Mehr News Agency (Tehran dateline; inferred)", ("Mehr News Agency", "Tehran dateline; inferred")),
        ("unknown (probably Russian: the tone)", ("", "probably Russian: the tone")),
        ("Unknown outlet", ("", "")),
        ("  TASS  ", ("TASS", "")),
        ("Outlet (no closing", ("Outlet (no closing", "")),
    ],
)
def test_split_outlet_parts_a_name_from_how_it_is_known(value, expected):
    assert textlib.split_outlet(value) == expected


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("“We will respond.”", "direct"),
        ('"We will respond,"', "direct"),
        ("''We will respond,''", "direct"),
        ("the strikes were an act of terror", "indirect"),
        ("“", "mixed"),  # a lone mark is no quotation, but it is quoted speech
        ('"', "mixed"),
        ("“We will respond.”,", "direct"),  # punctuation after the closing mark is not the words'
        ("''We will go on", "mixed"),  # an opening mark alone does not make a quotation
        ("the reign of “crazy murderer” Trump", "mixed"),
        ('the reign of "crazy murderer" Trump', "mixed"),
        ("the ''crazy'' one", "mixed"),
        ("«brothers» in arms", "mixed"),
    ],
)
def test_quotation_kind_tells_direct_mixed_and_indirect_speech(words, kind):
    assert textlib.quotation_kind(words) == kind


def test_nearest_occurrence_is_the_closest_whole_word_match_outside_the_span():
    text = "he said it. Then said more. And he said again."
    first, second, third = (i for i in range(len(text)) if text.startswith("said", i))
    assert textlib.nearest_occurrence(text, "said", second, second + 4) == (first, first + 4)
    assert textlib.nearest_occurrence(text, "SAID", third, third + 4) == (second, second + 4)


def test_nearest_occurrence_takes_the_earlier_of_two_equally_near():
    text = "x said y said z"
    assert textlib.nearest_occurrence(text, "y", 7, 8) is None  # only inside the span itself
    assert textlib.nearest_occurrence(text, "said", 6, 8) == (2, 6)


def test_nearest_occurrence_finds_none_beyond_its_reach_inside_a_word_or_for_no_words():
    text = "said " + "x" * 300 + " unsaid and said"
    end = len(text)
    assert textlib.nearest_occurrence(text, "said", end - 4, end, reach=100) is None
    assert textlib.nearest_occurrence(text, "said", end - 4, end, reach=400) == (0, 4)
    assert textlib.nearest_occurrence(text, "said", end - 4, end) is None  # 250 by default
    assert textlib.nearest_occurrence(text, "  ", 0, 1) is None


def test_heading_lines_are_the_manifests_lines_and_markdown_headings():
    text = "Title line\n\nBody text.\n  Anniversary Approaches\n## A subheading  \nMore #1 text."
    sub = text.index("Anniversary")
    md = text.index("## A")
    assert textlib.heading_lines(text, ["Anniversary Approaches", "  "]) == [
        [sub, sub + len("Anniversary Approaches")],
        [md, md + len("## A subheading")],
    ]
    assert textlib.heading_lines(text) == [[md, md + len("## A subheading")]]
    assert textlib.heading_lines("#not a heading\n####### seven") == []


def test_sentences_the_page_is_cut_into_skip_abbreviations_and_trim_whitespace():
    text = "Mr. Smith said so. Then he left.   \n\nThree. U.S. troops left. Gen. Lee said.  "
    assert [text[a:b] for a, b in textlib.sentences(text)] == [
        "Mr. Smith said so.",
        "Then he left.",
        "Three.",
        "U.S. troops left.",
        "Gen. Lee said.",
    ]


def test_an_empty_selection_is_refused_with_its_message():
    with pytest.raises(SelectionError) as refused:
        textlib.check_selection("Some text.", 3, 3, "")
    assert str(refused.value) == "The selection is empty: select some text first."
