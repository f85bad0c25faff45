"""Long texts come in parts: the page holds the first, the others arrive as the reader scrolls.

Bad inputs tried on the part view: a part of a text edited since the page was loaded (409);
`from` missing, empty, in letters, a superscript digit ("²"),
an Arabic-Indic digit ("٣"), negative, with spaces, huge (20 digits), one past the last
paragraph; `through` in letters, negative and past the end of the text; a part of a text short
enough to be shown whole.
"""

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse

from reader import highlights
from reader import text as textlib
from reader.models import Annotation, Attribution, Label
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    LinkFactory,
    SpanFactory,
    builtin_label,
    long_text,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
REST = re.compile(
    r'<div class="rest" data-start="(\d+)" data-end="(\d+)" data-from="(\d+)"[^>]*>.*?</div>', re.S
)


@pytest.fixture(autouse=True)
def small_parts(settings):
    # Paging starts above 2,000 characters in parts of about 1,500: a test text of 60 paragraphs
    # (about 16,000 characters) makes about ten parts.
    settings.READER_PAGED_ABOVE = 2_000
    settings.READER_PAGE_CHARS = 1_500


@pytest.fixture
def long_document(db):
    return DocumentFactory(slug="long", title="A long article", text=long_text())


def column_of(page, document):
    """The inside of a column's text element."""
    return re.search(
        rf'<div class="text" id="text-{document.pk}"[^>]*>(.*?)</div>\n</article>', page, re.S
    ).group(1)


def text_of(fragment):
    """What a browser's Range.toString() counts: every text node but the placeholder's."""
    return htmllib.unescape(re.sub(r"<[^>]+>", "", REST.sub("", fragment)))


def part(client, document, first, **more):
    response = client.get(reverse("document_part", args=[document.slug]), {"from": first, **more}, **HX)
    assert response.status_code == 200, response.content
    return response.content.decode()


def all_parts(client, document):
    """The first part (from the page) and each next one its placeholder asks for, in order."""
    fragment = column_of(client.get(document.get_absolute_url()).content.decode(), document)
    fragments = [fragment]
    while rest := REST.search(fragments[-1]):
        fragments.append(part(client, document, rest.group(3)))
    return fragments


def test_a_short_text_is_shown_whole_without_a_placeholder(user_client, document):
    page = user_client.get(document.get_absolute_url()).content.decode()
    assert 'class="rest"' not in page
    assert text_of(column_of(page, document)) == document.text


def test_the_first_view_of_a_long_text_holds_its_first_part_and_ends_with_the_placeholder(
    user_client, long_document
):
    column = column_of(user_client.get(long_document.get_absolute_url()).content.decode(), long_document)
    first = highlights.part_of(long_document)
    assert 0 < first.high < len(long_document.text) / 5
    assert text_of(column) == long_document.text[: first.high]
    rest = REST.search(column)
    assert column.endswith(rest.group(0))
    assert rest.groups() == (str(first.high), str(len(long_document.text)), str(first.last))
    sha = long_document.text_sha256
    assert f'hx-get="/documents/long/text/?from={first.last}&amp;sha256={sha}"' in rest.group(0)
    assert 'hx-trigger="intersect once"' in rest.group(0)


def test_a_later_part_starts_exactly_where_the_placeholder_before_it_said(user_client, long_document):
    fragments = all_parts(user_client, long_document)
    assert len(fragments) > 5
    for before, after in zip(fragments, fragments[1:], strict=False):
        start = int(REST.search(before).group(1))
        end = int(REST.search(after).group(1)) if REST.search(after) else len(long_document.text)
        assert text_of(after) == long_document.text[start:end]


def test_the_parts_joined_are_the_whole_rendering(user_client, long_document, comparison):
    text = long_document.text
    quote = Label.objects.get(name="Quote")
    # Spans of every shape: nested, crossing paragraphs and the edges of parts, and linked.
    for start in range(0, len(text) - 400, 173):
        outer = AnnotationFactory(span=SpanFactory(document=long_document, start=start, end=start + 390))
        AnnotationFactory(
            span=SpanFactory(document=long_document, start=start + 20, end=start + 45), label=quote
        )
    LinkFactory(source=outer.span, target=SpanFactory(document=comparison.right, start=4, end=9))
    fragments = all_parts(user_client, long_document)
    looks = highlights.looks_for([long_document])[long_document.pk]
    assert REST.sub("", "".join(fragments)) == str(highlights.render_text(long_document, looks))
    assert text_of("".join(fragments)) == text


def test_a_highlight_across_the_edge_of_a_part_is_split_there_and_tagged_once(user_client, long_document):
    edge = highlights.part_of(long_document).high
    span = SpanFactory(document=long_document, start=edge - 30, end=edge + 40)
    AnnotationFactory(span=span)
    first, second = all_parts(user_client, long_document)[:2]
    pieces = [
        re.findall(rf'<mark [^>]*data-spans="{span.pk}"([^>]*)>([^<]*)</mark>', fragment)
        for fragment in (first, second)
    ]
    text = long_document.text
    assert "".join(words for _, words in pieces[0]) == text[edge - 30 : edge].strip("\n ")
    assert htmllib.unescape("".join(words for _, words in pieces[1])) in text[edge : edge + 40]
    assert pieces[1], "the span's second piece is missing from the next part"
    assert "data-tag" in pieces[0][0][0]
    assert all("data-tag" not in attributes for attributes, _ in pieces[1])


