"""Annotating through the views, as htmx does it.

Bad inputs tried, each answered with a clear 4xx and nothing written: offsets
out of range, negative, reversed, empty, not numbers; a whitespace-only
selection; a quote that does not match the text (409); an unknown label; an
unknown document; missing fields; editing or deleting someone else's
annotation (403); anonymous writes (401); a missing CSRF token (403); a GET
on a write endpoint (405); a label change that duplicates an annotation (409).
"""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader.models import Annotation, Span, Speaker
from tests.conftest import EMOJI_TEXT
from tests.factories import AnnotationFactory, SpanFactory, SpeakerFactory, builtin_label

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CREATE = reverse("annotation_create")


def selection(document, phrase, label="Quote", occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = document.text.index(phrase, start + 1)
    return {
        "document": document.pk,
        "start": start,
        "end": start + len(phrase),
        "exact": phrase,
        "label": builtin_label(label).pk,
    }


def nothing_written():
    return Span.objects.count() == 0 and Annotation.objects.count() == 0


def test_tagging_a_selection_creates_its_span_and_annotation(user_client, document, user):
    response = user_client.post(CREATE, selection(document, "minister"), headers=HTMX)
    assert response.status_code == 200
    annotation = Annotation.objects.get()
    assert (annotation.span.start, annotation.span.end) == (4, 12)
    assert annotation.span.exact == "minister"
    assert annotation.author == user
    assert annotation.label.name == "Quote"
    assert annotation.span.prefix == "The "
    assert annotation.span.suffix.startswith(" said")


def test_the_answer_swaps_only_the_touched_paragraph_and_refreshes_the_sidebar(user_client, document):
    response = user_client.post(CREATE, selection(document, "Officials denied"), headers=HTMX)
    html = response.content.decode()
    assert html.count('hx-swap-oob="true"') == 1
    assert f'id="u-{document.pk}-1"' in html
    assert "<mark" in html
    assert "annotations-changed" in json.loads(response["HX-Trigger"])


def test_the_answer_asks_the_page_to_open_the_new_annotation(user_client, document, comparison):
    data = {**selection(document, "minister"), "comparison": comparison.slug}
    response = user_client.post(CREATE, data, headers=HTMX)
    annotation = Annotation.objects.get()
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["open-panel"] == {
        "url": f"/annotations/{annotation.pk}/?comparison={comparison.slug}",
        "span": annotation.span_id,
    }
    assert "annotations-changed" in trigger


def test_the_new_annotation_opens_focused_in_the_panel(user_client, document, user):
    user_client.post(CREATE, selection(document, "minister"), headers=HTMX)
    annotation = Annotation.objects.get()
    html = user_client.get(annotation.get_absolute_url(), headers=HTMX).content.decode()
    assert f'action="/annotations/{annotation.pk}/"' in html
    assert 'class="ann focus"' in html


def test_offsets_on_the_emoji_document_are_code_points(user_client, emoji_document):
    phrase = "we will respond"
    data = selection(emoji_document, phrase)
    assert (
        data["start"] != len(EMOJI_TEXT[: data["start"]].encode("utf-16-le")) // 2
    )  # the test means something
    assert user_client.post(CREATE, data, headers=HTMX).status_code == 200
    span = Span.objects.get()
    assert emoji_document.text[span.start : span.end] == phrase == span.exact


def test_a_selection_across_paragraphs_keeps_its_newlines(user_client, document):
    start = document.text.index("failed.")
    end = document.text.index("Officials") + len("Officials")
    data = {**selection(document, "failed."), "end": end, "exact": document.text[start:end]}
    assert user_client.post(CREATE, data, headers=HTMX).status_code == 200
    assert Span.objects.get().exact == "failed.\n\nOfficials"


def test_outer_whitespace_is_trimmed_from_a_selection(user_client, document):
    data = selection(document, " minister said ")
    assert user_client.post(CREATE, data, headers=HTMX).status_code == 200
    span = Span.objects.get()
    assert (span.start, span.end, span.exact) == (data["start"] + 1, data["end"] - 1, "minister said")


def test_tagging_the_same_selection_twice_adds_nothing(user_client, document):
    data = selection(document, "minister")
    user_client.post(CREATE, data, headers=HTMX)
    assert user_client.post(CREATE, data, headers=HTMX).status_code == 200
    assert Annotation.objects.count() == 1


def test_a_retried_tag_opens_the_annotation_the_first_made(user_client, document):
    data = selection(document, "minister")
    first = json.loads(user_client.post(CREATE, data, headers=HTMX)["HX-Trigger"])["open-panel"]
    again = user_client.post(CREATE, data, headers=HTMX)
    assert json.loads(again["HX-Trigger"])["open-panel"] == first
    assert 'id="u-' in again.content.decode()


def test_a_retried_tag_reads_the_article_and_the_span_once(user_client, document):
    data = selection(document, "minister")
    user_client.post(CREATE, data, headers=HTMX)
    with CaptureQueriesContext(connection) as again:
        user_client.post(CREATE, data, headers=HTMX)
    reads = [q["sql"] for q in again if q["sql"].startswith("SELECT")]
    assert sum("FROM reader_document" in sql or 'FROM "reader_document"' in sql for sql in reads) == 1
    assert sum('FROM "reader_span"' in sql for sql in reads) == 1


def test_a_new_annotation_and_span_get_their_defaults(user_client, document, user):
    user_client.post(CREATE, selection(document, "minister"), headers=HTMX)
    annotation = Annotation.objects.select_related("span").get()
    assert (annotation.version, annotation.status, annotation.cue, annotation.note) == (1, "pending", "", "")
    assert None not in (annotation.created, annotation.modified, annotation.span.created)
    assert annotation.span.created_by == user
    assert annotation.span.orphaned is False


@pytest.mark.django_db(transaction=True)
def test_tagging_new_words_takes_no_savepoint(user_client, document):
    chosen = selection(document, "minister")  # before counting: it may make the built-in labels again
    with CaptureQueriesContext(connection) as queries:
        user_client.post(CREATE, chosen, headers=HTMX)
    assert not [q for q in queries if "SAVEPOINT" in q["sql"].upper()]
    assert sum(q["sql"].startswith("INSERT") for q in queries) == 2


def test_a_second_label_on_the_same_words_shares_the_span(user_client, document):
    user_client.post(CREATE, selection(document, "minister"), headers=HTMX)
    user_client.post(CREATE, selection(document, "minister", label="Speaker"), headers=HTMX)
    assert Span.objects.count() == 1
    assert Annotation.objects.count() == 2


def test_a_speaker_mention_of_a_known_alias_resolves_to_its_speaker(user_client, document):
    minister = SpeakerFactory(name="Jane Doe", aliases="The minister\nDoe")
    user_client.post(CREATE, {**selection(document, "The minister", label="Speaker")}, headers=HTMX)
    assert Annotation.objects.get().speaker == minister
    assert Speaker.objects.count() == 1


def test_a_speaker_mention_of_an_unknown_name_creates_its_speaker_at_once(user_client, document):
    SpeakerFactory(name="Jane Doe", aliases="The minister")
    user_client.post(CREATE, selection(document, "minister", label="Speaker"), headers=HTMX)
    assert Annotation.objects.get().speaker.name == "minister"  # stored now, not when a form is saved
    assert Speaker.objects.count() == 2


@pytest.mark.parametrize(
    ("words", "name"),
    [
        ("Rouhani's", "Rouhani"),
        ("Rouhani’s", "Rouhani"),
        ("“Khatibzadeh,”", "Khatibzadeh"),
        ("Iran’s  Foreign\nMinistry", "Iran’s Foreign Ministry"),
        ("(the PMF)", "the PMF"),
        ("Trump:", "Trump"),
    ],
)
def test_a_mention_is_named_without_its_possessive_and_punctuation(words, name):
    from reader.annotating import mention_name

    assert mention_name(words) == name


def test_without_htmx_tagging_redirects_to_the_annotation(user_client, document):
    response = user_client.post(CREATE, selection(document, "minister"))
    assert response.status_code == 302
    assert response["Location"] == Annotation.objects.get().get_absolute_url()


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"start": 4, "end": 10_000, "exact": "minister"}, 400, "outside the text"),
        ({"start": -1, "end": 3, "exact": "The"}, 400, "outside the text"),
        ({"start": 12, "end": 4}, 400, "reversed"),
        ({"start": 4, "end": 4, "exact": ""}, 400, "exact"),
        ({"start": 4, "end": 4, "exact": "x"}, 400, "empty"),
        ({"start": "four", "end": "12"}, 400, "start"),
        ({"exact": "ministry"}, 409, "not the text you selected"),
        ({"label": 999_999}, 400, "no such label"),
        ({"label": "Quote"}, 400, "label"),
        ({"document": 999_999}, 410, "deleted"),
        ({"document": ""}, 400, "document"),
    ],
    ids=[
        "end-out-of-range",
        "negative-start",
        "reversed",
        "missing-exact",
        "empty",
        "not-a-number",
        "quote-mismatch",
        "unknown-label",
        "label-by-name",
        "unknown-document",
        "missing-document",
    ],
)
def test_a_bad_selection_gets_a_clear_4xx_and_writes_nothing(user_client, document, change, status, message):
    response = user_client.post(CREATE, {**selection(document, "minister"), **change}, headers=HTMX)
    assert response.status_code == status
    assert message in response.content.decode()
    assert response["HX-Retarget"] == "#flash"
    assert nothing_written()


