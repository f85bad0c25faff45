"""Re-anchoring spans after a document's text is edited: the diff, the search, then the database.

Bad inputs tried: a span whose quote is only whitespace, a span whose quote is no longer at its
offsets (an orphan), offsets past the end of the new text, an empty edit, a diff out of time,
a whole text replaced, CRLF line ends, emoji (ZWJ sequences, flags, skin tones), combining marks
and astral letters next to an edit.
"""

import functools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import annotating
from reader import text as textlib
from reader.models import Span
from tests.conftest import EMOJI_TEXT
from tests.factories import AnnotationFactory, DocumentFactory, SpanFactory

TEXT = (
    "The minister said the talks had failed.\n\n"
    "Officials denied it on Friday, calling the report “baseless.”\n\n"
    "Nobody else commented."
)
ROUHANI = (
    "Rouhani told the cabinet on Wednesday that the era of sanctions was ending. "
    "Analysts were divided. Later Rouhani added that Iran would respond in kind."
)
P1 = "The minister said the talks had failed and that no new round was planned."
P2 = "Officials denied it on Friday, calling the report baseless and politically motivated."
OTHER = (
    "Other news of the day filled the rest of the page, from the weather in the north to the markets "
    "in the south, and nobody said anything more about the talks or the minister at all."
)
# Two paragraphs of one length, each with a quote of one length at one offset: swapped, each
# quote lands exactly where the other was.
SWAP_A = "Officials in Tehran said the talks had failed on Monday night."
SWAP_B = "A spokesman in Paris saw the deals were over. Nobody objected."


# The diff and the search take a few milliseconds an example, more on a busy machine: no deadline.
no_deadline = settings(deadline=None)


