"""The text is rendered and cached a paragraph at a time: what the page shows is the whole text's
rendering, and a change renders again only the paragraphs it touches."""

import hashlib

import pytest
from django.core.cache import cache
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import highlights
from reader import text as textlib
from reader.models import Document, Label

LABELS = {
    1: Label(pk=1, name="Quote", kind="quote", position=1, shortcut="q"),
    2: Label(pk=2, name="Claim", kind="claim", position=2, shortcut="c"),
}


def document(text, pk=1):
    return Document(pk=pk, text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(), headings=[])


def whole_text_rendering(doc, looks):
    """The page as it was rendered before paragraphs were cached: one sweep over the whole text."""
    spans = [(span_id, look.start, look.end) for span_id, look in looks.items()]
    return mark_safe(
        "".join(
            highlights._paragraph(doc, doc.text, block, looks, set())
            if block.is_paragraph
            else highlights._gap(doc.text, block.start, block.end)
            for block in textlib.layout(doc.text, spans)
        )
    )


def looks_of(spans, linked=()):
    rows = [(span_id, start, end, 1 + span_id % 2) for span_id, start, end in spans]
    linked = [(span_id, start, end) for span_id, start, end in spans if span_id in linked]
    return highlights.span_looks(rows, LABELS, linked)


@st.composite
def texts_with_spans(draw):
    sentences = draw(
        st.lists(
            st.sampled_from(["He said no.", "She said 🇮🇷 yes!", "“Quite so,” said Dr. Ali."]), min_size=1
        )
    )
    breaks = draw(
        st.lists(st.sampled_from([" ", "\n\n", "\n \n\n"]), min_size=len(sentences), max_size=len(sentences))
    )
    text = "".join(sentence + gap for sentence, gap in zip(sentences, breaks, strict=True)).strip()
    bounds = st.integers(0, len(text))
    spans = []
    for span_id, (a, b) in enumerate(draw(st.lists(st.tuples(bounds, bounds), max_size=12)), start=1):
        if a != b:
            spans.append((span_id, min(a, b), max(a, b)))
    linked = draw(st.sets(st.sampled_from([s[0] for s in spans]))) if spans else set()
    return text, spans, linked


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@settings(max_examples=150, deadline=None)
@given(texts_with_spans())
def test_the_text_rendered_by_paragraphs_is_the_whole_texts_rendering(case):
    text, spans, linked = case
    doc, looks = document(text), looks_of(spans, linked)
    assert str(highlights.render_text(doc, looks)) == str(whole_text_rendering(doc, looks))


@settings(max_examples=50, deadline=None)
@given(texts_with_spans())
def test_the_cached_paragraphs_give_the_same_page_again(case):
    text, spans, linked = case
    doc, looks = document(text), looks_of(spans, linked)
    first = str(highlights.render_text(doc, looks))
    assert str(highlights.render_text(doc, looks_of(spans, linked))) == first


TEXT = "One said this. Two said that.\n\nThree said more.\n\nFour said less. Five said none."


def rendered_paragraphs(monkeypatch):
    made = []
    render = highlights._paragraph_alone

    def counting(doc, block, *args):
        made.append(block.index)
        return render(doc, block, *args)

    monkeypatch.setattr(highlights, "_paragraph_alone", counting)
    return made


def test_a_new_highlight_renders_again_only_the_paragraph_it_is_in(monkeypatch):
    doc = document(TEXT)
    spans = [(1, 0, 3), (2, 31, 36), (3, 49, 53)]
    highlights.render_text(doc, looks_of(spans))
    made = rendered_paragraphs(monkeypatch)
    page = highlights.render_text(doc, looks_of([*spans, (4, 37, 41)]))
    assert made == [1]
    assert 'data-spans="4"' in page


def test_a_highlight_across_two_paragraphs_renders_both_again(monkeypatch):
    doc = document(TEXT)
    highlights.render_text(doc, looks_of([(1, 0, 3)]))
    made = rendered_paragraphs(monkeypatch)
    highlights.render_text(doc, looks_of([(1, 0, 3), (2, 40, 60)]))
    assert made == [1, 2]


def test_a_link_made_renders_again_the_paragraph_of_its_span(monkeypatch):
    doc = document(TEXT)
    spans = [(1, 0, 3), (2, 31, 36)]
    highlights.render_text(doc, looks_of(spans))
    made = rendered_paragraphs(monkeypatch)
    page = highlights.render_text(doc, looks_of(spans, linked={2}))
    assert made == [1]
    assert "linked" in page


def test_the_same_paragraph_in_another_document_is_not_taken_from_the_cache(monkeypatch):
    highlights.render_text(document(TEXT, pk=1), looks_of([(1, 0, 3)]))
    made = rendered_paragraphs(monkeypatch)
    page = highlights.render_text(document(TEXT, pk=2), looks_of([(1, 0, 3)]))
    assert made == [0, 1, 2]
    assert 'id="p-2-0"' in page


def test_an_edited_text_renders_every_paragraph_again(monkeypatch):
    highlights.render_text(document(TEXT), {})
    made = rendered_paragraphs(monkeypatch)
    highlights.render_text(document(TEXT.replace("Four", "Fore")), {})
    assert made == [0, 1, 2]
