"""Blind mode: on a blind comparison an annotator sees only their own annotations, links and
attributions (reader, sidebar, panel, report, exports); curators see everything and open it.

Bad inputs tried: a non-curator toggling blind mode (403), blind=maybe (400), a non-curator's
export of a blind comparison and the export of everything while one is blind (403)."""

import pytest
from django.test import Client
from django.urls import reverse

from reader import attributing
from reader.attributing import Piece
from reader.models import Comparison
from tests.factories import AnnotationFactory, LinkFactory, span_over

HTMX = {"HX-Request": "true"}


@pytest.fixture
def two_readings(comparison, user, other_user):
    """ann and bob each read the pair; the comparison is blind."""
    mine = AnnotationFactory(span=span_over(comparison.left, "The minister"), author=user, note="ann's note")
    theirs = AnnotationFactory(
        span=span_over(comparison.left, "Officials denied"), author=other_user, note="bob's note"
    )
    their_target = AnnotationFactory(span=span_over(comparison.right, "No one"), author=other_user)
    LinkFactory(source=theirs.span, target=their_target.span, author=other_user, note="bob's link")
    attributing.attribution_create(
        document=comparison.left,
        content=theirs.span,
        cue=Piece(0, 3),
        author=other_user,
        note="bob's attribution",
    )
    Comparison.objects.filter(pk=comparison.pk).update(blind=True)
    comparison.refresh_from_db()
    return mine, theirs


def page(client, comparison):
    return client.get(comparison.get_absolute_url()).content.decode()


def test_an_annotator_sees_only_their_own_work_on_a_blind_comparison(user_client, comparison, two_readings):
    mine, theirs = two_readings
    html = page(user_client, comparison)
    assert "ann&#x27;s note" in html
    assert "bob&#x27;s note" not in html
    assert "bob&#x27;s link" not in html
    assert f'data-spans="{mine.span_id}"' in html
    assert f'data-spans="{theirs.span_id}"' not in html
    assert 'Annotations <span class="count">1</span>' in html
    assert "Blind reading: you see only your own work here" in html


def test_a_blind_panel_shows_only_ones_own_annotations_and_attributions(
    user_client, comparison, two_readings
):
    _, theirs = two_readings
    html = user_client.get(reverse("span_panel"), {"span": theirs.span_id}, headers=HTMX).content.decode()
    assert "bob&#x27;s note" not in html
    assert "bob&#x27;s attribution" not in html


def test_a_curator_sees_everyone_and_opens_the_comparison_for_all(
    client, curator, user_client, comparison, two_readings
):
    client.force_login(curator)
    html = page(client, comparison)
    assert "bob&#x27;s note" in html
    assert "ann&#x27;s note" in html
    response = client.post(reverse("comparison_blind", args=[comparison.slug]), {"blind": "0"})
    assert response.status_code == 302
    assert "bob&#x27;s note" in page(user_client, comparison)


def test_a_blind_report_is_of_ones_own_work(user_client, comparison, two_readings):
    data = user_client.get(reverse("comparison_report_json", args=[comparison.slug])).json()
    assert data["filters"]["annotator"] == "ann"
    assert data["counts"]["annotations"] == 1


def test_only_curators_toggle_blind_mode_and_only_with_a_clear_value(user_client, curator, comparison):
    url = reverse("comparison_blind", args=[comparison.slug])
    assert user_client.post(url, {"blind": "1"}).status_code == 403
    curator_client = Client()
    curator_client.force_login(curator)
    assert curator_client.post(url, {"blind": "maybe"}).status_code == 400
    assert curator_client.post(url, {"blind": "1"}).status_code == 302
    comparison.refresh_from_db()
    assert comparison.blind


def test_exports_of_blind_work_are_for_curators(user_client, curator, comparison, two_readings):
    url = reverse("export_annotations")
    assert user_client.get(url, {"comparison": comparison.slug}).status_code == 403
    assert user_client.get(url).status_code == 403  # everything, while a comparison is blind
    curator_client = Client()
    curator_client.force_login(curator)
    assert curator_client.get(url, {"comparison": comparison.slug}).status_code == 200


def test_a_new_annotation_in_blind_mode_is_drawn_without_others_highlights(
    user_client, comparison, two_readings
):
    from tests.factories import builtin_label

    text = comparison.left.text
    start = text.index("denied")
    data = {
        "document": comparison.left.pk,
        "start": start,
        "end": start + 6,
        "exact": "denied",
        "label": builtin_label("Claim").pk,
    }
    html = user_client.post(reverse("annotation_create"), data, headers=HTMX).content.decode()
    _, theirs = two_readings
    assert f'data-spans="{theirs.span_id}' not in html
    assert "k-claim" in html


def test_the_same_page_is_drawn_for_each_reader_in_blind_mode(
    user_client, other_user, comparison, two_readings
):
    mine, theirs = two_readings
    first = page(user_client, comparison)
    bob = Client()
    bob.force_login(other_user)
    second = page(bob, comparison)
    assert f'data-spans="{theirs.span_id}"' in second
    assert f'data-spans="{mine.span_id}"' not in second
    assert f'data-spans="{mine.span_id}"' in first