def span_of(text, quote, occurrence=0, span_id=0):
    """A span over the n-th occurrence of `quote`, as stored: (id, start, end, exact, prefix, suffix)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return (span_id, start, start + len(quote), quote, *textlib.context(text, start, start + len(quote)))


def anchor(old, new, quote, occurrence=0):
    """Where the span over that occurrence of `quote` in `old` goes in `new`."""
    return textlib.reanchor_all(old, new, [span_of(old, quote, occurrence)])[0]


def place(old, new, quote, occurrence=0):
    """(start, end, words) of the span in `new`, or None when it is orphaned."""
    found = anchor(old, new, quote, occurrence)
    return found and (found.start, found.end, new[found.start : found.end])


def naive_distances(text, pattern):
    """Edit distance from `pattern` to the best substring ending at each position (Sellers)."""
    previous, found = list(range(len(pattern) + 1)), []
    for char in text:
        current = [0]
        for i in range(1, len(pattern) + 1):
            current.append(
                min(previous[i] + 1, current[i - 1] + 1, previous[i - 1] + (pattern[i - 1] != char))
            )
        found.append(current[-1])
        previous = current
    return found


def levenshtein(a, b):
    return naive_distances(b, a)[-1] if b else len(a)


# --- the approximate search ---------------------------------------------------------------------


@given(st.text(alphabet="ab🙂 ", max_size=40), st.text(alphabet="ab🙂 ", max_size=80))
def test_the_bit_parallel_search_agrees_with_the_textbook_one(text, pattern):
    assert textlib._match_scores(text, pattern) == naive_distances(text, pattern)


@given(st.text(alphabet="abc ", max_size=40), st.text(alphabet="abc", min_size=1, max_size=20))
def test_each_approximate_match_is_as_far_from_the_pattern_as_it_says(text, pattern):
    for start, end, errors in textlib.approximate_matches(text, pattern, len(pattern) // 2):
        assert naive_distances(text[start:end], pattern)[-1] == errors


def test_approximate_matches_come_fewest_errors_first_and_keep_the_quotes_length():
    text = "the talks hat failed; the talks had failed"
    assert textlib.approximate_matches(text, "talks had", 2) == [(26, 35, 0), (4, 12, 1), (4, 13, 1)]


def test_of_matches_as_good_as_each_other_the_one_of_the_quotes_length_wins():
    assert textlib.approximate_matches(" ab", "bb", 1) == [(1, 3, 1)]
    assert textlib.approximate_matches("babab ", "baa", 1) == [(0, 2, 1), (0, 3, 1), (0, 4, 1), (2, 5, 1)]


def test_a_match_ending_at_the_first_character_counts():
    assert textlib.approximate_matches("a baaab", "ab", 1) == [
        (5, 7, 0),
        (0, 1, 1),
        (0, 2, 1),
        (1, 3, 1),
        (3, 4, 1),
        (3, 5, 1),
    ]


def test_an_empty_pattern_matches_nowhere():
    assert textlib.approximate_matches("abc", "", 3) == []


def test_the_edit_distance_within_a_text_is_that_of_its_best_substring():
    assert textlib.edit_distance_within("the talks had failed", "tlaks") == 2
    assert textlib.edit_distance_within("", "abc") == 3


# --- the diff -----------------------------------------------------------------------------------


def check_regions(old, new, regions):
    """Regions hold the same text in both, in order, never touching the next in both texts, from
    the start of both texts to the end of both."""
    assert regions[0][:2] == (0, 0)
    assert (regions[-1].old + regions[-1].length, regions[-1].new + regions[-1].length) == (
        len(old),
        len(new),
    )
    for region in regions:
        assert old[region.old : region.old + region.length] == new[region.new : region.new + region.length]
    for before, after in zip(regions, regions[1:], strict=False):
        assert before.old + before.length <= after.old
        assert before.new + before.length <= after.new
        assert (before.old + before.length, before.new + before.length) != (after.old, after.new)


edits = st.text(alphabet="ab .,\n🙂é", max_size=60)


@no_deadline
@given(edits, edits)
def test_the_regions_of_any_two_texts_hold_text_they_share(old, new):
    check_regions(old, new, textlib.unchanged_regions(old, new))


@no_deadline
@given(edits, edits)
def test_out_of_time_the_diff_is_coarser_but_never_wrong(old, new):
    check_regions(old, new, textlib.unchanged_regions(old, new, seconds=-1))


@given(st.text(alphabet="ab .,;\n\r\u2028🙂", max_size=80))
def test_each_level_of_pieces_rebuilds_the_text(text):
    for split in textlib._PIECES:
        assert "".join(split(text)) == text


def test_an_unchanged_text_is_one_region():
    assert textlib.unchanged_regions(TEXT, TEXT) == [(0, 0, len(TEXT))]


def test_an_insertion_leaves_two_regions_around_it():
    assert textlib.unchanged_regions("abc def", "abc XY def") == [(0, 0, 4), (4, 7, 3)]


def test_a_changed_text_start_and_end_leave_empty_regions_there():
    assert textlib.unchanged_regions("xa bc", "a bcy") == [(0, 0, 0), (1, 0, 4), (5, 5, 0)]


def test_a_changed_word_in_a_long_text_without_line_breaks_is_found_character_by_character():
    old = " ".join(f"word{n} said, then more words." for n in range(2000))
    new = old.replace("word1000 said", "word1000 sand")
    at = old.index("word1000 said") + len("word1000 sa")
    assert textlib.unchanged_regions(old, new) == [(0, 0, at), (at + 1, at + 1, len(old) - at - 1)]


def test_a_changed_word_is_aligned_character_by_character_up_to_200_characters():
    assert textlib.unchanged_regions("q a" + "x" * 198 + "a q", "q b" + "x" * 198 + "b q") == [
        (0, 0, 2),
        (3, 3, 198),
        (202, 202, 2),
    ]
    assert textlib.unchanged_regions("q a" + "x" * 199 + "a q", "q b" + "x" * 198 + "b q") == [
        (0, 0, 2),
        (203, 202, 2),
    ]


def test_pure_insertions_and_deletions_leave_what_is_around_them():
    assert textlib.unchanged_regions("", "abc") == [(0, 0, 0), (0, 3, 0)]
    assert textlib.unchanged_regions("abc", "") == [(0, 0, 0), (3, 0, 0)]
    assert textlib.unchanged_regions("a b c", "a c") == [(0, 0, 2), (4, 2, 1)]


def test_coincidental_words_in_a_rewritten_sentence_are_not_kept():
    old = "Officials denied it on Friday."
    new = "A spokesman later confirmed it to reporters."
    assert textlib.unchanged_regions(old, new) == [(0, 0, 0), (len(old) - 1, len(new) - 1, 1)]


def test_line_edits_far_apart_are_each_found_within_their_line():
    lines = [f"Line {n}: the talks had failed again.\n" for n in range(500)]
    old = "".join(lines)
    lines[10], lines[400] = lines[10].replace("had", "have"), lines[400].replace("again", "anew")
    new = "".join(lines)
    regions = textlib.unchanged_regions(old, new)
    changed = [
        (before.old + before.length, after.old) for before, after in zip(regions, regions[1:], strict=False)
    ]
    assert [old[start:end] for start, end in changed] == ["d", "gain"]


def test_points_inside_changes_map_to_the_same_fraction_of_what_replaced_them():
    regions = textlib.unchanged_regions("abcdefg" + "hij" * 3 + "klmnop", "abXYZ" + "hij" * 3 + "QRop")
    assert regions == [(0, 0, 2), (7, 5, 9), (20, 16, 2)]
    starts = [region.old for region in regions]
    assert [textlib._map_start(regions, starts, p)[0] for p in range(2, 7)] == [2, 2, 3, 3, 4]
    assert [textlib._map_start(regions, starts, p)[0] for p in range(16, 20)] == [14, 14, 15, 15]


def test_a_point_inside_a_change_maps_to_the_same_fraction_of_what_replaced_it():
    regions = textlib.unchanged_regions("abcdefghij", "abXYZij")  # "cdefgh" became "XYZ"
    assert regions == [(0, 0, 2), (8, 5, 2)]
    starts = [region.old for region in regions]
    assert [textlib._map_start(regions, starts, p) for p in range(10)] == [
        (0, 0),
        (1, 0),
        *[(2 + (p - 2) * 3 // 6, None) for p in range(2, 8)],
        (5, 1),
        (6, 1),
    ]
    assert [textlib._map_end(regions, starts, p) for p in range(1, 11)] == [
        (1, 0),
        (2, 0),
        *[(2 + (p - 2) * 3 // 6, None) for p in range(3, 9)],
        (6, 1),
        (7, 1),
    ]


# --- re-anchoring: spans the edit left alone ----------------------------------------------------


def test_an_unchanged_text_keeps_every_span_where_it_was():
    assert anchor(TEXT, TEXT, "the talks had failed") == (18, 38, textlib.MAPPED)


def test_text_inserted_before_a_span_moves_it_by_as_much():
    assert anchor(TEXT, "Breaking: " + TEXT, "Officials denied it") == (51, 70, textlib.MAPPED)


def test_text_inserted_right_before_a_span_moves_it_by_as_much():
    new = TEXT.replace("Officials", "Senior Officials")
    assert anchor(TEXT, new, "Officials denied it") == (48, 67, textlib.MAPPED)


def test_text_inserted_right_after_a_span_leaves_it_where_it_was():
    new = TEXT.replace("Officials denied it", "Officials denied it angrily")
    assert anchor(TEXT, new, "Officials denied it") == (41, 60, textlib.MAPPED)


def test_text_deleted_before_a_span_moves_it_back_by_as_much():
    new = TEXT.replace("The minister said the talks had failed.\n\n", "")
    assert anchor(TEXT, new, "Officials denied it") == (0, 19, textlib.MAPPED)


def test_spans_on_both_sides_of_an_edit_keep_their_words():
    new = TEXT.replace(" on Friday", " late on Friday evening")
    spans = [span_of(TEXT, "Officials denied it", span_id=1), span_of(TEXT, "calling the report", span_id=2)]
    assert textlib.reanchor_all(TEXT, new, spans) == {
        1: (41, 60, textlib.MAPPED),
        2: (85, 103, textlib.MAPPED),
    }


def test_a_span_covering_an_edit_is_found_with_its_new_words():
    new = TEXT.replace("the talks had failed", "the talks had now failed")
    assert anchor(TEXT, new, "said the talks had failed") == (13, 42, textlib.APPROXIMATE)


def test_a_span_whose_words_changed_slightly_is_found_again_with_the_new_words():
    new = TEXT.replace("the talks had failed", "the talks have failed")
    assert place(TEXT, new, "the talks had failed") == (18, 39, "the talks have failed")
    assert anchor(TEXT, new, "the talks had failed").how == textlib.APPROXIMATE


def test_a_span_whose_words_changed_at_its_edge_is_found_again():
    new = TEXT.replace("the talks had failed", "the talks had faltered")
    assert place(TEXT, new, "talks had failed") == (22, 40, "talks had faltered")


def test_a_match_widened_to_whole_words_at_both_ends():
    old = "He said the talks had failed."
    assert place(old, "He said the stalks has failed.", "talks had failed") == (12, 29, "stalks has failed")
    assert place(old, "He said the talks had faltered.", "talks had failed") == (12, 30, "talks had faltered")


def test_a_match_that_would_cut_a_word_the_quote_had_whole_is_not_taken():
    old = "He said the talks had failed."
    assert anchor(old, "He said the talks hab failedxxxxxxxxxx.", "the talks had failed") is None
    assert anchor(old, "He said the talks hab failedxxxxx.", "the talks had failed") is None  # 6 errors
    assert place(old, "He said the talks hab failedxxxx.", "the talks had failed") == (  # 5 errors, the most
        8,
        32,
        "the talks hab failedxxxx",
    )


def test_a_match_may_cut_a_word_where_the_quote_did():
    old = "He said the talks had failed."
    assert place(old, "He said the talks hab failed now.", "alks had failed") == (13, 28, "alks hab failed")
    assert place(old, "He said the talks hab failed now.", "the talks had fail") == (
        8,
        26,
        "the talks hab fail",
    )


def orphan_in(new, quote, prefix, suffix):
    """Where an orphan (its quote no longer at its offsets) is found in `new`."""
    return textlib.reanchor_all("zzz", new, [(1, 900, 900 + len(quote), quote, prefix, suffix)])[1]


def test_a_match_is_widened_by_at_most_the_allowed_errors_at_its_start():
    found = orphan_in("Yes: xxxxtalks had failed today.", "talks had failed", "the ", " today")
    assert found == (5, 25, textlib.APPROXIMATE)
    assert orphan_in("Yes: xxxxxtalks had failed today.", "talks had failed", "the ", " today") is None


def test_a_match_is_widened_by_at_most_the_allowed_errors_at_its_end():
    found = orphan_in("He said the talks had failedxxxxx today", "the talks had failed", "He said ", " today")
    assert found == (8, 33, textlib.APPROXIMATE)
    assert (
        orphan_in("He said the talks had failedxxxxxx today", "the talks had failed", "He said ", " today")
        is None
    )


def test_a_match_is_widened_up_to_the_start_or_end_of_the_text():
    assert orphan_in("stalks had failed today", "talks had failed", "the ", " today") == (
        0,
        17,
        "approximate",
    )
    assert orphan_in("He said: the talks had failedxx", "the talks had failed", "He said: ", "") == (
        9,
        31,
        textlib.APPROXIMATE,
    )


def test_a_match_ending_in_a_one_letter_word_is_widened_too():
    assert place("So the talks had a deal.", "So the talks hab ab deal.", "talks had a") == (
        7,
        19,
        "talks hab ab",
    )


def test_a_span_that_was_the_whole_text_is_found_by_its_quote_alone():
    assert orphan_in("He: hello", "hello", "", "") == (4, 9, textlib.FOUND)


def test_trimming_a_match_drops_its_outer_whitespace_or_the_match():
    assert textlib._trimmed(" a b  c", 0, 6) == (1, 4)
    assert textlib._trimmed("a   b", 1, 4) is None
    assert textlib._trimmed("abc", 1, 1) is None


def test_an_approximate_copy_a_few_hundred_characters_from_a_deleted_quote_is_found_by_its_context():
    quote = "the talks had failed and that no new round was planned"
    copy = quote.replace("no new round", "no neww round")  # not the quote exactly: only the window has it
    old = f"Intro. The minister said {quote}. " + la(76) + f"Later, the minister said {copy}. " + la(20)
    new = old.replace(f"The minister said {quote}. ", "")
    assert place(old, new, quote) == (260, 315, copy)


def test_a_match_at_the_very_start_of_the_text_is_seen_whole():
    assert place("retalks had failed today.", "talks hab failed today.", "talks had failed") == (
        0,
        16,
        "talks hab failed",
    )


def test_a_match_only_touching_the_spans_own_words_is_not_taken_for_them():
    # "said" at 3–7 with a context that disagrees: next to the span's new words, not on them.
    search = functools.partial(textlib._search, "xx said zz", "said", "qqqq ", " wwww", own=True)
    assert search(image=(7, 9)) is None
    assert search(image=(1, 3)) is None
    assert search(image=(6, 9)) == (3, 7)


def test_the_spans_own_words_edited_in_their_context_beat_a_copy_elsewhere_with_that_context():
    old = OTHER + "\n\n" + P1 + "\n\n" + OTHER + "\n\n" + P1
    new = old.replace("the talks had failed", "the talks have failed", 1)
    assert place(old, new, "the talks had failed") == (199, 220, "the talks have failed")


def test_a_match_widened_beyond_the_allowed_errors_from_the_quote_is_not_taken():
    old = "He said the talks had failed today."
    assert anchor(old, "He said the talcs hab failedxxxx today.", "the talks had failed") is None
    assert (
        anchor("He said the talks had failed.", "He said the xxxxtalks hab failed.", "talks had failed")
        is None
    )


def test_a_span_whose_end_the_edit_rewrote_needs_its_context_even_next_to_its_old_words():
    old = "He said the talks had failed today."
    assert textlib.unchanged_regions(old, "Xx xxxx the talks had faileq wow.")[1] == (7, 7, 20)  # "d" changed
    assert anchor(old, "Xx xxxx the talks had faileq wow.", "the talks had failed") is None


def test_a_prefix_that_reaches_the_start_of_the_text_counts_in_full():
    # The prefix agrees and the suffix does not at all: the context is kept by half, just enough.
    assert orphan_in("the talks had failed today", "talks had failed", "the ", "!!!!!!") == (4, 20, "found")


def test_the_nearest_occurrences_come_nearest_first_including_one_across_the_hint():
    assert textlib._nearest_occurrences("x ab ab ab ab ab", "ab", 8, 3) == [8, 11, 5]
    assert textlib._nearest_occurrences("xxabxx", "ab", 3, 5) == [2]
    assert textlib._nearest_occurrences("ab ab", "ab", 3, 5) == [3, 0]
    assert textlib._nearest_occurrences("aaaa", "aa", 1, 5) == [1, 2, 0]
    assert textlib._nearest_occurrences("ab ab ab ab", "ab", 11, 5) == [9, 6, 3, 0]
    assert textlib._nearest_occurrences("aaaa", "aa", 4, 5) == [2, 1, 0]


def test_a_combining_accent_is_part_of_the_word_it_sits_in():
    old = "Elle a dit: l'e\u0301lan est perdu, vraiment."
    new = old.replace("est perdu", "e\u0301tait perdu")
    assert place(old, new, "l'e\u0301lan est perdu") == (12, 32, "l'e\u0301lan e\u0301tait perdu")
    assert textlib._in_word("\u0301")


def test_a_deleted_quote_is_orphaned():
    new = TEXT.replace("Officials denied it on Friday, calling the report “baseless.”\n\n", "")
    assert anchor(TEXT, new, "Officials denied it on Friday") is None


def test_a_quote_rewritten_beyond_a_quarter_is_orphaned():
    new = TEXT.replace("the talks had failed", "negotiations collapsed")
    assert anchor(TEXT, new, "the talks had failed") is None


def test_a_quote_may_lose_a_quarter_of_its_characters_but_no_more():
    old = "He said: abcdefgh, and left."
    assert place(old, old.replace("abcdefgh", "abXdeYgh"), "abcdefgh") == (9, 17, "abXdeYgh")
    assert place(old, old.replace("abcdefgh", "aXcdYfZh"), "abcdefgh") is None


def test_a_short_word_changed_is_orphaned_as_no_error_is_allowed_in_it():
    assert anchor(TEXT, TEXT.replace("the talks had failed", "the talks has failed"), "had") is None


# --- re-anchoring: never moved silently ---------------------------------------------------------


def test_the_second_rouhani_whose_sentence_is_deleted_is_orphaned_not_moved_to_the_first():
    new = ROUHANI.replace(" Later Rouhani added that Iran would respond in kind.", "")
    assert anchor(ROUHANI, new, "Rouhani", occurrence=1) is None
    assert anchor(ROUHANI, new, "Rouhani", occurrence=0) == (0, 7, textlib.MAPPED)


def test_the_second_said_whose_sentence_is_deleted_is_orphaned_not_moved_to_the_first():
    old = "He said no. Later, she said yes."
    assert anchor(old, "He said no.", "said", occurrence=1) is None
    assert anchor(old, "He said no.", "said", occurrence=0) == (3, 7, textlib.MAPPED)


def test_a_single_exact_occurrence_elsewhere_with_another_context_is_not_taken():
    old = P1 + "\n\n" + P2
    new = P1.replace("the talks had failed and ", "") + "\n\nLater: the talks had failed, said a diplomat."
    assert anchor(old, new, "the talks had failed") is None


def test_a_paragraph_moved_elsewhere_takes_its_spans_with_it():
    old, new = P1 + "\n\n" + P2, P2 + "\n\n" + P1
    assert place(old, new, "the talks had failed") == (105, 125, "the talks had failed")
    assert place(old, new, "calling the report") == (31, 49, "calling the report")


def test_a_quote_found_elsewhere_with_its_prefix_alone_is_taken():
    old = "Intro.\n\n" + P1 + "\n\n" + OTHER
    new = (
        "Intro.\n\n"
        + OTHER
        + "\n\nMuch later, the minister said the talks had failed and that no new round would come."
    )
    assert anchor(old, new, "no new round") == (249, 261, textlib.FOUND)


def test_a_quote_found_elsewhere_with_its_suffix_alone_is_taken():
    old = "Intro.\n\n" + P1 + "\n\n" + OTHER
    new = (
        "Intro.\n\n"
        + OTHER
        + "\n\nAt last they said it: no new round was planned.\n\nOther news of the week."
    )
    assert anchor(old, new, "no new round") == (211, 223, textlib.FOUND)


def test_an_approximate_match_elsewhere_whose_context_is_gone_is_not_taken():
    old = "Intro.\n\n" + P1 + "\n\n" + OTHER
    new = "Intro.\n\n" + OTHER + "\n\nBy contrast the talks have failed, it seems."
    assert anchor(old, new, "the talks had failed") is None


def test_an_approximate_match_elsewhere_that_keeps_its_context_is_taken():
    old = "Intro.\n\n" + P1 + "\n\n" + OTHER
    new = (
        "Intro.\n\n"
        + OTHER
        + "\n\nIntro. The minister said the talks have failed and that no new round was planned."
    )
    assert place(old, new, "the talks had failed") == (214, 235, "the talks have failed")


def test_an_approximate_match_of_the_spans_own_words_is_taken_without_its_context():
    old = "Yesterday the minister said the talks had failed, officials say."
    new = "Quite different words: the talks have failed, as you know well."
    assert textlib.unchanged_regions(old, new)[1] == (27, 22, len(" the talks ha"))  # both ends kept
    assert place(old, new, "the talks had failed") == (23, 44, "the talks have failed")


def test_paragraphs_that_trade_places_take_their_spans_with_them():
    old, new = SWAP_A + "\n\n" + SWAP_B, SWAP_B + "\n\n" + SWAP_A
    spans = [span_of(old, "the talks had failed", span_id=1), span_of(old, "the deals were over.", span_id=2)]
    assert textlib.reanchor_all(old, new, spans) == {1: (89, 109, textlib.FOUND), 2: (25, 45, textlib.FOUND)}


def test_of_equal_candidates_elsewhere_the_nearest_wins():
    old = "la " * 20 + "said " + "la " * 30 + "said " + "la " * 12 + "said " + "la " * 20
    new = old[:155] + old[160:]  # the middle "said" deleted: the others are 95 before and 36 after
    assert place(old, new, "said", occurrence=1) == (191, 195, "said")


def deleted(text, quote, occurrence):
    """`text` without the n-th occurrence of `quote` and the space after it."""
    _, start, end, *_ = span_of(text, quote, occurrence)
    return text[:start] + text[end + 1 :]


def la(n):
    return "la " * n


def test_of_matches_elsewhere_an_exact_one_beats_a_nearer_approximate_one():
    old = la(20) + "saad " + la(12) + "said " + la(40) + "said " + la(20)
    assert place(old, deleted(old, "said", 0), "said") == (221, 225, "said")


def test_of_matches_elsewhere_one_that_kept_all_its_context_beats_a_nearer_one_that_kept_some():
    old = la(20) + "said " + "xo " * 5 + la(7) + "said " + la(40) + "said " + la(20)
    assert place(old, deleted(old, "said", 1), "said", occurrence=1) == (221, 225, "said")


def test_of_matches_elsewhere_one_that_also_kept_its_prefix_beats_a_nearer_one():
    old = "xo " * 11 + "said " + la(12) + "said " + la(40) + "said " + la(20)
    assert place(old, deleted(old, "said", 1), "said", occurrence=1) == (194, 198, "said")


def test_of_matches_elsewhere_one_that_also_kept_its_suffix_beats_a_nearer_one():
    old = la(20) + "said " + "xo " * 11 + la(11) + "said " + la(40) + "said " + la(20)
    assert place(old, deleted(old, "said", 1), "said", occurrence=1) == (251, 255, "said")


def test_of_matches_elsewhere_an_approximate_one_that_kept_its_context_beats_an_exact_one_that_did_not():
    old = "xo " * 11 + "said " + la(12) + "said " + la(40) + "saad " + la(20)
    assert place(old, deleted(old, "said", 1), "said", occurrence=1) == (194, 198, "saad")


def test_an_exact_match_beyond_the_window_that_kept_most_of_its_context_beats_an_approximate_one():
    old = la(20) + "saad " + la(12) + "said " + la(100) + "xo " + la(9) + "said " + la(20)
    assert place(old, deleted(old, "said", 0), "said") == (431, 435, "said")


def test_of_occurrences_with_the_same_context_the_one_next_to_the_old_place_wins():
    old = "He said no. Later, she said yes."
    new = "Meanwhile. " + old
    assert place(old, new, "said", occurrence=1) == (34, 38, "said")


def test_a_repeated_quote_whose_context_is_gone_is_not_guessed():
    old = "He said no. Later, she said yes."
    assert anchor(old, "They said so. Others said it too.", "said", occurrence=1) is None


def test_a_whole_text_replaced_orphans_every_span():
    old, new = TEXT, "An entirely different story about the weather in spring."
    spans = [span_of(old, quote, span_id=n) for n, quote in enumerate(["minister", "denied it", "Nobody"])]
    assert textlib.reanchor_all(old, new, spans) == {0: None, 1: None, 2: None}


def test_a_whole_text_replaced_keeps_a_sentence_found_with_its_context():
    old = "Intro. " + P1 + " Outro."
    new = "A new lead. " + P1 + " A new end."
    assert place(old, new, "the talks had failed") == (30, 50, "the talks had failed")


# --- re-anchoring: odd spans --------------------------------------------------------------------


def test_no_spans_need_no_diff(monkeypatch):
    monkeypatch.setattr(textlib, "unchanged_regions", lambda *args: pytest.fail("diffed for nothing"))
    assert textlib.reanchor_all(TEXT, "Breaking: " + TEXT, []) == {}


def test_a_quote_of_only_whitespace_is_orphaned_and_the_next_span_still_placed():
    spans = [(7, 1, 3, "  ", "a", "b"), (8, 5, 6, "c", "a  b ", "")]
    assert textlib.reanchor_all("a  b c", "a  b c!", spans) == {7: None, 8: (5, 6, textlib.MAPPED)}


def test_an_orphan_is_found_again_where_its_context_agrees():
    old = TEXT.replace("Nobody else commented.", "—")
    orphan = (5, 104, 126, "Nobody else commented.", "calling the report “baseless.”\n\n", "")
    assert textlib.reanchor_all(old, TEXT, [orphan]) == {5: (104, 126, textlib.FOUND)}


def test_an_orphan_whose_context_is_gone_stays_orphaned():
    old = TEXT.replace("Nobody else commented.", "—")
    orphan = (5, 104, 126, "Nobody else commented.", "calling the report “baseless.”\n\n", "")
    assert textlib.reanchor_all(old, "Nobody else commented. Then silence.", [orphan]) == {5: None}


def test_an_orphan_comes_back_only_with_its_very_words():
    old = TEXT.replace("Nobody else commented.", "—")
    orphan = (5, 104, 126, "Nobody else commented.", "calling the report “baseless.”\n\n", "")
    new = TEXT.replace("Nobody else commented.", "Nobody else commentd.")
    assert textlib.reanchor_all(old, new, [orphan]) == {5: None}


def test_an_orphan_beyond_the_end_of_the_new_text_is_looked_for_near_its_end():
    orphan = (5, 500, 505, "talks", "said the ", " had failed")
    assert textlib.reanchor_all(TEXT, TEXT + "!", [orphan]) == {5: (22, 27, textlib.FOUND)}


def test_a_span_in_a_text_of_emoji_moves_by_code_points():
    quote = "“we will respond” 🔥"
    new = "👨‍👩‍👧 " + EMOJI_TEXT
    assert anchor(EMOJI_TEXT, new, quote) == (
        EMOJI_TEXT.index(quote) + 6,
        EMOJI_TEXT.index(quote) + 25,
        "mapped",
    )


def test_an_edit_among_emoji_and_combining_marks_moves_later_spans_by_code_points():
    new = EMOJI_TEXT.replace("e\u0301lan", "e\u0301e\u0301lan 🇮🇷")
    start = EMOJI_TEXT.index("𝒳 rules")
    assert anchor(EMOJI_TEXT, new, "𝒳 rules") == (start + 5, start + 12, textlib.MAPPED)
    assert place(EMOJI_TEXT, new, "nai\u0308ve") == (start - 8 + 5, start - 2 + 5, "nai\u0308ve")


def test_an_emoji_quote_with_an_emoji_changed_is_found_approximately():
    quote = "Family 👨‍👩‍👧 met at the café"
    new = EMOJI_TEXT.replace("👨‍👩‍👧", "👨‍👩‍👦")
    assert place(EMOJI_TEXT, new, quote) == (0, 28, "Family 👨‍👩‍👦 met at the café")


def test_a_flag_changed_next_to_a_span_leaves_it_alone():
    new = EMOJI_TEXT.replace("🇮🇷", "🇫🇷")
    assert place(EMOJI_TEXT, new, "flags") == (40, 45, "flags")


# --- re-anchoring: properties -------------------------------------------------------------------


def span_in(data, text):
    """A span of `text` drawn by Hypothesis, trimmed as the reader stores spans."""
    solid = [i for i, char in enumerate(text) if not char.isspace()]
    start = data.draw(st.sampled_from(solid))
    end = data.draw(st.sampled_from([i + 1 for i in solid if i >= start]))
    return start, end


def texts(alphabet, max_size=60):
    return st.text(alphabet=alphabet, min_size=1, max_size=max_size).filter(str.strip)


def spans_in(data, text, count):
    spans = {}
    for n in range(count):
        start, end = span_in(data, text)
        spans[n] = (n, start, end, text[start:end], *textlib.context(text, start, end))
    return spans


@no_deadline
@given(st.data())
def test_a_no_op_edit_maps_every_span_to_itself(data):
    text = data.draw(texts("ab \n🙂é"))
    spans = spans_in(data, text, 3)
    found = textlib.reanchor_all(text, text, spans.values())
    assert found == {n: (start, end, textlib.MAPPED) for n, start, end, *_ in spans.values()}


@no_deadline
@given(st.data())
def test_an_edit_outside_every_span_moves_each_by_the_length_it_changed_before_it(data):
    # The edit replaces letters the rest of the text lacks, so there is one right diff.
    text = data.draw(texts("abcd \n🙂"))
    spans = spans_in(data, text, 3)
    inside = {i for _, start, end, *_ in spans.values() for i in range(start + 1, end)}
    at = data.draw(st.sampled_from([i for i in range(len(text) + 1) if i not in inside]))
    deleted, inserted = (data.draw(st.text(alphabet="xyz👍", max_size=10)) for _ in range(2))
    old, new = text[:at] + deleted + text[at:], text[:at] + inserted + text[at:]
    in_old = {n: (n, *_shifted(span, at, len(deleted))) for n, span in spans.items()}
    found = textlib.reanchor_all(old, new, in_old.values())
    for n, span in spans.items():
        assert found[n] == (*_shifted(span, at, len(inserted))[:2], textlib.MAPPED)


def _shifted(span, at, by):
    """The span's offsets and quote after `by` characters were put at `at`, outside it."""
    _, start, end, exact, prefix, suffix = span
    shift = by if start >= at else 0
    return start + shift, end + shift, exact, prefix, suffix


