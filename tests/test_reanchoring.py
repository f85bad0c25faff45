"""Re-anchoring spans after a document's text is edited: the pure search, then the database."""

import pytest
from hypothesis import assume, given
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


def anchor_of(text, quote, occurrence=0):
    """What a span over the n-th occurrence of `quote` stores: its quote, context and start."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    prefix, suffix = textlib.context(text, start, start + len(quote))
    return {"exact": quote, "prefix": prefix, "suffix": suffix, "start": start}


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


# --- the search ---------------------------------------------------------------------------------


@given(st.text(alphabet="ab🙂 ", max_size=40), st.text(alphabet="ab🙂 ", min_size=1, max_size=80))
def test_the_bit_parallel_search_agrees_with_the_textbook_one(text, pattern):
    assert textlib._match_scores(text, pattern) == naive_distances(text, pattern)


@given(st.text(alphabet="abc ", max_size=40), st.text(alphabet="abc", min_size=1, max_size=20))
def test_each_approximate_match_is_as_far_from_the_pattern_as_it_says(text, pattern):
    for start, end, errors in textlib.approximate_matches(text, pattern, len(pattern) // 2):
        assert naive_distances(text[start:end], pattern)[-1] == errors


def test_an_unchanged_text_keeps_every_span_where_it_was():
    assert textlib.reanchor(TEXT, **anchor_of(TEXT, "the talks had failed")) == (18, 38)


def test_text_inserted_before_a_span_moves_it_by_as_much():
    new = "Breaking: " + TEXT
    assert textlib.reanchor(new, **anchor_of(TEXT, "Officials denied it")) == (51, 70)


def test_a_quote_edited_slightly_is_found_approximately():
    new = TEXT.replace("the talks had failed", "the talks have failed")
    start, end = textlib.reanchor(new, **anchor_of(TEXT, "the talks had failed"))
    assert new[start:end] == "the talks have failed"


def test_a_deleted_quote_is_not_found():
    new = TEXT.replace("Officials denied it on Friday, calling the report “baseless.”\n\n", "")
    assert textlib.reanchor(new, **anchor_of(TEXT, "Officials denied it on Friday")) is None


def test_a_quote_rewritten_beyond_a_quarter_is_not_found():
    new = TEXT.replace("the talks had failed", "negotiations collapsed")
    assert textlib.reanchor(new, **anchor_of(TEXT, "the talks had failed")) is None


def test_of_two_occurrences_the_one_with_the_same_context_wins():
    text = "He said no. Later, she said yes."
    moved = "Meanwhile. " + text
    start, _ = textlib.reanchor(moved, **anchor_of(text, "said", occurrence=1))
    assert moved[start - 4 : start] == "she "


def test_a_repeated_quote_whose_context_is_gone_is_not_guessed():
    text = "He said no. Later, she said yes."
    new = "They said so. Others said it too."
    assert textlib.reanchor(new, **anchor_of(text, "said", occurrence=1)) is None


@given(st.text(alphabet="ab \n", min_size=1, max_size=40), st.text(alphabet="ab \n", min_size=1, max_size=12))
def test_a_span_found_is_never_empty_nor_padded_with_whitespace(text, quote):
    found = textlib.reanchor(text, exact=quote, start=0)
    if found is not None:
        start, end = found
        assert start < end
        assert text[start:end] == text[start:end].strip()


def test_a_span_in_a_text_of_emoji_moves_by_code_points():
    quote = "“we will respond” 🔥"
    new = "👨‍👩‍👧 " + EMOJI_TEXT
    start, end = textlib.reanchor(new, **anchor_of(EMOJI_TEXT, quote))
    assert new[start:end] == quote
    assert start == EMOJI_TEXT.index(quote) + len("👨‍👩‍👧 ")


def test_an_emoji_quote_with_an_emoji_changed_is_found_approximately():
    quote = "Family 👨‍👩‍👧 met at the café"
    new = EMOJI_TEXT.replace("👨‍👩‍👧", "👨‍👩‍👦")
    start, end = textlib.reanchor(new, **anchor_of(EMOJI_TEXT, quote))
    assert new[start:end] == "Family 👨‍👩‍👦 met at the café"


def span_in(data, text):
    """A span of `text` drawn by Hypothesis, trimmed as the reader stores spans."""
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assume(text[start:end].strip() == text[start:end])
    return start, end


@given(st.data())
def test_in_an_unchanged_text_every_span_is_found_where_it_was(data):
    text = data.draw(st.text(alphabet="ab \n🙂", min_size=1, max_size=60))
    start, end = span_in(data, text)
    prefix, suffix = textlib.context(text, start, end)
    found = textlib.reanchor(text, exact=text[start:end], prefix=prefix, suffix=suffix, start=start)
    assert found == (start, end)


@given(st.data())
def test_text_inserted_outside_a_unique_quote_moves_it_by_as_much(data):
    text = data.draw(st.text(alphabet="abcd \n", min_size=1, max_size=60))
    start, end = span_in(data, text)
    assume(text.count(text[start:end]) == 1)
    inserted = data.draw(st.text(alphabet="xyz", min_size=1, max_size=10))  # letters the text lacks
    at = data.draw(st.sampled_from([i for i in range(len(text) + 1) if i <= start or i >= end]))
    new = text[:at] + inserted + text[at:]
    prefix, suffix = textlib.context(text, start, end)
    shift = len(inserted) if at <= start else 0
    found = textlib.reanchor(new, exact=text[start:end], prefix=prefix, suffix=suffix, start=start)
    assert found == (start + shift, end + shift)


# --- in the database ----------------------------------------------------------------------------

in_db = pytest.mark.django_db


@in_db
def test_inserting_text_before_a_span_moves_it_in_the_database():
    document = DocumentFactory(text=TEXT)
    span = SpanFactory(document=document, start=41, end=50)
    annotating.document_text_update(document=document, text="Breaking. " + TEXT)
    span.refresh_from_db()
    assert (span.start, span.end, span.exact, span.orphaned) == (51, 60, "Officials", False)


@in_db
def test_a_span_found_approximately_takes_the_new_words_and_context():
    document = DocumentFactory(text=TEXT)
    span = SpanFactory(document=document, start=18, end=38)
    new = TEXT.replace("the talks had failed", "the talks have failed")
    annotating.document_text_update(document=document, text=new)
    span.refresh_from_db()
    assert span.exact == "the talks have failed"
    assert (span.prefix, span.suffix) == textlib.context(new, span.start, span.end)


@in_db
def test_a_span_whose_quote_was_deleted_is_orphaned_and_kept_as_it_was():
    document = DocumentFactory(text=TEXT)
    span = SpanFactory(document=document, start=104, end=126)
    annotation = AnnotationFactory(span=span)
    annotating.document_text_update(
        document=document, text=TEXT.replace("Nobody else commented.", "The end.")
    )
    span.refresh_from_db()
    assert span.orphaned
    assert (span.start, span.end, span.exact) == (104, 126, "Nobody else commented.")
    assert span.annotations.get() == annotation


@in_db
def test_the_update_counts_moved_orphaned_and_unchanged_spans():
    document = DocumentFactory(text=TEXT)
    SpanFactory(document=document, start=0, end=12)  # "The minister": stays
    SpanFactory(document=document, start=41, end=50)  # "Officials": moves
    SpanFactory(document=document, start=104, end=126)  # deleted
    new = TEXT.replace("Officials", "Government officials").replace("Nobody else commented.", "")
    result = annotating.document_text_update(document=document, text=new)
    assert (result.moved, result.orphaned, result.unchanged) == (1, 1, 1)


@in_db
def test_an_orphaned_span_found_again_is_no_longer_orphaned():
    document = DocumentFactory(text=TEXT)
    span = SpanFactory(document=document, start=104, end=126)
    annotating.document_text_update(document=document, text=TEXT.replace("Nobody else commented.", "—"))
    annotating.document_text_update(document=document, text=TEXT)
    span.refresh_from_db()
    assert (span.start, span.end, span.orphaned) == (104, 126, False)


@in_db
def test_spans_that_trade_places_are_both_moved():
    document = DocumentFactory(text="alpha beta. gamma delta.")
    first = SpanFactory(document=document, start=0, end=11)  # "alpha beta."
    second = SpanFactory(document=document, start=12, end=24)  # "gamma delta."
    annotating.document_text_update(document=document, text="gamma delta. alpha beta.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.start, first.end, second.start, second.end) == (13, 24, 0, 12)


@in_db
def test_two_spans_found_at_one_place_leave_one_of_them_orphaned():
    document = DocumentFactory(text="The talks failed. The talks failed!")
    kept = SpanFactory(document=document, start=0, end=16)
    other = SpanFactory(document=document, start=18, end=34)
    annotating.document_text_update(document=document, text="The talks failed.")
    kept.refresh_from_db()
    other.refresh_from_db()
    assert (kept.start, kept.orphaned, other.orphaned) == (0, False, True)
    assert Span.objects.count() == 2


@in_db
def test_a_text_update_normalises_newlines_and_updates_the_digest():
    document = DocumentFactory(text=TEXT)
    annotating.document_text_update(document=document, text=TEXT.replace("\n", "\r\n"))
    document.refresh_from_db()
    assert document.text == TEXT
    assert document.text_sha256 == textlib.sha256(TEXT)


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
    span = SpanFactory(document=document, start=104, end=126)
    AnnotationFactory(span=span)
    highlighted = f'data-spans="{span.pk}"'
    assert highlighted in user_client.get(document.get_absolute_url()).content.decode()
    annotating.document_text_update(document=document, text=TEXT.replace("Nobody else commented.", "Fin."))
    assert highlighted not in user_client.get(document.get_absolute_url()).content.decode()