def test_a_whitespace_only_selection_is_refused(user_client, document):
    start = document.text.index("\n\n")
    data = {**selection(document, "minister"), "start": start, "end": start + 2, "exact": "\n\n"}
    response = user_client.post(CREATE, data, headers=HTMX)
    assert response.status_code == 400
    assert "only whitespace" in response.content.decode()
    assert nothing_written()


def test_without_htmx_a_bad_selection_gets_an_error_page(user_client, document):
    response = user_client.post(CREATE, {**selection(document, "minister"), "exact": "nope"})
    assert response.status_code == 409
    assert b"Out of date" in response.content
    assert nothing_written()


def test_anonymous_writes_get_401_and_write_nothing(client, document):
    response = client.post(CREATE, selection(document, "minister"), headers=HTMX)
    assert response.status_code == 401
    assert b"Log in" in response.content
    assert nothing_written()


def test_a_write_without_a_csrf_token_is_refused(user, document):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(CREATE, selection(document, "minister"), headers=HTMX)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert nothing_written()


def test_writing_by_get_is_not_allowed(user_client, document):
    assert user_client.get(CREATE, selection(document, "minister")).status_code == 405
    assert nothing_written()


def edit(annotation, **fields):
    data = {
        "label": annotation.label_id,
        "speaker_name": "",
        "cue": "",
        "note": "",
        "version": annotation.version,
    }
    return reverse("annotation_detail", args=[annotation.pk]), {**data, **fields}