@no_deadline
@given(st.data())
def test_a_deletion_outside_every_span_leaves_each_its_words_or_orphans_it(data):
    text = data.draw(texts("ab \n"))
    spans = spans_in(data, text, 3)
    # Nor the characters on either side: a deletion that joins a span's first or last word to
    # the next ("a|       aa a" → "aaa a") leaves its quote starting inside a word, and a
    # highlight is widened to whole words ("aaa a"), as its quote did not start inside one.
    inside = {i for _, start, end, *_ in spans.values() for i in range(start - 1, end + 1)}
    edit_start = data.draw(st.integers(0, len(text)))
    edit_end = data.draw(st.integers(edit_start, len(text)))
    edit_end = next((i for i in range(edit_start, edit_end) if i in inside), edit_end)
    new = text[:edit_start] + text[edit_end:]
    for n, found in textlib.reanchor_all(text, new, spans.values()).items():
        assert found is None or new[found.start : found.end] == spans[n][3]


@no_deadline
@given(texts("ab \n🙂", 50), st.text(alphabet="ab \n🙂", max_size=50), st.data())
def test_a_span_found_holds_its_quote_within_the_allowed_errors_and_no_outer_whitespace(old, new, data):
    spans = spans_in(data, old, 2)
    for n, found in textlib.reanchor_all(old, new, spans.values()).items():
        if found is None:
            continue
        words, quote = new[found.start : found.end], spans[n][3]
        assert 0 <= found.start < found.end <= len(new)
        assert words == words.strip()
        assert levenshtein(words, quote) <= int(len(quote) * textlib.MAX_FUZZY_ERRORS)
        assert (found.how == textlib.APPROXIMATE) == (words != quote)


