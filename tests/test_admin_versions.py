"""Curators editing in the admin at the same time as others: a change page opened before
someone else's save is refused, with the form kept; a save writes only what it changed; deletes
are remembered so an older import cannot bring them back.

Bad inputs tried: a change form from an older version (annotation, speaker, document text), a
form without its version.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader import annotating
from reader.models import Annotation, Deletion, Document, Speaker
from tests.factories import AnnotationFactory, DocumentFactory, LinkFactory, SpeakerFactory, span_over


@pytest.fixture
def curator_client(client, curator):
    curator.is_staff = True
    curator.save()
    client.force_login(curator)
    return client


def annotation_form(annotation, **changes):
    return {
        "span": annotation.span_id,
        "label": annotation.label_id,
        "speaker": annotation.speaker_id or "",
        "cue": annotation.cue,
        "note": annotation.note,
        "author": annotation.author_id,
        "status": annotation.status,
        "seen_version": annotation.version,
        **changes,
    }


def test_an_admin_save_from_a_page_opened_before_another_save_is_refused(curator_client, user):
    annotation = AnnotationFactory(author=user)
    stale = annotation_form(annotation, cue="claimed")
    annotating.annotation_update(annotation=annotation, user=user, label=annotation.label, note="theirs")
    response = curator_client.post(reverse("admin:reader_annotation_change", args=[annotation.pk]), stale)
    assert response.status_code == 200
    assert "Someone else saved this annotation since you opened this page (version 1 → 2)" in (
        response.content.decode()
    )
    annotation.refresh_from_db()
    assert (annotation.note, annotation.cue) == ("theirs", "")


def test_an_admin_form_without_its_version_is_refused(curator_client, user):
    annotation = AnnotationFactory(author=user)
    data = annotation_form(annotation, cue="claimed")
    del data["seen_version"]
    response = curator_client.post(reverse("admin:reader_annotation_change", args=[annotation.pk]), data)
    assert "does not say which version" in response.content.decode()
    assert Annotation.objects.get().cue == ""


def test_an_admin_save_writes_only_what_it_changed_and_bumps_the_version(curator_client, user):
    annotation = AnnotationFactory(author=user, note="kept")
    url = reverse("admin:reader_annotation_change", args=[annotation.pk])
    with CaptureQueriesContext(connection) as queries:
        assert curator_client.post(url, annotation_form(annotation, cue="claimed")).status_code == 302
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "reader_annotation"')]
    assert len(updates) == 1
    assert '"cue"' in updates[0]
    assert '"note"' not in updates[0]
    annotation.refresh_from_db()
    assert (annotation.cue, annotation.note, annotation.version) == ("claimed", "kept", 2)


def test_a_stale_speaker_edit_does_not_empty_aliases_added_meanwhile(curator_client):
    speaker = SpeakerFactory(name="Hassan Rouhani")
    stale = {"name": "Hassan Rouhani", "aliases": "", "description": "President", "seen_version": 1}
    Speaker.objects.filter(pk=speaker.pk).update(aliases="Rouhani", version=2)
    curator_client.post(reverse("admin:reader_speaker_change", args=[speaker.pk]), stale)
    speaker.refresh_from_db()
    assert (speaker.aliases, speaker.description) == ("Rouhani", "")


def test_a_stale_text_edit_is_refused_and_re_anchors_nothing(curator_client, document):
    span = span_over(document, "Officials")
    stale = {
        "title": document.title,
        "slug": document.slug,
        "outlet": document.outlet,
        "published": "",
        "published_note": "",
        "url": "",
        "language": "en",
        "text": "Officials. " + document.text,
        "seen_version": 1,
    }
    Document.objects.filter(pk=document.pk).update(version=2)
    curator_client.post(reverse("admin:reader_document_change", args=[document.pk]), stale)
    document.refresh_from_db()
    span.refresh_from_db()
    assert not document.text.startswith("Officials. ")
    assert document.text[span.start : span.end] == "Officials"


def test_an_admin_delete_is_remembered_by_natural_key(admin_client, user, document):
    annotation = AnnotationFactory(span=span_over(document, "The minister"), author=user)
    admin_client.post(reverse("admin:reader_annotation_delete", args=[annotation.pk]), {"post": "yes"})
    assert not Annotation.objects.exists()
    assert list(Deletion.objects.values_list("kind", "key")) == [("annotation", "talks:0-12|Quote|ann")]


def test_deleting_a_document_remembers_it_and_its_annotations_and_links(admin_client, user, comparison):
    source = AnnotationFactory(span=span_over(comparison.left, "The minister"), author=user)
    target = AnnotationFactory(span=span_over(comparison.right, "No one"), author=user)
    LinkFactory(source=source.span, target=target.span, author=user)
    comparison.delete()
    admin_client.post(reverse("admin:reader_document_delete", args=[comparison.left_id]), {"post": "yes"})
    assert sorted(Deletion.objects.values_list("kind", "key")) == [
        ("annotation", "left-doc:0-12|Quote|ann"),
        ("document", "left-doc"),
        ("link", "left-doc:0-12|right-doc:38-44|counterpart"),
    ]


def test_the_label_list_is_not_editable_in_place(curator_client):
    html = curator_client.get(reverse("admin:reader_label_changelist")).content.decode()
    assert 'name="form-0-colour"' not in html


def test_two_documents_pages_in_a_row_do_not_collide(curator_client):
    document = DocumentFactory()
    url = reverse("admin:reader_document_change", args=[document.pk])
    first = {
        "title": "First",
        "slug": document.slug,
        "outlet": "",
        "published": "",
        "published_note": "",
        "url": "",
        "language": "en",
        "text": document.text,
        "seen_version": 1,
    }
    assert curator_client.post(url, first).status_code == 302
    assert curator_client.post(url, {**first, "title": "Second", "seen_version": 2}).status_code == 302
    document.refresh_from_db()
    assert (document.title, document.version) == ("Second", 3)
