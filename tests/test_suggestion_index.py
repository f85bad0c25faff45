"""Counterpart-suggestion indexes kept with their documents (reader/indexes.py): built when a long
text is saved (a short one by its first suggestion), read back in any worker, built again when
stale; and what the panel offers with them."""

import re

import pytest
from django.urls import reverse

from reader import indexes
from reader.models import Link, SuggestionIndex
from tests.factories import AnnotationFactory, ComparisonFactory, DocumentFactory, builtin_label, span_over

HTMX = {"HX-Request": "true"}


@pytest.fixture
def index_every_text(settings):
    """Index every saved text, however short, as a long one is."""
    settings.SUGGEST_INDEX_AHEAD_ABOVE = 0


def test_saving_a_long_text_builds_its_index_once_the_save_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory(text="A sentence of a long article. " * 700)
    row = SuggestionIndex.objects.get(document=document)
    assert row.text_sha256 == document.text_sha256


def test_a_short_text_is_indexed_by_its_first_suggestion_not_its_save(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory()
    assert not SuggestionIndex.objects.filter(document=document).exists()
    assert indexes.index_for(document).matches(document.text)
    assert SuggestionIndex.objects.get(document=document).text_sha256 == document.text_sha256


def test_a_stale_index_is_built_again_for_the_new_text(
    db, index_every_text, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        document.text = "An entirely new text.\n\nWith two paragraphs."
        document.save()
    assert SuggestionIndex.objects.get(document=document).text_sha256 == document.text_sha256
    assert indexes.index_for(document).matches(document.text)


def test_an_index_is_read_from_the_database_when_no_worker_holds_it(
    db, index_every_text, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    with django_capture_on_commit_callbacks(execute=True):
        document = DocumentFactory()
    indexes._LOADED.clear()
    cache.clear()
    index = indexes.index_for(document)
    assert index.matches(document.text)


@pytest.fixture
def pair(db, user):
    return ComparisonFactory(
        slug="pair",
        left=DocumentFactory(slug="l", text="Officials said the talks had failed on Friday."),
        right=DocumentFactory(
            slug="r",
            text="Background: Reactions\n\nThe talks failed on Friday, officials said.\n\nNothing else.",
        ),
    )


def test_a_suggestion_that_is_a_highlight_links_to_it_as_it_is(user_client, user, pair):
    source = AnnotationFactory(
        span=span_over(pair.left, "Officials said the talks had failed on Friday."), author=user
    ).span
    target = AnnotationFactory(
        span=span_over(pair.right, "The talks failed on Friday, officials said."),
        author=user,
        label=builtin_label("Claim"),
    ).span
    html = user_client.get(
        reverse("span_panel"), {"span": source.pk, "comparison": "pair"}, headers=HTMX
    ).content.decode()
    assert f'name="target" value="{target.pk}" data-suggestion' in html
    user_client.post(
        reverse("link_create"),
        {"source": source.pk, "target": target.pk, "relation": "counterpart"},
        headers=HTMX,
    )
    assert Link.objects.get().target == target
    assert list(target.annotations.values_list("label__name", flat=True)) == ["Claim"]


def test_a_heading_is_never_suggested(user_client, user, pair):
    pair.right.headings = [[0, 22]]
    pair.right.save()
    source = AnnotationFactory(span=span_over(pair.left, "Officials said"), author=user).span
    html = user_client.get(
        reverse("span_panel"), {"span": source.pk, "comparison": "pair"}, headers=HTMX
    ).content.decode()
    suggested = re.findall(r'<div class="suggestions">(.*?)</div>', html, re.S)[0]
    assert "Background" not in suggested
