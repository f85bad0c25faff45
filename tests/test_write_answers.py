"""A write's answer (the panel and the sentences it touched) takes a long article's text from the
process's texts by its digest (annotating.committed_text), not from the database; and the
sentences it shows belong, with the spans over them, to one text, even when the text is edited
while the answer is made. Links read with their ends (the panel's, the agreement page's) leave
the articles' texts out.

Bad inputs tried: a text edited between a write and its answer, before the answer reads the
documents and between that read and the spans' (the page is told to load again); a document read
before its text was edited and no longer held."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader import annotating, highlights
from reader import text as textlib
from reader.models import Attribution, Document, Link, Span
from tests.factories import AnnotationFactory, ComparisonFactory, DocumentFactory, builtin_label, span_over

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LEFT = (
    "The minister said the talks had failed.\n\n"
    "Officials denied it on Friday, calling the report “baseless.”\n\n"
    "Nobody else commented."
)
RIGHT = "The talks failed, the minister said.\n\nNo one denied it."
EARLIER = "Talks resumed at dawn. "  # put before the text: every span moves by its length


@pytest.fixture
def pair(user):
    """Two articles whose texts this process holds, a highlight on each, and an attribution."""
    comparison = ComparisonFactory(left__text=LEFT, right__text=RIGHT)
    for document in comparison.documents:
        annotating.committed_text(document.pk, document.text_sha256)
    left = AnnotationFactory(span=span_over(comparison.left, "the talks had failed"), author=user)
    right = AnnotationFactory(span=span_over(comparison.right, "No one denied it"), author=user)
    quote = AnnotationFactory(span=span_over(comparison.left, "“baseless.”"), author=user)
    attribution = Attribution.objects.create(
        document=comparison.left, content=quote.span, kind="direct", author=user
    )
    return comparison, left, right, attribution


def reads_of_the_text(queries):
    return [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"reader_document"."text"' in q["sql"]
    ]


def text_read_by(client, method, url, data):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data, headers=HTMX)
    assert response.status_code == 200, response.content[:300]
    return reads_of_the_text(queries)


def test_a_label_edit_answers_without_reading_the_text(user_client, pair):
    comparison, left, _, _ = pair
    url = reverse("annotation_detail", args=[left.pk])
    data = {"label": builtin_label("Claim").pk, "version": 1, "comparison": comparison.slug}
    assert text_read_by(user_client, "post", url, data) == []


def test_a_link_between_two_highlights_answers_without_reading_either_text(user_client, pair):
    comparison, left, right, _ = pair
    data = {"source": left.span_id, "target": right.span_id, "relation": "counterpart"}
    assert (
        text_read_by(user_client, "post", reverse("link_create"), {**data, "comparison": comparison.slug})
        == []
    )
    assert Link.objects.count() == 1


def test_an_attribution_made_from_a_highlight_answers_without_reading_the_text(user_client, pair):
    comparison, left, _, _ = pair
    cue = LEFT.index("said")
    data = {"document": comparison.left.pk, "content": left.span_id, "comparison": comparison.slug}
    data |= {"cue_start": cue, "cue_end": cue + 4, "cue_exact": "said"}
    assert text_read_by(user_client, "post", reverse("attribution_create"), data) == []
    assert Attribution.objects.filter(content=left.span_id).exists()


def test_an_attribution_edit_answers_without_reading_the_text(user_client, pair):
    comparison, _, _, attribution = pair
    url = reverse("attribution_detail", args=[attribution.pk])
    data = {"kind": "indirect", "version": 1, "comparison": comparison.slug}
    assert text_read_by(user_client, "post", url, data) == []
    assert Attribution.objects.get(pk=attribution.pk).kind == "indirect"


def test_an_annotation_deleted_answers_without_reading_the_text(user_client, pair):
    comparison, left, _, _ = pair
    url = reverse("annotation_delete", args=[left.pk])
    assert text_read_by(user_client, "post", url, {"version": 1, "comparison": comparison.slug}) == []


def test_the_panel_offers_counterparts_without_reading_either_text(user_client, pair):
    comparison, left, _, _ = pair
    data = {"span": left.span_id, "comparison": comparison.slug}
    assert text_read_by(user_client, "get", reverse("span_panel"), data) == []


def test_the_panel_of_a_proposal_finds_its_paragraph_without_reading_the_text(user_client, pair):
    comparison, _, _, attribution = pair
    Attribution.objects.filter(pk=attribution.pk).update(origin="extractor/1", proposal="proposed")
    data = {"span": attribution.content_id, "comparison": comparison.slug}
    with CaptureQueriesContext(connection) as queries:
        html = user_client.get(reverse("span_panel"), data, headers=HTMX).content.decode()
    start, end = textlib.paragraphs(LEFT)[1]
    assert f'name="within_start" value="{start}"><input type="hidden" name="within_end" value="{end}"' in html
    assert reads_of_the_text(queries) == []


# --- The sentences shown belong, with their spans, to one text ---------------------------------


class _Sentences(HTMLParser):
    """The sentences an answer swaps in: by (document id, index), their pieces as
    (words, ids of the spans marked over them, or None)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.unit, self.marked = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        unit = re.fullmatch(r"u-(\d+)-(\d+)", attrs.get("id") or "")
        if tag == "span" and unit:
            self.unit = (int(unit[1]), int(unit[2]))
            self.found[self.unit] = []
        elif tag == "mark" and self.unit:
            self.marked = [int(pk) for pk in attrs["data-spans"].split()]

    def handle_endtag(self, tag):
        if tag == "mark":
            self.marked = None
        elif tag == "span":
            self.unit = None

    def handle_data(self, data):
        if self.unit:
            self.found[self.unit].append((data, self.marked))


