"""Reading: the pages, their highlights and the sidebar, as Django's client sees them."""

import html as htmllib
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader import annotating
from reader.models import Annotation, Label, Span
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    SpanFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
)

pytestmark = pytest.mark.django_db


def marks(html):
    return re.findall(r'<mark class="hl ([^"]*)" data-spans="([^"]*)"[^>]*>([^<]*)</mark>', html)


def text_of(html, document):
    """The text a browser's Range.toString() sees in a column: every text node, tags dropped."""
    column = re.search(rf'<div class="text" id="text-{document.pk}"[^>]*>(.*?)</div>', html, re.S).group(1)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", column))


def test_anonymous_visitors_are_sent_to_the_login_page(client, comparison):
    response = client.get(comparison.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_page_uses_the_apps_look(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"reader/reader.css" in response.content
    assert b"Close Reader" in response.content


def test_home_lists_comparisons_and_documents(user_client, comparison):
    html = user_client.get(reverse("home")).content.decode()
    assert comparison.title in html
    assert comparison.left.title in html
    assert comparison.right.title in html


def test_comparison_shows_both_articles_with_title_outlet_and_date(user_client, comparison):
    comparison.left.published = "2021-01-02"
    comparison.left.save()
    html = user_client.get(comparison.get_absolute_url()).content.decode()
    for document in comparison.documents:
        assert document.title in html
        assert document.outlet in html
    assert "2 January 2021" in html


def test_the_page_holds_each_text_character_for_character(user_client, comparison, emoji_document):
    comparison.right = emoji_document
    comparison.save()
    SpanFactory(document=emoji_document, start=7, end=20)
    AnnotationFactory(span=emoji_document.spans.get())
    html = user_client.get(comparison.get_absolute_url()).content.decode()
    assert text_of(html, comparison.left) == comparison.left.text
    assert text_of(html, emoji_document) == emoji_document.text


def test_paragraphs_follow_blank_lines(user_client, document):
    html = user_client.get(document.get_absolute_url()).content.decode()
    assert len(re.findall(r'<p id="p-\d+-\d+" class="para"', html)) == 3


def test_an_annotation_is_a_highlight_over_its_words(user_client, document):
    annotation = AnnotationFactory(span=SpanFactory(document=document, start=4, end=12))
    html = user_client.get(document.get_absolute_url()).content.decode()
    assert marks(html) == [
        (f"lab-{annotation.label_id} k-quote", str(annotation.span_id), document.text[4:12])
    ]


def test_nested_and_overlapping_highlights_are_cut_into_segments(user_client, document):
    outer = AnnotationFactory(span=SpanFactory(document=document, start=0, end=20))
    inner = AnnotationFactory(
        span=SpanFactory(document=document, start=4, end=12), label=builtin_label("Claim")
    )
    crossing = AnnotationFactory(
        span=SpanFactory(document=document, start=15, end=30), label=builtin_label("Speaker")
    )
    found = [
        (spans.split(), words)
        for _, spans, words in marks(user_client.get(document.get_absolute_url()).content.decode())
    ]
    o, i, c = str(outer.span_id), str(inner.span_id), str(crossing.span_id)
    text = document.text
    assert found == [
        ([o], text[0:4]),
        ([o, i], text[4:12]),
        ([o], text[12:15]),
        ([o, c], text[15:20]),
        ([c], text[20:30]),
    ]


def test_a_span_across_paragraphs_is_highlighted_in_each(user_client, document):
    second = document.text.index("Officials")
    annotation = AnnotationFactory(span=SpanFactory(document=document, start=4, end=second + 9))
    html = user_client.get(document.get_absolute_url()).content.decode()
    pieces = [words for _, spans, words in marks(html) if spans == str(annotation.span_id)]
    assert pieces == [document.text[4 : document.text.index("\n")], "Officials"]


def test_labels_differ_by_more_than_colour(user_client, document):
    AnnotationFactory(span=SpanFactory(document=document, start=4, end=12))
    AnnotationFactory(span=SpanFactory(document=document, start=20, end=25), label=builtin_label("Claim"))
    html = user_client.get(document.get_absolute_url()).content.decode()
    assert 'class="hl lab-' in html
    assert "k-quote" in html
    assert "k-claim" in html
    assert 'data-tag="Q"' in html
    assert 'data-tag="C"' in html


def test_label_colours_come_from_a_stylesheet_not_inline_styles(user_client, document):
    label = builtin_label("Quote")
    css = user_client.get(reverse("labels_css")).content.decode()
    assert f".lab-{label.pk}{{--hl:{label.colour}}}" in css
    html = user_client.get(document.get_absolute_url()).content.decode()
    assert "style=" not in html


def test_changing_a_colour_changes_the_stylesheet_address(user_client, document):
    before = re.search(r'href="(/labels\.css\?v=\w+)"', user_client.get("/").content.decode()).group(1)
    Label.objects.filter(name="Quote").update(colour="#000000")
    after = re.search(r'href="(/labels\.css\?v=\w+)"', user_client.get("/").content.decode()).group(1)
    assert before != after


def test_sidebar_lists_annotations_in_reading_order_with_their_details(user_client, document, user):
    speaker = SpeakerFactory(name="The Minister")
    later = AnnotationFactory(
        span=SpanFactory(document=document, start=45, end=54), author=user, note="denial"
    )
    earlier = AnnotationFactory(
        span=SpanFactory(document=document, start=0, end=12), author=user, speaker=speaker, cue="said"
    )
    html = user_client.get(document.get_absolute_url()).content.decode()
    sidebar = html[html.index('id="sidebar"') :]
    assert sidebar.index(earlier.span.exact) < sidebar.index(later.span.exact)
    for shown in ["The Minister", "said", "denial", user.username, "pending", "Quote"]:
        assert shown in sidebar


def test_sidebar_filters_by_label(user_client, document):
    quote = AnnotationFactory(span=SpanFactory(document=document, start=0, end=12))
    claim = AnnotationFactory(
        span=SpanFactory(document=document, start=45, end=54), label=builtin_label("Claim")
    )
    html = user_client.get(document.get_absolute_url(), {"label": claim.label_id}).content.decode()
    sidebar = html[html.index('id="sidebar"') :]
    assert f"/annotations/{claim.pk}/" in sidebar
    assert f"/annotations/{quote.pk}/" not in sidebar


def test_sidebar_filters_by_annotator(user_client, document, user, other_user):
    mine = AnnotationFactory(span=SpanFactory(document=document, start=0, end=12), author=user)
    theirs = AnnotationFactory(span=SpanFactory(document=document, start=45, end=54), author=other_user)
    html = user_client.get(document.get_absolute_url(), {"author": other_user.username}).content.decode()
    sidebar = html[html.index('id="sidebar"') :]
    assert f"/annotations/{theirs.pk}/" in sidebar
    assert f"/annotations/{mine.pk}/" not in sidebar


def test_the_sidebar_alone_is_served_to_htmx(user_client, document):
    AnnotationFactory(span=SpanFactory(document=document, start=0, end=12))
    response = user_client.get(
        document.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "sidebar"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<h2>Annotations")
    assert 'class="text"' not in html


def test_html_in_texts_notes_and_titles_is_shown_as_text(user_client, db):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    document = DocumentFactory(slug="xss", title=payload, text=f"Before {payload} after.")
    AnnotationFactory(span=SpanFactory(document=document, start=0, end=6), note=payload, cue=payload)
    html = user_client.get(document.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_unknown_comparison_or_document_is_404(user_client, db):
    assert user_client.get("/compare/nope/").status_code == 404
    assert user_client.get("/documents/nope/").status_code == 404


def queries_for_reader_with(count, client, comparison):
    annotators = [UserFactory(username=f"annotator{n}") for n in range(5)]
    for n in range(count):
        document = comparison.documents[n % 2]
        start = n * 7
        AnnotationFactory(
            span=SpanFactory(document=document, start=start, end=start + 5 + n % 9),
            speaker=SpeakerFactory(name=f"Speaker {n % 7}"),
            author=annotators[n % 5],
            note="a note" if n % 3 else "",
        )
    assert Annotation.objects.count() == count
    cache.clear()  # a first view: nothing cached, nothing to patch
    with CaptureQueriesContext(connection) as queries:
        response = client.get(comparison.get_absolute_url())
    assert response.status_code == 200
    assert response.content.count(b'<mark class="hl') >= count // 2
    return len(queries)


def test_the_reader_page_query_count_does_not_grow_with_annotations(user_client):
    long_text = "Several words follow one another here. " * 300
    comparison = ComparisonFactory(left__text=long_text, right__text=long_text)
    for document in comparison.documents:  # the texts held by the process, as after any first view
        annotating.committed_text(document.pk, document.text_sha256)
    few = queries_for_reader_with(10, user_client, comparison)
    Span.objects.all().delete()
    many = queries_for_reader_with(500, user_client, comparison)
    # A sidebar page asks the second article for its rows only when the first runs out: one
    # query fewer once the first article alone fills a page.
    assert many in (few, few - 1)


def test_the_sidebar_counts_every_annotation_on_the_page_and_in_its_refresh(
    user_client, document, other_user
):
    span = SpanFactory(document=document, start=0, end=12)
    AnnotationFactory(span=span)
    AnnotationFactory(span=span, author=other_user)
    AnnotationFactory(span=SpanFactory(document=document, start=45, end=54))
    page = user_client.get(document.get_absolute_url()).content.decode()
    fragment = user_client.get(
        document.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "sidebar"}
    ).content.decode()
    for html in (page, fragment):
        assert '<h2>Annotations <span class="count">3</span>' in html


def test_the_reader_and_the_report_offer_both_exports(user_client, comparison):
    for url in (comparison.get_absolute_url(), reverse("comparison_report", args=[comparison.slug])):
        html = user_client.get(url).content.decode()
        assert f'href="/export/annotations.json?comparison={comparison.slug}"' in html
        assert f'href="/export/annotations.json?comparison={comparison.slug}&amp;format=w3c"' in html


def marks_of(client, document):
    return [
        (classes.split()[0:2], spans, words)
        for classes, spans, words in marks(client.get(document.get_absolute_url()).content.decode())
    ]


def test_the_rendered_text_follows_every_change_despite_its_cache(user_client, user, document, comparison):
    """The column HTML is cached by fingerprint: each kind of change must show at once."""
    seen = [marks_of(user_client, document)]
    annotation = AnnotationFactory(span=SpanFactory(document=document, start=4, end=12), author=user)
    seen.append(marks_of(user_client, document))  # created
    annotation.label = builtin_label("Claim")
    annotation.save()
    seen.append(marks_of(user_client, document))  # label changed
    other = AnnotationFactory(span=SpanFactory(document=document, start=20, end=25), author=user)
    seen.append(marks_of(user_client, document))  # a second one
    Span.objects.filter(pk=other.span_id).delete()
    AnnotationFactory(span=SpanFactory(document=document, start=30, end=35), author=user)
    seen.append(marks_of(user_client, document))  # one deleted, another created: same count
    Label.objects.filter(name="Claim").update(name="Assertion")
    html = user_client.get(document.get_absolute_url()).content.decode()
    assert 'title="Assertion"' in html  # a renamed label
    assert all(a != b for a, b in zip(seen, seen[1:], strict=False))
    assert seen[-1] == [
        ([f"lab-{annotation.label_id}", "k-claim"], str(annotation.span_id), document.text[4:12]),
        (
            [f"lab-{builtin_label('Quote').pk}", "k-quote"],
            str(Span.objects.get(start=30).pk),
            document.text[30:35],
        ),
    ]


def test_a_new_link_shows_on_a_cached_page(user_client, user, comparison):
    from reader.models import Link

    left = AnnotationFactory(span=SpanFactory(document=comparison.left, start=4, end=12), author=user)
    right = AnnotationFactory(span=SpanFactory(document=comparison.right, start=4, end=9), author=user)
    assert " linked" not in user_client.get(comparison.get_absolute_url()).content.decode()
    link = Link.objects.create(source=left.span, target=right.span, relation="counterpart", author=user)
    assert user_client.get(comparison.get_absolute_url()).content.decode().count(" linked") == 2
    link.delete()
    assert " linked" not in user_client.get(comparison.get_absolute_url()).content.decode()
