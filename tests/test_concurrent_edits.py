"""Several people at once, one request after another in Django's client: stale forms are refused
(409) with what changed, deletes meanwhile give 410, each write touches only its own columns, and
offsets are checked against the text as committed. (The same races run truly at once against
gunicorn in tests/test_races.py.)

Bad inputs tried: a form from an older version (edit, delete, link edit), an edit, a review and a
delete of a row deleted meanwhile, a selection from an older text (by digest and by offsets), a
link to a highlight deleted meanwhile, a link from a span with no annotation and no label.
"""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader import annotating
from reader.models import Annotation, Deletion, Link, Span, Status
from tests.factories import (
    AnnotationFactory,
    LinkFactory,
    SpanFactory,
    builtin_label,
    span_over,
)

HTMX = {"HX-Request": "true"}


def panel_form(client, annotation):
    """The edit form's fields as the panel renders them for this client, now."""
    page = client.get(annotation.get_absolute_url(), headers=HTMX).content.decode()
    form = page[page.index(f'action="/annotations/{annotation.pk}/"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields["label"] = re.search(r'<option value="(\d+)" selected', form).group(1)
    fields["speaker_name"] = re.search(r'name="speaker_name"[^>]*value="([^"]*)"', form, re.S).group(1)
    fields["cue"] = re.search(r'name="cue" value="([^"]*)"', form).group(1)
    fields["note"] = re.search(r'<textarea name="note"[^>]*>(.*?)</textarea>', form, re.S).group(1)
    fields.pop("csrfmiddlewaretoken", None)
    return {name: html.unescape(value) for name, value in fields.items()}


@pytest.fixture
def annotation(user, document):
    return AnnotationFactory(span=span_over(document, "The minister"), author=user, cue="said")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def two_panels(client, django_user_model, user, curator, annotation):
    """The author and a curator, each with the annotation's panel open."""
    from django.test import Client

    author, other = Client(), Client()
    author.force_login(user)
    other.force_login(curator)
    return (author, panel_form(author, annotation)), (other, panel_form(other, annotation))


def test_a_save_from_a_panel_opened_before_someone_elses_save_is_refused_with_409(two_panels, annotation):
    (author, mine), (curator, theirs) = two_panels
    assert (
        author.post(annotation.get_absolute_url(), {**mine, "note": "A's note"}, headers=HTMX).status_code
        == 200
    )
    response = curator.post(annotation.get_absolute_url(), {**theirs, "cue": "claimed"}, headers=HTMX)
    assert response.status_code == 409
    annotation.refresh_from_db()
    assert (annotation.note, annotation.cue) == ("A's note", "said")


def test_the_409_panel_shows_what_changed_and_holds_both_changes(two_panels, annotation):
    (author, mine), (curator, theirs) = two_panels
    author.post(annotation.get_absolute_url(), {**mine, "note": "A's note"}, headers=HTMX)
    html = curator.post(
        annotation.get_absolute_url(), {**theirs, "cue": "claimed"}, headers=HTMX
    ).content.decode()
    assert "Not saved: someone else changed this annotation" in html
    assert re.search(r"<th scope=\"row\">note</th><td>—</td><td>A&#x27;s note</td>", html)
    assert '<input name="cue" value="claimed"' in html  # the curator's change, applied on top
    assert "A&#x27;s note</textarea>" in html  # and the author's, kept
    assert '<input type="hidden" name="version" value="2">' in html


def test_saving_the_409_panel_applies_the_change_on_top_of_the_other(two_panels, annotation):
    (author, mine), (curator, theirs) = two_panels
    author.post(annotation.get_absolute_url(), {**mine, "note": "A's note"}, headers=HTMX)
    curator.post(annotation.get_absolute_url(), {**theirs, "cue": "claimed"}, headers=HTMX)
    again = panel_form(curator, annotation)
    assert (
        curator.post(annotation.get_absolute_url(), {**again, "cue": "claimed"}, headers=HTMX).status_code
        == 200
    )
    annotation.refresh_from_db()
    assert (annotation.note, annotation.cue, annotation.version) == ("A's note", "claimed", 3)


def test_an_edit_writes_only_the_columns_it_changes(user_client, annotation):
    form = panel_form(user_client, annotation)
    with CaptureQueriesContext(connection) as queries:
        user_client.post(annotation.get_absolute_url(), {**form, "cue": "claimed"}, headers=HTMX)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "reader_annotation"')]
    assert len(updates) == 1
    assert '"cue"' in updates[0]
    assert '"note"' not in updates[0]
    assert '"status"' not in updates[0]
    assert '"label_id"' not in updates[0]


def test_an_accept_and_an_edit_from_a_panel_opened_before_it_both_survive(two_panels, annotation, curator):
    (author, mine), (curator_client, _) = two_panels
    review = reverse("annotation_review", args=[annotation.pk])
    assert curator_client.post(review, {"status": "accepted"}, headers=HTMX).status_code == 200
    assert (
        author.post(annotation.get_absolute_url(), {**mine, "note": "later"}, headers=HTMX).status_code == 200
    )
    annotation.refresh_from_db()
    assert (annotation.status, annotation.reviewed_by, annotation.note) == (Status.ACCEPTED, curator, "later")
    assert annotation.edited_since_review


def test_the_panel_says_an_accepted_annotation_was_edited_since(two_panels, annotation):
    (author, mine), (curator_client, _) = two_panels
    curator_client.post(
        reverse("annotation_review", args=[annotation.pk]), {"status": "accepted"}, headers=HTMX
    )
    author.post(annotation.get_absolute_url(), {**mine, "note": "later"}, headers=HTMX)
    html = curator_client.get(annotation.get_absolute_url(), headers=HTMX).content.decode()
    assert "Edited since it was accepted (version 1 → 2)" in html


def test_an_edit_of_an_annotation_deleted_meanwhile_is_410_and_does_not_bring_it_back(two_panels, annotation):
    (author, mine), (curator_client, _) = two_panels
    assert (
        curator_client.post(reverse("annotation_delete", args=[annotation.pk]), headers=HTMX).status_code
        == 200
    )
    response = author.post(annotation.get_absolute_url(), {**mine, "note": "too late"}, headers=HTMX)
    assert response.status_code == 410
    assert "deleted by someone else meanwhile" in response.content.decode()
    assert not Annotation.objects.exists()


def test_a_review_of_an_annotation_deleted_meanwhile_is_410(curator_client, annotation):
    url = reverse("annotation_review", args=[annotation.pk])
    annotation.delete()
    response = curator_client.post(url, {"status": "accepted"}, headers=HTMX)
    assert response.status_code == 410
    assert not Annotation.objects.exists()


def test_a_delete_from_a_panel_opened_before_someone_elses_edit_is_refused(two_panels, annotation):
    (author, mine), (curator_client, theirs) = two_panels
    author.post(annotation.get_absolute_url(), {**mine, "note": "keep me"}, headers=HTMX)
    response = curator_client.post(
        reverse("annotation_delete", args=[annotation.pk]), {"version": theirs["version"]}, headers=HTMX
    )
    assert response.status_code == 409
    assert Annotation.objects.get().note == "keep me"


def test_a_delete_is_remembered_by_natural_key(user_client, user, annotation):
    user_client.post(reverse("annotation_delete", args=[annotation.pk]), {"version": 1}, headers=HTMX)
    deletion = Deletion.objects.get()
    assert (deletion.kind, deletion.key, deletion.deleted_by) == ("annotation", "talks:0-12|Quote|ann", user)


def test_a_link_edit_from_a_stale_panel_is_refused_and_shows_both(user_client, user, comparison):
    made = LinkFactory(
        source=span_over(comparison.left, "The minister"),
        target=span_over(comparison.right, "The talks"),
        author=user,
    )
    stale = {
        "relation": "counterpart",
        "note": "",
        "version": 1,
        "was_relation": "counterpart",
        "was_note": "",
    }
    user_client.post(made.get_absolute_url(), {**stale, "note": "first"}, headers=HTMX)
    response = user_client.post(made.get_absolute_url(), {**stale, "relation": "contradicts"}, headers=HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "someone else changed this link" in html
    assert '<option value="contradicts" selected>' in html
    made.refresh_from_db()
    assert (made.relation, made.note, made.version) == ("counterpart", "first", 2)


def test_a_selection_from_an_older_text_is_refused_by_its_digest(user_client, document):
    quote = "The minister"
    old_digest = document.text_sha256
    annotating.document_text_update(document=document, text="Breaking: " + document.text)
    start = document.text.index(quote)  # the words are still there, at new offsets
    data = {
        "document": document.pk,
        "start": start,
        "end": start + len(quote),
        "exact": quote,
        "label": builtin_label("Quote").pk,
        "text_sha256": old_digest,
    }
    response = user_client.post(reverse("annotation_create"), data, headers=HTMX)
    assert response.status_code == 409
    assert "edited since you opened the page" in response.content.decode()
    assert not Span.objects.exists()


def test_a_selection_from_an_older_text_is_refused_by_its_offsets(user_client, document):
    annotating.document_text_update(document=document, text="Breaking: " + document.text)
    data = {
        "document": document.pk,
        "start": 4,
        "end": 12,
        "exact": "minister",
        "label": builtin_label("Quote").pk,
    }
    response = user_client.post(reverse("annotation_create"), data, headers=HTMX)
    assert response.status_code == 409
    assert not Span.objects.exists()


def test_a_link_to_a_highlight_deleted_meanwhile_is_410(user_client, user, comparison):
    source = AnnotationFactory(span=span_over(comparison.left, "The minister"), author=user).span
    target = AnnotationFactory(span=span_over(comparison.right, "The talks"), author=user)
    target_span = target.span_id
    annotating.annotation_delete(annotation=target, user=user)
    response = user_client.post(
        reverse("link_create"),
        {"source": source.pk, "target": target_span, "relation": "counterpart"},
        headers=HTMX,
    )
    assert response.status_code == 410
    assert not Link.objects.exists()


def test_linking_new_text_from_a_span_with_no_annotation_and_no_label_is_400(user_client, user, comparison):
    bare = SpanFactory(document=comparison.left)
    LinkFactory(source=bare, target=span_over(comparison.right, "No one"), author=user)  # keeps it alive
    words = "The talks failed"
    response = user_client.post(
        reverse("link_create"),
        {
            "source": bare.pk,
            "target_document": comparison.right.pk,
            "target_start": 0,
            "target_end": len(words),
            "target_exact": words,
            "relation": "counterpart",
        },
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "Choose a label" in response.content.decode()
    assert Link.objects.count() == 1


def test_linking_a_suggestion_that_is_a_highlight_leaves_its_labels_alone(user_client, user, comparison):
    source = AnnotationFactory(span=span_over(comparison.left, "The minister"), author=user).span
    existing = AnnotationFactory(
        span=span_over(comparison.right, "The talks failed"), author=user, label=builtin_label("Claim")
    )
    response = user_client.post(
        reverse("link_create"),
        {
            "source": source.pk,
            "target_document": comparison.right.pk,
            "relation": "counterpart",
            "suggestion": f"{existing.span.start}-{existing.span.end}",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert Link.objects.get().target == existing.span
    assert list(existing.span.annotations.values_list("label__name", flat=True)) == ["Claim"]
