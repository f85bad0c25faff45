"""The admin as a curation tool: list pages, review actions, merging speakers, editing texts."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader.models import CURATOR_GROUP, Annotation, Speaker, Status
from tests.curation_factories import admin_curator, bulk_corpus, make_link, staff_member
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    SpanFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = ["annotation", "link", "span", "speaker", "document", "comparison", "label"]


@pytest.fixture
def curator_client(client):
    client.force_login(admin_curator())
    return client


def changelist(model):
    return reverse(f"admin:reader_{model}_changelist")


def queries_to_list(client, model):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(changelist(model))
    assert response.status_code == 200
    return len(captured)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def action(client, model, name, objects, **extra):
    data = {"action": name, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(changelist(model), data)


# --- list pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model", CHANGELISTS)
def test_a_list_page_makes_as_many_queries_for_1000_rows_as_for_10(curator_client, model):
    bulk_corpus(10, tag="small")
    with_10 = queries_to_list(curator_client, model)
    bulk_corpus(990, tag="large")
    with_1000 = queries_to_list(curator_client, model)
    assert with_10 == with_1000


def test_the_annotation_list_shows_quote_label_speaker_cue_annotator_document_and_status(curator_client):
    rouhani = SpeakerFactory(name="Hassan Rouhani")
    AnnotationFactory(
        span=SpanFactory(document=DocumentFactory(title="Talks fail")),
        speaker=rouhani,
        cue="tweeted",
        author=UserFactory(username="ann"),
    )
    html = curator_client.get(changelist("annotation")).content.decode()
    for shown in ["minister", "Quote", "Hassan Rouhani", "tweeted", "ann", "Talks fail", "pending"]:
        assert shown in html


def test_the_annotation_list_finds_annotations_by_a_speakers_alias(curator_client):
    found = AnnotationFactory(speaker=SpeakerFactory(name="Hassan Rouhani", aliases="the president"))
    AnnotationFactory(span=SpanFactory(start=13, end=16))
    response = curator_client.get(changelist("annotation"), {"q": "the president"})
    assert list(response.context["cl"].result_list) == [found]


def test_the_annotation_list_filters_by_document(curator_client):
    kept = AnnotationFactory()
    AnnotationFactory()
    response = curator_client.get(changelist("annotation"), {"document": kept.span.document_id})
    assert list(response.context["cl"].result_list) == [kept]


def test_the_link_list_shows_both_quotes_and_the_relation(curator_client):
    left, right = DocumentFactory(), DocumentFactory(text="Elsewhere the minister spoke.")
    make_link(SpanFactory(document=left), SpanFactory(document=right, start=10, end=22), UserFactory())
    html = curator_client.get(changelist("link")).content.decode()
    assert "minister" in html
    assert "the minister" in html
    assert "counterpart" in html


def test_the_span_page_lists_its_annotations_and_links(curator_client):
    span = SpanFactory()
    AnnotationFactory(span=span, label=builtin_label("Claim"), note="Check the wire copy")
    other = SpanFactory(
        document=DocumentFactory(text="The talks failed, the minister said."), start=0, end=16
    )
    make_link(span, other, UserFactory(), note="same event")
    html = curator_client.get(reverse("admin:reader_span_change", args=[span.pk])).content.decode()
    assert "Check the wire copy" in html
    assert "The talks failed" in html


def test_the_speaker_page_lists_every_mention_and_quote(curator_client):
    rouhani = SpeakerFactory(name="Hassan Rouhani")
    document = DocumentFactory()
    AnnotationFactory(span=SpanFactory(document=document, start=0, end=12), speaker=rouhani)
    AnnotationFactory(span=SpanFactory(document=document, start=13, end=39), speaker=rouhani)
    html = curator_client.get(reverse("admin:reader_speaker_change", args=[rouhani.pk])).content.decode()
    assert "The minister" in html
    assert "said the talks had failed." in html


def test_the_span_list_shows_orphaned_spans_with_their_old_quote(curator_client):
    SpanFactory(exact="words that were deleted", orphaned=True)
    SpanFactory(start=13, end=16)
    response = curator_client.get(changelist("span"), {"orphaned__exact": "1"})
    assert [span.exact for span in response.context["cl"].result_list] == ["words that were deleted"]


def test_a_curator_can_use_the_autocomplete_for_annotators(curator_client):
    UserFactory(username="annotator-ann")
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "reader", "model_name": "annotation", "field_name": "author", "term": "annotator"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["annotator-ann"]


# --- review -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "status"), [("accept", Status.ACCEPTED), ("reject", Status.REJECTED)])
def test_a_review_action_records_the_status_the_reviewer_and_the_time(client, name, status):
    curator = admin_curator()
    client.force_login(curator)
    annotations = [AnnotationFactory(), AnnotationFactory()]
    action(client, "annotation", name, annotations)
    for annotation in annotations:
        annotation.refresh_from_db()
        assert annotation.status == status
        assert annotation.reviewed_by == curator
        assert annotation.reviewed_at is not None


def test_resetting_to_pending_records_who_reset_it_and_when(client):
    """A reset is a curator's decision too: dated, so an older file's accept cannot undo it."""
    curator = admin_curator()
    client.force_login(curator)
    annotation = AnnotationFactory(status=Status.ACCEPTED, reviewed_by=UserFactory(username="earlier"))
    action(client, "annotation", "reset_to_pending", [annotation])
    annotation.refresh_from_db()
    assert (annotation.status, annotation.reviewed_by) == (Status.PENDING, curator)
    assert annotation.reviewed_at is not None
    assert annotation.reviewed_version is None


def test_accepting_links_records_the_reviewer(client):
    curator = admin_curator()
    client.force_login(curator)
    link = make_link(SpanFactory(), SpanFactory(), UserFactory())
    action(client, "link", "accept", [link])
    link.refresh_from_db()
    assert (link.status, link.reviewed_by) == (Status.ACCEPTED, curator)


def test_a_review_action_says_how_many_it_changed(curator_client):
    response = action(curator_client, "annotation", "reject", [AnnotationFactory(), AnnotationFactory()])
    assert messages_of(response) == ["2 annotations marked rejected."]


def test_changing_the_status_in_the_form_records_the_review(client):
    curator = admin_curator()
    client.force_login(curator)
    annotation = AnnotationFactory()
    url = reverse("admin:reader_annotation_change", args=[annotation.pk])
    data = {
        "span": annotation.span_id,
        "label": annotation.label_id,
        "speaker": "",
        "cue": "",
        "note": "",
        "author": annotation.author_id,
        "status": Status.ACCEPTED,
        "seen_version": annotation.version,
    }
    assert client.post(url, data).status_code == 302
    annotation.refresh_from_db()
    assert (annotation.status, annotation.reviewed_by) == (Status.ACCEPTED, curator)


def test_staff_who_are_not_curators_are_not_offered_the_review_actions(client):
    client.force_login(staff_member(permissions=["reader.view_annotation", "reader.change_annotation"]))
    AnnotationFactory()
    response = client.get(changelist("annotation"))
    form = response.context["action_form"]  # None when no action at all is offered
    offered = {value for value, _ in form.fields["action"].choices} if form else set()
    assert not {"accept", "reject", "reset_to_pending"} & offered


def test_staff_who_are_not_curators_cannot_run_a_review_action(client):
    client.force_login(staff_member(permissions=["reader.view_annotation", "reader.change_annotation"]))
    annotation = AnnotationFactory()
    action(client, "annotation", "accept", [annotation])
    annotation.refresh_from_db()
    assert (annotation.status, annotation.reviewed_by) == (Status.PENDING, None)


def test_staff_who_are_not_curators_see_the_status_but_cannot_change_it(client):
    client.force_login(staff_member(permissions=["reader.view_annotation", "reader.change_annotation"]))
    annotation = AnnotationFactory()
    response = client.get(reverse("admin:reader_annotation_change", args=[annotation.pk]))
    assert "status" not in response.context["adminform"].form.fields


# --- the curator group --------------------------------------------------------------------------


def test_the_curator_group_has_exactly_the_permissions_curation_needs():
    group = Group.objects.get(name=CURATOR_GROUP)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert granted == {
        "reader.view_annotation",
        "reader.change_annotation",
        "reader.view_link",
        "reader.change_link",
        "reader.view_attribution",
        "reader.change_attribution",
        "reader.view_span",
        "reader.view_document",
        "reader.change_document",
        "reader.view_comparison",
        "reader.view_label",
        "reader.add_label",
        "reader.change_label",
        "reader.view_speaker",
        "reader.add_speaker",
        "reader.change_speaker",
        "reader.delete_speaker",
        "auth.view_user",
    }


def test_a_curator_may_not_delete_annotations_in_the_admin(curator_client):
    annotation = AnnotationFactory()
    response = curator_client.post(
        reverse("admin:reader_annotation_delete", args=[annotation.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Annotation.objects.filter(pk=annotation.pk).exists()


# --- merging speakers ---------------------------------------------------------------------------


def test_merging_speakers_first_asks_which_one_to_keep(curator_client):
    speakers = [SpeakerFactory(name="Hassan Rouhani"), SpeakerFactory(name="Rouhani")]
    response = action(curator_client, "speaker", "merge", speakers)
    assert response.status_code == 200
    assert 'name="keep"' in response.content.decode()
    assert Speaker.objects.count() == 2


def test_merging_speakers_moves_their_annotations_to_the_one_kept(curator_client):
    keep, other = SpeakerFactory(name="Hassan Rouhani"), SpeakerFactory(name="Rouhani")
    moved = AnnotationFactory(speaker=other)
    response = action(curator_client, "speaker", "merge", [keep, other], post="yes", keep=keep.pk)
    moved.refresh_from_db()
    assert moved.speaker == keep
    assert not Speaker.objects.filter(pk=other.pk).exists()
    assert messages_of(response) == ["Merged Rouhani into Hassan Rouhani: 1 annotation moved."]


def test_merging_a_single_speaker_is_refused(curator_client):
    response = action(curator_client, "speaker", "merge", [SpeakerFactory()])
    assert messages_of(response) == ["Select two or more speakers to merge."]


# --- editing a document's text ------------------------------------------------------------------


def document_form(document, text):
    return {
        "title": document.title,
        "slug": document.slug,
        "outlet": document.outlet,
        "published": "",
        "published_note": "",
        "url": "",
        "language": document.language,
        "text": text,
        "seen_version": document.version,
    }


def test_the_document_page_shows_every_field_and_the_text(curator_client):
    document = DocumentFactory(title="Talks fail", outlet="Test Wire")
    response = curator_client.get(reverse("admin:reader_document_change", args=[document.pk]))
    assert response.status_code == 200
    fields = response.context["adminform"].form.fields
    assert {"title", "slug", "outlet", "published", "url", "language", "text"} <= set(fields)
    assert "The minister said the talks had failed." in response.content.decode()


def test_saving_a_new_text_says_how_many_spans_moved_and_were_orphaned(curator_client):
    document = DocumentFactory()
    SpanFactory(document=document, start=4, end=12)  # "minister": moves
    SpanFactory(document=document, start=41, end=50)  # "Officials": moves
    SpanFactory(document=document, start=104, end=126)  # "Nobody else commented.": deleted
    text = "Breaking. " + document.text.replace("Nobody else commented.", "")
    url = reverse("admin:reader_document_change", args=[document.pk])
    response = curator_client.post(url, document_form(document, text))
    assert response.status_code == 302
    assert "The text changed: 2 spans moved, 1 orphaned, 0 unchanged." in messages_of(response)


def test_saving_a_document_with_its_text_as_a_browser_sends_it_changes_no_span(curator_client):
    document = DocumentFactory()
    span = SpanFactory(document=document, start=41, end=50)
    url = reverse("admin:reader_document_change", args=[document.pk])
    response = curator_client.post(url, document_form(document, document.text.replace("\n", "\r\n")))
    assert not [message for message in messages_of(response) if message.startswith("The text changed")]
    span.refresh_from_db()
    assert (span.start, span.end) == (41, 50)
    document.refresh_from_db()
    assert "\r" not in document.text
