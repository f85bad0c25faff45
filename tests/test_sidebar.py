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


def test_the_sidebar_lists_annotations_in_the_order_of_the_columns_not_of_the_titles(user_client, user):
    comparison = ComparisonFactory(
        left=DocumentFactory(title="Zeta, on the left", text="Left words here."),
        right=DocumentFactory(title="Alpha, on the right", text="Right words here."),
    )
    left = AnnotationFactory(span=SpanFactory(document=comparison.left, start=0, end=4), author=user)
    right = AnnotationFactory(span=SpanFactory(document=comparison.right, start=0, end=5), author=user)
    html = user_client.get(comparison.get_absolute_url()).content.decode()
    found = [int(pk) for pk in re.findall(r'href="/annotations/(\d+)/', html)]
    assert found == [left.pk, right.pk]
    assert html.index("Zeta, on the left</h3>") < html.index("Alpha, on the right</h3>")


def test_a_filtered_sidebar_says_how_many_of_all_it_shows(user_client, dense, user, other_user):
    AnnotationFactory(span=Annotation.objects.first().span, author=other_user)
    html = user_client.get(dense.get_absolute_url() + f"?author={other_user.username}").content.decode()
    assert 'Annotations <span class="count">1 of 301</span>' in html
    assert 'Links <span class="count">0 of 60</span>' in html


def test_a_filter_names_the_highlights_it_keeps_so_the_text_can_dim_the_rest(user_client, dense, other_user):
    kept = AnnotationFactory(span=Annotation.objects.first().span, author=other_user)
    html = user_client.get(dense.get_absolute_url() + f"?author={other_user.username}").content.decode()
    assert f'<div id="filter-match" hidden data-spans="{kept.span_id}"></div>' in html
    plain = user_client.get(dense.get_absolute_url()).content.decode()
    assert 'id="filter-match"' not in plain


def test_a_relation_filter_keeps_the_ends_of_its_links(user_client, dense):
    contradictions = Link.objects.filter(relation="contradicts")
    html = user_client.get(dense.get_absolute_url() + "?relation=contradicts").content.decode()
    kept = re.search(r'id="filter-match" hidden data-spans="([^"]*)"', html).group(1).split()
    ends = {str(pk) for link in contradictions for pk in (link.source_id, link.target_id)}
    assert set(kept) == ends
    assert f"{contradictions.count()} of 60" in html