def test_a_quote_is_attributed_to_an_existing_speaker_by_alias(user_client, user, document):
    rouhani = SpeakerFactory(name="Hassan Rouhani", aliases="Rouhani\nIran's president")
    annotation = AnnotationFactory(span=SpanFactory(document=document), author=user)
    url, data = edit(annotation, speaker_name="  rouhani ", cue="said", note="a <b>bold</b> claim")
    assert user_client.post(url, data, headers=HTMX).status_code == 200
    annotation.refresh_from_db()
    assert (annotation.speaker, annotation.cue, annotation.note) == (rouhani, "said", "a <b>bold</b> claim")
    assert Speaker.objects.count() == 1


def test_a_new_speaker_name_creates_the_speaker(user_client, user, document):
    annotation = AnnotationFactory(span=SpanFactory(document=document), author=user)
    url, data = edit(annotation, speaker_name="Esmaeil  Qaani")
    user_client.post(url, data, headers=HTMX)
    annotation.refresh_from_db()
    assert annotation.speaker.name == "Esmaeil Qaani"


def test_changing_the_label_rerenders_the_paragraph(user_client, user, document):
    annotation = AnnotationFactory(span=SpanFactory(document=document), author=user)
    claim = builtin_label("Claim")
    url, data = edit(annotation, label=claim.pk)
    html = user_client.post(url, data, headers=HTMX).content.decode()
    annotation.refresh_from_db()
    assert annotation.label == claim
    assert f"hl lab-{claim.pk} k-claim" in html
    assert 'hx-swap-oob="true"' in html


