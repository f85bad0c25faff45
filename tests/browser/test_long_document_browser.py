"""A long text in headless Chromium: its parts arrive as the reader scrolls, and selection,
highlights, connectors and the sidebar work across the edges of parts.

The paging threshold is lowered (texts over 2,000 characters come in parts of about 1,500), so
a synthetic article of 60 paragraphs (tests.factories.long_text: emoji, combining marks, an
astral letter, line breaks, a heading) makes about ten parts and the tests stay fast.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from reader import highlights
from reader.models import Annotation
from tests.browser.conftest import select, settled
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    LinkFactory,
    SpanFactory,
    long_text,
)

pytestmark = pytest.mark.browser
LEFT, RIGHT = ".column:nth-of-type(1)", ".column:nth-of-type(2)"


@pytest.fixture(autouse=True)
def small_parts(settings):
    settings.READER_PAGED_ABOVE = 2_000
    settings.READER_PAGE_CHARS = 1_500


@pytest.fixture
def pair(transactional_db, builtin_labels):
    return ComparisonFactory(
        slug="long-pair",
        left=DocumentFactory(slug="long-left", title="Long left", text=long_text(60, seed=0)),
        right=DocumentFactory(slug="long-right", title="Long right", text=long_text(60, seed=3)),
    )


def span_over(document, phrase, author=None):
    start = document.text.index(phrase)
    span = SpanFactory(document=document, start=start, end=start + len(phrase))
    AnnotationFactory(span=span, **({"author": author} if author else {}))
    return span


def scroll_down(page, column):
    """Scroll a column to its placeholder, as a reader would, and wait for htmx to be done."""
    page.evaluate(f"document.querySelector('{column} .text > .rest')?.scrollIntoView()")
    page.wait_for_timeout(50)
    settled(page)


def scroll_to_end(page, column):
    """Scroll a column down until no placeholder is left in it."""
    for _ in range(60):
        if not page.locator(f"{column} .text > .rest").count():
            return
        scroll_down(page, column)
    raise AssertionError("the text never finished loading")


def test_scrolling_a_long_text_loads_the_rest_until_the_page_holds_it_whole(
    pair, logged_in: Page, live_server, guard
):
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    first = highlights.part_of(pair.left)
    shown = page.evaluate("document.querySelector('.column .text').textContent")
    assert shown.startswith(pair.left.text[: first.high])
    assert len(shown) < len(pair.left.text) / 3  # the rest is not there yet
    scroll_to_end(page, LEFT)
    assert page.evaluate("document.querySelector('.column .text').textContent") == pair.left.text
    assert page.locator(f"{RIGHT} .text > .rest").count() == 1  # the other column loads on its own


def test_selecting_words_in_a_later_part_tags_them_at_their_offsets(
    pair, logged_in: Page, live_server, reader, guard
):
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    phrase = "Paragraph 41 sentence 2"  # after emoji and an astral letter in the same paragraph
    assert highlights.part_of(pair.left).high < pair.left.text.index(phrase)
    while not page.locator(f"{LEFT} .para", has_text=phrase).count():
        scroll_down(page, LEFT)
    select(page, LEFT, phrase)
    page.keyboard.press("q")
    expect(page.locator(f"{LEFT} mark.hl", has_text=phrase)).to_have_count(1)
    span = Annotation.objects.get().span
    start = pair.left.text.index(phrase)
    assert (span.start, span.end, span.exact) == (start, start + len(phrase), phrase)
    assert span.exact == pair.left.text[span.start : span.end]


def test_a_selection_reaching_into_the_placeholder_stops_where_the_loaded_text_ends(
    pair, logged_in: Page, live_server, guard
):
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    offsets = page.evaluate(
        """() => { const root = document.querySelector('.column .text');
        const last = root.querySelector(':scope > .para:last-of-type');
        const range = document.createRange();
        range.setStart(last.querySelector('.u').firstChild, 0);
        range.setEnd(root.querySelector(':scope > .rest a').firstChild, 4);
        const s = getSelection(); s.removeAllRanges(); s.addRange(range);
        return [Number(last.dataset.start), Number(root.querySelector(':scope > .rest').dataset.start)]; }"""
    )
    expect(page.locator("#toolbar")).to_be_visible()
    values = page.evaluate(
        "['start', 'end', 'exact'].map((n) => document.getElementById('toolbar').elements[n].value)"
    )
    start, end = offsets
    assert values == [str(start), str(end), pair.left.text[start:end]]


def test_a_links_connector_is_drawn_once_both_its_ends_are_loaded(
    pair, logged_in: Page, live_server, reader, guard
):
    far = span_over(pair.left, "Paragraph 30 sentence 1", author=reader)
    near = span_over(pair.right, "Paragraph 1 sentence 0", author=reader)
    LinkFactory(source=far, target=near, author=reader)
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    settled(page)
    assert page.locator(f"{LEFT} mark.hl").count() == 0
    expect(page.locator("#connectors path.connector")).to_have_count(0)
    while not page.locator(f"{LEFT} mark.hl.linked").count():
        scroll_down(page, LEFT)
    page.locator(f"{LEFT} mark.hl.linked").scroll_into_view_if_needed()
    expect(page.locator("#connectors path.connector")).to_have_count(1)
    page.locator(f"{LEFT} mark.hl.linked").hover()
    expect(page.locator(f"{RIGHT} mark.hl.linked")).to_have_class(re.compile(r"\blit\b"))


def test_a_sidebar_item_whose_highlight_is_not_loaded_yet_loads_the_text_up_to_it(
    pair, logged_in: Page, live_server, reader, guard
):
    span = span_over(pair.left, "Paragraph 52 sentence 0", author=reader)
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    mark = page.locator(f'{LEFT} mark[data-spans="{span.pk}"]')
    assert mark.count() == 0
    page.locator(f'#sidebar a[data-span="{span.pk}"]').click()
    expect(mark).to_have_class(re.compile(r"\bactive\b"))
    expect(mark).to_be_in_viewport()
    expect(page.locator("#panel .panel-inner")).to_contain_text("Paragraph 52 sentence 0")
    # Everything before it is there, character for character.
    loaded = page.evaluate(
        f"""[...document.querySelector('{LEFT} .text').childNodes]
        .filter((node) => !node.classList?.contains('rest')).map((node) => node.textContent).join('')"""
    )
    assert len(loaded) > span.end
    assert pair.left.text.startswith(loaded)