# --- in the database ----------------------------------------------------------------------------

in_db = pytest.mark.django_db


def span_at(document, quote, occurrence=0):
    _, start, end, *_ = span_of(document.text, quote, occurrence)
    return SpanFactory(document=document, start=start, end=end)


def fields(span):
    span.refresh_from_db()
    return (span.start, span.end, span.exact, span.prefix, span.suffix, span.orphaned)


@in_db
def test_inserting_text_before_a_span_moves_it_in_the_database():
    document = DocumentFactory(text=TEXT)
    span = span_at(document, "Officials")
    annotating.document_text_update(document=document, text="Breaking. " + TEXT)
    assert fields(span)[:3] + fields(span)[5:] == (51, 60, "Officials", False)


@in_db
def test_a_span_found_approximately_takes_the_new_words_and_context():
    document = DocumentFactory(text=TEXT)
    span = span_at(document, "the talks had failed")
    new = TEXT.replace("the talks had failed", "the talks have failed")
    result = annotating.document_text_update(document=document, text=new)
    assert fields(span) == (18, 39, "the talks have failed", *textlib.context(new, 18, 39), False)
    assert result == annotating.Reanchored(found_again=1)


@in_db
def test_a_span_whose_neighbour_changed_keeps_its_place_and_takes_the_new_context():
    document = DocumentFactory(text=TEXT)
    span = span_at(document, "Officials")
    new = TEXT.replace("the talks had failed", "the talks have failed")
    result = annotating.document_text_update(document=document, text=new)
    assert fields(span) == (42, 51, "Officials", *textlib.context(new, 42, 51), False)
    assert result == annotating.Reanchored(moved=1)


