"""The sidebar at real density: "Show more" pages through every annotation and link, once each,
in reading order, as htmx asks for them (and as a plain link without JavaScript).

Bad inputs tried: ?page=², ?label=², ?speaker=³, ?span=², huge numbers, page 0, a status and a
relation outside the vocabulary.
"""

import re

import pytest
from django.urls import reverse

from reader.models import Annotation, Link
from tests.factories import AnnotationFactory, ComparisonFactory, DocumentFactory, LinkFactory, SpanFactory

WORDS = " ".join(f"word{i}" for i in range(400))


@pytest.fixture
def dense(db, user):
    """A comparison with 150 annotations on each side and 60 links between them."""
    comparison = ComparisonFactory(
        slug="dense", left=DocumentFactory(slug="l", text=WORDS), right=DocumentFactory(slug="r", text=WORDS)
    )
    spans = {}
    for document in (comparison.left, comparison.right):
        spans[document.pk] = []
        for match in list(re.finditer(r"\S+", WORDS))[:150]:
            span = SpanFactory(document=document, start=match.start(), end=match.end())
            AnnotationFactory(span=span, author=user)
            spans[document.pk].append(span)
    for left, right in list(zip(spans[comparison.left_id], spans[comparison.right_id], strict=True))[:60]:
        LinkFactory(source=left, target=right, author=user)
    return comparison


def follow_more(client, url, target, pattern):
    """Click "Show more" (target `more-annotations` or `more-links`) until it is gone; every item's id."""
    html = client.get(url).content.decode()
    found = re.findall(pattern, html)
    clicks = 0
    while (more := re.search(rf'id="{target}"><a href="\?([^"]*)" hx-get="([^"]*)"', html)) is not None:
        response = client.get(
            more.group(2).replace("&amp;", "&"), headers={"HX-Request": "true", "HX-Target": target}
        )
        assert response.status_code == 200
        html = response.content.decode()
        found += re.findall(pattern, html)
        clicks += 1
    return found, clicks


def test_show_more_annotations_pages_through_every_annotation_once_in_reading_order(user_client, dense):
    found, clicks = follow_more(
        user_client, dense.get_absolute_url(), "more-annotations", r'href="/annotations/(\d+)/'
    )
    expected = Annotation.objects.for_comparison(dense).values_list("pk", flat=True)
    assert [int(pk) for pk in found] == list(expected)
    assert clicks == 9  # 300 annotations, 30 a page


def test_show_more_links_pages_through_every_link_once(user_client, dense):
    found, clicks = follow_more(user_client, dense.get_absolute_url(), "more-links", r'href="/links/(\d+)/')
    assert sorted(int(pk) for pk in found) == sorted(Link.objects.values_list("pk", flat=True))
    assert len(found) == 60
    assert clicks == 1


def test_show_more_works_without_javascript(user_client, dense):
    page = user_client.get(dense.get_absolute_url())
    more = re.search(r'id="more-annotations"><a href="\?([^"]*)"', page.content.decode()).group(1)
    second = user_client.get(dense.get_absolute_url() + "?" + more.replace("&amp;", "&"))
    assert second.status_code == 200
    assert b"<!doctype html>" in second.content


def test_a_filtered_page_keeps_its_filter_when_showing_more(user_client, dense, user):
    url = dense.get_absolute_url() + f"?author={user.username}"
    found, _ = follow_more(user_client, url, "more-annotations", r'href="/annotations/(\d+)/')
    assert len(found) == 300


@pytest.mark.parametrize(
    "query",
    [
        "page=²",
        "label=²",
        "speaker=³",
        "page=0",
        "page=99999999999999999999999",
        "label=99999999999999999999999",
        "status=maybe",
        "relation=agrees",
        "label=1.5",
    ],
)
def test_a_bad_sidebar_parameter_is_a_400_with_a_message(user_client, dense, query):
    response = user_client.get(dense.get_absolute_url() + "?" + query, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flash"
    assert len(response.content) < 1000  # a message, not a page


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "-1", ""])
def test_a_bad_span_number_in_the_panel_is_a_400(user_client, dense, value):
    response = user_client.get(reverse("span_panel") + f"?span={value}", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "Name the highlights by their numbers" in response.content.decode()