def sentences(html):
    parser = _Sentences()
    parser.feed(html)
    return parser.found


def misplaced(html):
    """What the answer's sentences show that is not in the database now: a sentence whose words
    are not the stored text's, or a highlight over characters outside the span it names."""
    wrong = []
    for (document_id, index), pieces in sentences(html).items():
        text = Document.objects.get(pk=document_id).text
        start, end = next(
            (unit.start, unit.end)
            for block in textlib.layout(text, [])
            if block.is_paragraph
            for unit in block.units
            if unit.index == index
        )
        if "".join(words for words, _ in pieces) != text[start:end]:
            wrong.append(("sentence", index, "".join(words for words, _ in pieces)))
            continue
        at = start
        for words, marked in pieces:
            for span in Span.objects.filter(pk__in=marked or []):
                if not span.start <= at < at + len(words) <= span.end:
                    wrong.append(("highlight", span.exact, words))
            at += len(words)
    return wrong


def edit_text(document_id):
    document = Document.objects.get(pk=document_id)
    annotating.document_text_update(document=document, text=EARLIER + document.text)


def test_a_label_edit_answers_with_its_sentence_and_highlight_in_place(user_client, pair):
    comparison, left, _, _ = pair
    url = reverse("annotation_detail", args=[left.pk])
    data = {"label": builtin_label("Claim").pk, "version": 1, "comparison": comparison.slug}
    html = user_client.post(url, data, headers=HTMX).content.decode()
    assert [marked for _, marked in sentences(html)[comparison.left.pk, 0] if marked] == [[left.span_id]]
    assert misplaced(html) == []


def test_a_text_edited_after_a_label_edit_is_answered_with_the_new_sentences(user_client, pair, monkeypatch):
    comparison, left, _, _ = pair
    update = annotating.annotation_update

    def then_edit(**kwargs):
        row = update(**kwargs)
        edit_text(comparison.left.pk)
        return row

    monkeypatch.setattr(annotating, "annotation_update", then_edit)
    url = reverse("annotation_detail", args=[left.pk])
    data = {"label": builtin_label("Claim").pk, "version": 1, "comparison": comparison.slug}
    html = user_client.post(url, data, headers=HTMX).content.decode()
    assert any(marked == [left.span_id] for piece in sentences(html).values() for _, marked in piece)
    assert misplaced(html) == []