@in_db
def test_a_span_whose_quote_was_deleted_is_orphaned_and_kept_as_it_was():
    document = DocumentFactory(text=TEXT)
    span = span_at(document, "Nobody else commented.")
    before = fields(span)
    annotation = AnnotationFactory(span=span)
    annotating.document_text_update(
        document=document, text=TEXT.replace("Nobody else commented.", "The end.")
    )
    assert fields(span) == (*before[:5], True)
    assert span.annotations.get() == annotation


@in_db
def test_the_second_rouhani_whose_sentence_is_deleted_stays_orphaned_where_it_was():
    document = DocumentFactory(text=ROUHANI)
    first, second = span_at(document, "Rouhani"), span_at(document, "Rouhani", 1)
    new = ROUHANI.replace(" Later Rouhani added that Iran would respond in kind.", "")
    result = annotating.document_text_update(document=document, text=new)
    assert fields(first)[:3] + fields(first)[5:] == (0, 7, "Rouhani", False)
    assert fields(second)[:3] + fields(second)[5:] == (105, 112, "Rouhani", True)
    assert result == annotating.Reanchored(orphaned=1, unchanged=1)


@in_db
def test_the_update_counts_moved_found_again_orphaned_and_unchanged_spans():
    document = DocumentFactory(text=TEXT)
    span_at(document, "The minister")  # stays
    span_at(document, "Officials denied")  # moves
    span_at(document, "calling the report")  # its words change
    span_at(document, "Nobody else commented.")  # deleted
    new = (
        TEXT.replace("said the talks", "said that the talks")
        .replace("calling the report", "calling that report")
        .replace("Nobody else commented.", "")
    )
    result = annotating.document_text_update(document=document, text=new)
    assert result == annotating.Reanchored(moved=1, found_again=1, orphaned=1, unchanged=1)