def test_a_label_change_that_duplicates_an_annotation_is_refused(user_client, user, document):
    span = SpanFactory(document=document)
    AnnotationFactory(span=span, author=user, label=builtin_label("Claim"))
    quote = AnnotationFactory(span=span, author=user)
    url, data = edit(quote, label=builtin_label("Claim").pk, note="changed")
    response = user_client.post(url, data, headers=HTMX)
    assert response.status_code == 409
    quote.refresh_from_db()
    assert quote.label.name == "Quote"
    assert quote.note == ""


def test_editing_someone_elses_annotation_is_forbidden(user_client, other_user, document):
    annotation = AnnotationFactory(span=SpanFactory(document=document), author=other_user)
    url, data = edit(annotation, note="mine now")
    response = user_client.post(url, data, headers=HTMX)
    assert response.status_code == 403
    assert other_user.username in response.content.decode()
    annotation.refresh_from_db()
    assert annotation.note == ""


def test_deleting_someone_elses_annotation_is_forbidden(user_client, other_user, document):
    annotation = AnnotationFactory(span=SpanFactory(document=document), author=other_user)
    response = user_client.post(reverse("annotation_delete", args=[annotation.pk]), headers=HTMX)
    assert response.status_code == 403
    assert Annotation.objects.filter(pk=annotation.pk).exists()


def test_a_curator_may_edit_anyones_annotation(client, curator, other_user, document):
    client.force_login(curator)
    annotation = AnnotationFactory(span=SpanFactory(document=document), author=other_user)
    url, data = edit(annotation, note="checked")
    assert client.post(url, data, headers=HTMX).status_code == 200
    annotation.refresh_from_db()
    assert annotation.note == "checked"
    assert annotation.author == other_user


def test_others_see_an_annotation_without_edit_forms(user_client, other_user, document):
    annotation = AnnotationFactory(span=SpanFactory(document=document), author=other_user, note="theirs")
    html = user_client.get(annotation.get_absolute_url(), headers=HTMX).content.decode()
    assert "theirs" in html
    assert f'action="/annotations/{annotation.pk}/"' not in html


def test_deleting_the_last_annotation_removes_its_span(user_client, user, document):
    annotation = AnnotationFactory(span=SpanFactory(document=document), author=user)
    response = user_client.post(reverse("annotation_delete", args=[annotation.pk]), headers=HTMX)
    assert response.status_code == 200
    assert nothing_written()
    assert "<mark" not in response.content.decode()


def test_deleting_one_of_two_annotations_keeps_the_span(user_client, user, other_user, document):
    span = SpanFactory(document=document)
    mine = AnnotationFactory(span=span, author=user)
    AnnotationFactory(span=span, author=other_user)
    user_client.post(reverse("annotation_delete", args=[mine.pk]), headers=HTMX)
    assert Span.objects.filter(pk=span.pk).exists()
    assert Annotation.objects.count() == 1


def test_the_panel_shows_every_span_under_a_click(user_client, document):
    outer = AnnotationFactory(span=SpanFactory(document=document, start=0, end=20), note="outer note")
    inner = AnnotationFactory(span=SpanFactory(document=document, start=4, end=12), note="inner note")
    response = user_client.get(reverse("span_panel"), {"span": [outer.span_id, inner.span_id]}, headers=HTMX)
    html = response.content.decode()
    assert "2 overlapping highlights" in html
    assert "outer note" in html
    assert "inner note" in html


def test_the_panel_for_vanished_spans_is_404(user_client, db):
    response = user_client.get(reverse("span_panel"), {"span": [123]}, headers=HTMX)
    assert response.status_code == 404


def test_an_annotation_page_works_without_javascript(user_client, user, document):
    annotation = AnnotationFactory(span=SpanFactory(document=document), author=user)
    page = user_client.get(annotation.get_absolute_url())
    assert page.status_code == 200
    assert b"<!doctype html>" in page.content
    url, data = edit(annotation, cue="claimed")
    response = user_client.post(url, data)
    assert response.status_code == 302
    annotation.refresh_from_db()
    assert annotation.cue == "claimed"