def test_a_text_edited_while_a_label_edit_is_answered_reloads_the_page(user_client, pair, monkeypatch):
    """The edit commits after the answer has read the documents and before it reads the spans: no
    sentence is drawn (it would put highlights over other words), and the page, showing the old
    text, is told to load the new one."""
    comparison, left, _, _ = pair
    rows = highlights._highlight_rows
    edits = [comparison.left.pk]

    def edited_first(*args, **kwargs):
        if edits:
            edit_text(edits.pop())
        return rows(*args, **kwargs)

    monkeypatch.setattr(highlights, "_highlight_rows", edited_first)
    url = reverse("annotation_detail", args=[left.pk])
    data = {"label": builtin_label("Claim").pk, "version": 1, "comparison": comparison.slug}
    response = user_client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    assert not edits
    assert response["HX-Refresh"] == "true"
    assert sentences(response.content.decode()) == {}


def test_a_text_edited_after_a_selection_is_tagged_reloads_the_page(user_client, pair, monkeypatch):
    """The tagging reads the text under its lock; the edit commits before its answer is drawn."""
    comparison, *_ = pair
    create = annotating.annotation_create

    def then_edit(**kwargs):
        annotation = create(**kwargs)
        edit_text(comparison.left.pk)
        return annotation

    monkeypatch.setattr(annotating, "annotation_create", then_edit)
    start = LEFT.index("Officials denied")
    data = {"document": comparison.left.pk, "start": start, "end": start + 16, "exact": "Officials denied"}
    response = user_client.post(
        reverse("annotation_create"), data | {"label": builtin_label("Quote").pk}, headers=HTMX
    )
    assert response.status_code == 200
    assert Span.objects.filter(exact="Officials denied").exists()
    assert response["HX-Refresh"] == "true"
    assert sentences(response.content.decode()) == {}


# --- A document read without its text ------------------------------------------------------------


def test_a_document_read_without_its_text_is_given_the_text_of_its_digest():
    document = DocumentFactory(text=LEFT)
    read = Document.objects.defer("text").get(pk=document.pk)
    assert annotating.with_committed_text(read).text == LEFT


def test_a_document_whose_text_was_edited_away_meanwhile_is_given_the_new_text_and_digest(monkeypatch):
    document = DocumentFactory(text=LEFT)
    read = Document.objects.defer("text").get(pk=document.pk)
    edit_text(document.pk)
    monkeypatch.setattr(annotating, "_texts", annotating._Texts(most=8_000_000))  # none held
    annotating.with_committed_text(read)
    assert (read.text, read.text_sha256) == (EARLIER + LEFT, textlib.sha256(EARLIER + LEFT))


def test_a_document_whose_old_text_is_held_keeps_that_text_with_its_digest():
    document = DocumentFactory(text=LEFT)
    annotating.committed_text(document.pk, document.text_sha256)
    read = Document.objects.defer("text").get(pk=document.pk)
    edit_text(document.pk)
    annotating.with_committed_text(read)
    assert (read.text, read.text_sha256) == (LEFT, textlib.sha256(LEFT))


def test_the_comparison_page_reads_neither_text(client, user, pair):
    comparison, *_ = pair
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(comparison.get_absolute_url())
    assert response.status_code == 200
    assert reads_of_the_text(queries) == []
    assert "the talks had failed" in response.content.decode()


def test_an_article_page_does_not_read_its_text(client, user, pair):
    comparison, *_ = pair
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(comparison.right.get_absolute_url())
    assert response.status_code == 200
    assert reads_of_the_text(queries) == []
    assert "No one denied it" in response.content.decode()


def test_the_agreement_page_reads_the_links_without_their_articles_texts(client, curator, pair):
    """Every link row joined both of its articles, texts and all (4 MB a row on long ones)."""
    comparison, left, right, _ = pair
    Link.objects.create(source=left.span, target=right.span, relation="counterpart", author=left.author)
    client.force_login(curator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("comparison_agreement", args=[comparison.slug])).status_code == 200
    assert any('FROM "reader_link"' in q["sql"] for q in queries)
    assert [sql for sql in reads_of_the_text(queries) if 'FROM "reader_link"' in sql] == []


def test_the_agreement_page_takes_the_articles_texts_from_the_process(client, curator, pair):
    """Its passages need both texts: held by the process, neither is read from the database."""
    comparison, left, right, _ = pair
    for document in (comparison.left, comparison.right):
        annotating.committed_text(document.pk, document.text_sha256)
    client.force_login(curator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("comparison_agreement", args=[comparison.slug]))
    assert response.status_code == 200
    assert reads_of_the_text(queries) == []
    assert "Nobody else commented." in response.content.decode()  # a passage's preview