@in_db
def test_an_orphaned_span_found_again_is_no_longer_orphaned():
    document = DocumentFactory(text=TEXT)
    span = span_at(document, "Nobody else commented.")
    annotating.document_text_update(document=document, text=TEXT.replace("Nobody else commented.", "—"))
    result = annotating.document_text_update(document=document, text=TEXT)
    assert fields(span) == (104, 126, "Nobody else commented.", *textlib.context(TEXT, 104, 126), False)
    assert result == annotating.Reanchored(moved=1)


@in_db
def test_an_orphan_not_found_again_keeps_its_old_offsets_and_is_not_rewritten():
    document = DocumentFactory(text=TEXT)
    span = span_at(document, "Nobody else commented.")
    annotating.document_text_update(document=document, text=TEXT.replace("Nobody else commented.", "—"))
    with CaptureQueriesContext(connection) as queries:
        result = annotating.document_text_update(document=document, text="Breaking. " + document.text)
    assert fields(span)[:2] + fields(span)[5:] == (104, 126, True)
    assert result == annotating.Reanchored(orphaned=1)
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "reader_span" in q["sql"]]


@in_db
def test_spans_that_trade_places_are_both_moved():
    document = DocumentFactory(text=SWAP_A + "\n\n" + SWAP_B)
    first, second = span_at(document, "the talks had failed"), span_at(document, "the deals were over.")
    result = annotating.document_text_update(document=document, text=SWAP_B + "\n\n" + SWAP_A)
    assert fields(first)[:3] + fields(second)[:3] == (
        89,
        109,
        "the talks had failed",
        25,
        45,
        "the deals were over.",
    )
    assert result == annotating.Reanchored(moved=2)