def test_a_new_annotation_shows_in_its_part_at_the_next_request(user_client, long_document):
    later = highlights.part_of(long_document, 4)
    assert "<mark" not in part(user_client, long_document, 4)
    AnnotationFactory(span=SpanFactory(document=long_document, start=later.low + 10, end=later.low + 30))
    assert "<mark" in part(user_client, long_document, 4)


def test_a_label_changed_with_an_older_date_than_the_parts_newest_change_shows(user_client, long_document):
    """On PostgreSQL `modified` is dated before the commit: an edit committing after the part was
    cached may be dated before its newest change, and leave the count, the newest id and the newest
    change as they were."""
    low = highlights.part_of(long_document, 4).low
    late = AnnotationFactory(span=SpanFactory(document=long_document, start=low + 10, end=low + 30))
    newest = AnnotationFactory(span=SpanFactory(document=long_document, start=low + 40, end=low + 60))
    assert "k-claim" not in part(user_client, long_document, 4)
    before = newest.modified - timedelta(seconds=1)
    Annotation.objects.filter(pk=late.pk).update(
        label=builtin_label("Claim"), version=F("version") + 1, modified=before
    )
    assert "k-claim" in part(user_client, long_document, 4)


def test_an_attribution_edited_with_an_older_date_than_the_newest_one_shows_in_its_part(
    user_client, user, long_document
):
    low = highlights.part_of(long_document, 4).low
    content = SpanFactory(document=long_document, start=low + 10, end=low + 30)
    cue = SpanFactory(document=long_document, start=low + 40, end=low + 44)
    edited = Attribution.objects.create(document=long_document, content=content, cue=cue, author=user)
    Attribution.objects.create(
        document=long_document, content=SpanFactory(document=long_document, start=low + 60, end=low + 70)
    )
    assert "a-cue" in part(user_client, long_document, 4)
    # Its cue removed, committed late: `modified` kept older than the newest attribution's.
    Attribution.objects.filter(pk=edited.pk).update(cue=None, version=F("version") + 1)
    assert "a-cue" not in part(user_client, long_document, 4)


def test_a_part_reaches_past_the_offset_asked_for(user_client, long_document):
    far = len(long_document.text) - 100
    fragment = part(user_client, long_document, 1, through=far)
    assert 'class="rest"' not in fragment
    assert text_of(fragment).endswith(long_document.text[far:])


def test_in_blind_reading_a_part_shows_only_the_readers_own_highlights(
    user_client, user, other_user, long_document
):
    ComparisonFactory(left=long_document, blind=True)
    low = highlights.part_of(long_document, 3).low
    mine = AnnotationFactory(
        span=SpanFactory(document=long_document, start=low + 5, end=low + 20), author=user
    )
    AnnotationFactory(
        span=SpanFactory(document=long_document, start=low + 40, end=low + 60), author=other_user
    )
    fragment = part(user_client, long_document, 3)
    assert re.findall(r'data-spans="(\d+)"', fragment) == [str(mine.span_id)]


def test_without_javascript_the_next_part_is_a_page_of_its_own(user_client, long_document):
    response = user_client.get(reverse("document_part", args=[long_document.slug]), {"from": 3})
    assert response.status_code == 302
    assert response["Location"] == "/documents/long/?from=3"
    page = user_client.get(response["Location"]).content.decode()
    wanted = highlights.part_of(long_document, 3)
    assert text_of(column_of(page, long_document)) == long_document.text[wanted.low : wanted.high]
    assert f'data-low="{wanted.low}"' in page
    assert f'href="/documents/long/?from={wanted.last}"' in page
    assert "Back to the start of the text" in page


def test_a_part_of_a_text_edited_since_the_page_was_loaded_is_refused(user_client, long_document):
    page = user_client.get(long_document.get_absolute_url()).content.decode()
    url = htmllib.unescape(re.search(r'<div class="rest"[^>]* hx-get="([^"]+)"', page).group(1))
    long_document.text = long_document.text.replace("Paragraph 30", "Paragraph thirty")
    long_document.text_sha256 = textlib.sha256(long_document.text)
    long_document.save()
    response = user_client.get(url, **HX)
    assert response.status_code == 409
    assert "edited since this page was loaded" in response.content.decode()


def test_anonymous_visitors_get_no_part(client, long_document):
    response = client.get(reverse("document_part", args=[long_document.slug]), {"from": 1}, **HX)
    assert response.status_code == 401  # htmx is told to log in (the middleware's answer to htmx)
    assert "Paragraph" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"from": ""},
        {"from": "two"},
        {"from": "²"},
        {"from": "٣"},
        {"from": "-1"},
        {"from": " 3"},
        {"from": "9" * 20},
        {"from": "60"},
        {"from": "1", "through": "far"},
        {"from": "1", "through": "-5"},
        {"from": "1", "through": "15000000"},
    ],
)
def test_a_bad_part_is_refused_with_a_clear_message(user_client, long_document, query):
    response = user_client.get(reverse("document_part", args=[long_document.slug]), query, **HX)
    assert response.status_code == 400
    assert re.search(r"paragraph|whole number|characters", response.content.decode())


def test_a_text_short_enough_to_show_whole_has_no_parts(user_client, document):
    response = user_client.get(reverse("document_part", args=[document.slug]), {"from": 0}, **HX)
    assert response.status_code == 400
    assert "shown whole" in response.content.decode()