def test_a_write_in_a_long_paragraph_swaps_only_its_sentence(user_client, db):
    from tests.factories import DocumentFactory

    document = DocumentFactory(text="First sentence here. Second one follows. Third ends it.")
    html = user_client.post(CREATE, selection(document, "one follows"), headers=HTMX).content.decode()
    swapped = re.findall(
        r'<span id="u-\d+-(\d+)" class="u" hx-swap-oob="true">(.*?)</span>(?=<span id|$)', html, re.S
    )
    assert [index for index, _ in swapped] == ["1"]
    assert re.sub(r"<[^>]+>", "", swapped[0][1]) == "Second one follows. "


NEWS = (
    "George Zimmerman spoke on Monday. Hillary Rodham Clinton answered him.\n\n"
    "Zimmerman said he was sorry. Mr. Zimmerman left. Mrs. Clinton stayed. Clinton said no."
)


@pytest.fixture
def news(db):
    from tests.factories import ComparisonFactory, DocumentFactory

    left = DocumentFactory(slug="news-a", text=NEWS)
    ComparisonFactory(
        slug="news", left=left, right=DocumentFactory(slug="news-b", text="Zimmerman was there.")
    )
    return left


def tag_speaker(client, document, words, occurrence=0):
    assert (
        client.post(CREATE, selection(document, words, "Speaker", occurrence), headers=HTMX).status_code
        == 200
    )
    return Annotation.objects.filter(span__exact=words).order_by("-pk").first()


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("George Zimmerman", "Zimmerman"),
        ("George Zimmerman", "Mr. Zimmerman"),
        ("Hillary Rodham Clinton", "Mrs. Clinton"),
    ],
)
def test_a_news_short_form_of_a_person_named_before_resolves_to_that_person(user_client, news, full, short):
    person = tag_speaker(user_client, news, full).speaker
    assert tag_speaker(user_client, news, short).speaker == person
    assert Speaker.objects.count() == 1


def test_a_short_form_in_the_compared_article_resolves_to_the_person_named_in_the_other(user_client, news):
    person = tag_speaker(user_client, news, "George Zimmerman").speaker
    other = news.__class__.objects.get(slug="news-b")
    assert tag_speaker(user_client, other, "Zimmerman").speaker == person


def test_a_short_form_resolves_to_a_person_named_only_as_the_source_of_an_attribution(user_client, news):
    from reader.models import Attribution
    from tests.factories import SpeakerFactory

    person = SpeakerFactory(name="George Zimmerman")
    Attribution.objects.create(
        document=news, content=SpanFactory(document=news, start=0, end=16), speaker=person
    )
    assert tag_speaker(user_client, news, "Zimmerman").speaker == person


def test_a_short_form_does_not_resolve_to_a_person_named_only_in_an_unrelated_article(user_client, news):
    from tests.factories import DocumentFactory

    elsewhere = DocumentFactory(slug="elsewhere", text="George Zimmerman spoke elsewhere.")
    person = SpeakerFactory(name="George Zimmerman")
    AnnotationFactory(span=SpanFactory(document=elsewhere, start=0, end=16), speaker=person)
    assert tag_speaker(user_client, news, "Zimmerman").speaker.name == "Zimmerman"


def test_a_short_form_with_nobody_named_before_makes_a_speaker_of_its_own(user_client, news):
    assert tag_speaker(user_client, news, "Zimmerman").speaker.name == "Zimmerman"


def test_a_name_typed_in_the_panel_resolves_as_a_news_form_too(user_client, user, news):
    from reader import annotating

    person = tag_speaker(user_client, news, "George Zimmerman").speaker
    quote = AnnotationFactory(span=SpanFactory(document=news, start=0, end=6), author=user)
    annotating.annotation_update(annotation=quote, user=user, label=quote.label, speaker_name="Mr. Zimmerman")
    quote.refresh_from_db()
    assert quote.speaker == person