@in_db
def test_two_spans_found_at_one_place_leave_one_of_them_orphaned():
    sentence = "He said the talks had failed. "
    document = DocumentFactory(text="Intro. " + sentence + sentence + "Outro.")
    kept, other = span_at(document, "the talks had failed"), span_at(document, "the talks had failed", 1)
    new = "Intro. " + sentence + "Outro."
    spans = [(span.pk, span.start, span.end, span.exact, span.prefix, span.suffix) for span in (kept, other)]
    assert textlib.reanchor_all(document.text, new, spans) == {
        kept.pk: (15, 35, textlib.MAPPED),
        other.pk: (15, 35, textlib.FOUND),
    }
    result = annotating.document_text_update(document=document, text=new)
    assert (fields(kept)[:2], fields(kept)[5], fields(other)[:2], fields(other)[5]) == (
        (15, 35),
        False,
        (45, 65),
        True,
    )
    assert result == annotating.Reanchored(orphaned=1, unchanged=1)
    assert Span.objects.count() == 2


def stored_spans(document, offsets):
    """Spans at each (start, end) of `offsets`, bulk created with their quote and context."""
    spans = []
    for start, end in offsets:
        prefix, suffix = textlib.context(document.text, start, end)
        spans.append(
            Span(
                document=document,
                start=start,
                end=end,
                exact=document.text[start:end],
                prefix=prefix,
                suffix=suffix,
            )
        )
    Span.objects.bulk_create(spans)


@in_db
def test_many_spans_shifted_by_an_insertion_all_move_and_keep_their_words():
    text = " ".join(f"w{n:04d}" for n in range(1200))
    document = DocumentFactory(text=text)
    stored_spans(document, [(6 * n, 6 * n + 5) for n in range(1200)])
    new = "Breaking: " + text
    with CaptureQueriesContext(connection) as queries:
        result = annotating.document_text_update(document=document, text=new)
    stored = Span.objects.filter(document=document).values_list("start", "end", "exact", "prefix", "suffix")
    assert sorted(stored) == [
        (10 + 6 * n, 15 + 6 * n, f"w{n:04d}", *textlib.context(new, 10 + 6 * n, 15 + 6 * n))
        for n in range(1200)
    ]
    assert result == annotating.Reanchored(moved=1200)
    # Parked and shifted in batches of 500; the few spans whose prefix now holds "Breaking: " rewritten.
    span_writes = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "reader_span"')]
    assert len(span_writes) == 3 + 3 + 1


@in_db
def test_spans_shifted_onto_each_others_places_all_arrive():
    text = "".join(f"{chr(97 + n % 26) * 4}." for n in range(600))  # "aaaa.bbbb.cccc.…", no spaces
    document = DocumentFactory(text=text)
    stored_spans(document, [(5 * n, 5 * n + 5) for n in range(600)])
    annotating.document_text_update(document=document, text="zzzz." + text)  # each onto the next's place
    stored = sorted(Span.objects.values_list("start", "end", "exact", "orphaned"))
    assert stored == [(5 * n + 5, 5 * n + 10, text[5 * n : 5 * n + 5], False) for n in range(600)]


@in_db
def test_an_unchanged_text_writes_no_span_and_saves_the_other_fields():
    document = DocumentFactory(text=TEXT)
    span_at(document, "Officials")
    SpanFactory(document=document, start=3, end=9, exact="gone", orphaned=True)
    document.title = "A new title"
    with CaptureQueriesContext(connection) as queries:
        result = annotating.document_text_update(document=document, text=TEXT.replace("\n", "\r\n"))
    assert result == annotating.Reanchored(orphaned=1, unchanged=1)
    writes = [q["sql"] for q in queries if not q["sql"].startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
    assert len(queries) == 5  # savepoint, the old text, the document, the spans' flags, release
    assert len(writes) == 1
    assert writes[0].startswith('UPDATE "reader_document"')
    document.refresh_from_db()
    assert document.title == "A new title"


@in_db
def test_an_edit_writes_only_the_spans_it_changed():
    document = DocumentFactory(text=TEXT)
    spans = [span_at(document, quote) for quote in ("The minister", "Officials", "Nobody else")]
    new = TEXT.replace("Nobody else", "Nobody else at all")
    with CaptureQueriesContext(connection) as queries:
        annotating.document_text_update(document=document, text=new)
    span_writes = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "reader_span"')]
    assert len(span_writes) == 1
    assert span_writes[0].endswith(f'WHERE "reader_span"."id" IN ({spans[2].pk})')


@in_db
def test_a_text_update_normalises_newlines_and_updates_the_digest():
    document = DocumentFactory(text=TEXT)
    annotating.document_text_update(document=document, text=TEXT.replace("\n", "\r\n"))
    document.refresh_from_db()
    assert document.text == TEXT
    assert document.text_sha256 == textlib.sha256(TEXT)


@in_db
def test_a_crlf_text_with_an_edit_moves_spans_by_code_points_of_the_normalised_text():
    document = DocumentFactory(text=TEXT)
    span = span_at(document, "Nobody else commented.")
    annotating.document_text_update(document=document, text=("Lead.\n\n" + TEXT).replace("\n", "\r\n"))
    assert fields(span)[:3] == (111, 133, "Nobody else commented.")


@in_db
def test_an_edit_of_the_whole_text_orphans_its_spans_and_deletes_nothing():
    document = DocumentFactory(text=TEXT)
    spans = [span_at(document, quote) for quote in ("The minister", "Officials", "Nobody else")]
    result = annotating.document_text_update(document=document, text="Entirely new words about spring.")
    assert [fields(span)[5] for span in spans] == [True, True, True]
    assert result == annotating.Reanchored(orphaned=3)
    assert Span.objects.count() == 3


@in_db
def test_an_empty_text_is_refused_and_nothing_changes():
    document = DocumentFactory(text=TEXT)
    with pytest.raises(annotating.AnnotatingError):
        annotating.document_text_update(document=document, text="  \n ")
    document.refresh_from_db()
    assert document.text == TEXT


@in_db
def test_an_orphaned_span_is_not_highlighted_in_the_reader(user_client):
    document = DocumentFactory(text=TEXT)
    span = span_at(document, "Nobody else commented.")
    AnnotationFactory(span=span)
    highlighted = f'data-spans="{span.pk}"'
    assert highlighted in user_client.get(document.get_absolute_url()).content.decode()
    annotating.document_text_update(document=document, text=TEXT.replace("Nobody else commented.", "Fin."))
    assert highlighted not in user_client.get(document.get_absolute_url()).content.decode()


# --- collisions and the summary -----------------------------------------------------------------


def test_an_orphan_keeps_its_old_place_against_a_span_found_there():
    old, new = {1: (0, 5), 2: (10, 15)}, {1: None, 2: (0, 5)}
    annotating._give_way(old, new, carried={2})
    assert new == {1: None, 2: None}


def test_a_span_the_diff_carried_wins_over_one_found_at_the_same_place():
    old, new = {1: (0, 5), 2: (10, 15)}, {1: (20, 25), 2: (20, 25)}
    annotating._give_way(old, new, carried={2})
    assert new == {1: None, 2: (20, 25)}


def test_a_span_staying_where_it_was_wins_over_one_found_there():
    old, new = {1: (0, 5), 2: (10, 15)}, {1: (10, 15), 2: (10, 15)}
    annotating._give_way(old, new)
    assert new == {1: None, 2: (10, 15)}


def test_of_two_spans_found_at_a_new_place_the_oldest_wins():
    old, new = {2: (0, 5), 1: (10, 15)}, {2: (20, 25), 1: (20, 25)}
    annotating._give_way(old, new)
    assert new == {2: None, 1: (20, 25)}


def test_a_span_that_gave_way_may_push_another_off_its_old_place():
    old, new = {1: (0, 5), 2: (10, 15), 3: (30, 35)}, {1: (20, 25), 2: (20, 25), 3: (0, 5)}
    annotating._give_way(old, new, carried={2})
    assert new == {1: None, 2: (20, 25), 3: None}


def test_the_summary_names_every_count():
    summary = annotating.Reanchored(moved=1, found_again=2, orphaned=3, unchanged=4)
    assert str(summary) == "1 span moved, 2 found again with changed words, 3 orphaned, 4 unchanged."


def test_the_summary_leaves_out_spans_found_again_when_there_are_none():
    assert str(annotating.Reanchored(moved=2)) == "2 spans moved, 0 orphaned, 0 unchanged."


# --- locate: a quote made elsewhere, on a text that may differ a little --------------------------


def test_locate_finds_the_exact_occurrence_whose_context_agrees():
    text = "He said no. Later, she said yes. Then he said maybe."
    second = text.index("said", 10)
    assert textlib.locate(text, exact="said", prefix="Later, she ", suffix=" yes.", start=0) == (
        second,
        second + 4,
    )


def test_locate_prefers_the_occurrence_nearest_its_old_place_when_contexts_tie():
    text = "said said said"
    assert textlib.locate(text, exact="said", start=10) == (10, 14)
    assert textlib.locate(text, exact="said", start=0) == (0, 4)


def test_locate_finds_a_quote_changed_slightly_near_where_it_was():
    text = "The minister said the talks had failled on Friday."
    found = textlib.locate(
        text, exact="the talks had failed", prefix="The minister said ", suffix=" on Friday.", start=18
    )
    assert found == (18, 39)


def test_locate_refuses_words_whose_context_is_elsewhere_and_an_empty_quote():
    text = "Rouhani spoke. Nothing else."
    assert (
        textlib.locate(text, exact="Rouhani", prefix="President Hassan ", suffix=" warned the US", start=0)
        is None
    )
    assert textlib.locate(text, exact="  ") is None
