"""Linking in headless Chromium: by clicking, by selecting, by following a suggestion."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from reader.models import Comparison, Link
from tests.browser.conftest import select, settled
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    LinkFactory,
    SpanFactory,
    builtin_label,
)

pytestmark = pytest.mark.browser
LEFT, RIGHT = ".column:nth-of-type(1)", ".column:nth-of-type(2)"


def tag(document, phrase, label="Claim", author=None):
    start = document.text.index(phrase)
    span = SpanFactory(document=document, start=start, end=start + len(phrase))
    AnnotationFactory(span=span, label=builtin_label(label), **({"author": author} if author else {}))
    return span


@pytest.fixture
def pair(transactional_db, builtin_labels):
    return ComparisonFactory(
        slug="pair",
        left=DocumentFactory(slug="left-doc", title="Left article", text="Officials denied it on Friday."),
        right=DocumentFactory(slug="right-doc", title="Right article", text="No one denied the report."),
    )


def open_highlight(page, words):
    page.locator(".text mark.hl", has_text=words).first.click()
    expect(page.locator("#panel [data-link-form]")).to_be_visible()
    settled(page)


def test_a_reader_links_two_highlights_by_clicking_and_sees_the_connector(
    pair, logged_in: Page, live_server, reader
):
    left = tag(pair.left, "Officials denied it", author=reader)
    right = tag(pair.right, "No one denied", author=reader)
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    open_highlight(page, "Officials denied it")
    page.keyboard.press("l")
    expect(page.locator("#panel [data-link-form] [data-picked]")).to_contain_text("Click a highlight")
    page.locator(f"{RIGHT} mark.hl", has_text="No one denied").click()
    expect(page.locator("#panel .links")).to_contain_text("No one denied")
    made = Link.objects.get()
    assert (made.source, made.target, made.relation, made.author) == (left, right, "counterpart", reader)

    expect(page.locator("#connectors path.connector")).to_have_count(1)
    page.keyboard.press("Escape")
    page.locator(f"{LEFT} mark.hl.linked").hover()
    expect(page.locator(f"{RIGHT} mark.hl.linked")).to_have_class(re.compile(r"\blit\b"))
    expect(page.locator("#connectors path.connector.lit")).to_have_count(1)


def test_a_reader_links_new_text_selected_in_the_other_article(pair, logged_in: Page, live_server, reader):
    tag(pair.left, "Officials denied it", author=reader)
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    open_highlight(page, "Officials denied it")
    page.locator("#panel").get_by_label("Relation").select_option("contradicts")
    page.locator("#panel [data-link-start]").click()
    page.evaluate(
        """() => { const t = document.querySelectorAll('.text')[1].querySelector('.para .u').firstChild;
        const r = document.createRange(); r.setStart(t, 0); r.setEnd(t, 13);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); }"""
    )
    expect(page.locator("#panel [data-link-form] [data-picked]")).to_contain_text("No one denied")
    expect(page.locator("#toolbar")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#panel .links")).to_contain_text("contradicts")
    made = Link.objects.get()
    assert (made.target.exact, made.relation) == ("No one denied", "contradicts")
    assert made.target.annotations.get().label.name == "Claim"  # labelled like its source
    expect(page.locator("#sidebar .link-list")).to_contain_text("No one denied")


def test_escape_cancels_linking(pair, logged_in: Page, live_server, reader):
    tag(pair.left, "Officials denied it", author=reader)
    tag(pair.right, "No one denied", author=reader)
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    open_highlight(page, "Officials denied it")
    page.keyboard.press("l")
    page.keyboard.press("Escape")
    page.locator(f"{RIGHT} mark.hl", has_text="No one denied").click()
    expect(page.locator("#panel .span-card blockquote")).to_have_text("No one denied")  # opened, not linked
    assert not Link.objects.exists()


def test_a_reader_follows_a_suggested_counterpart_in_the_seeds(
    transactional_db, builtin_labels, logged_in: Page, live_server
):
    call_command("load_seeds", verbosity=0)
    comparison = Comparison.objects.get()
    page = logged_in
    page.goto(live_server.url + comparison.get_absolute_url())
    select(page, LEFT, "causing brain injury among dozens of American servicemen")
    page.keyboard.press("c")
    suggestion = page.locator("#panel .suggestions li", has_text="109 traumatic brain injuries")
    suggestion.get_by_role("button", name="Link this").click()
    expect(page.locator("#panel .links")).to_contain_text("109 traumatic brain injuries")
    made = Link.objects.get()
    assert made.source.exact == "causing brain injury among dozens of American servicemen"
    assert made.target.exact == "The strikes caused 109 traumatic brain injuries among US troops."
    expect(page.locator("#connectors path.connector")).to_have_count(1)


def test_the_link_view_shows_the_two_wordings_side_by_side(pair, logged_in: Page, live_server, reader):
    left = tag(pair.left, "Officials denied it", author=reader)
    right = tag(pair.right, "No one denied", author=reader)
    made = Link.objects.create(source=left, target=right, relation="contradicts", author=reader)
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    page.locator("#sidebar .link-list a").click()
    expect(page.locator("#panel table.diff")).to_be_visible()
    expect(page.locator("#panel table.diff .changed")).to_have_text(["Officials", "No one"])
    expect(page.locator("#panel table.diff del")).to_have_text("it")
    assert made.pk == int(page.locator("#panel .link-panel").get_attribute("data-link"))


def test_hovering_a_link_whose_counterpart_is_out_of_view_keeps_its_connector_lit(
    transactional_db, builtin_labels, logged_in: Page, live_server, reader
):
    # Hovering scrolls the other column to the counterpart, and every scroll redraws the
    # connectors: a redraw once dropped the lit class, leaving the hovered link dimmed.
    filler = "\n\n".join(f"Paragraph {n} says nothing that matters here." for n in range(60))
    pair = ComparisonFactory(
        slug="far",
        left=DocumentFactory(slug="near-doc", title="Near", text="Officials denied it on Friday."),
        right=DocumentFactory(slug="far-doc", title="Far", text=filler + "\n\nNo one denied the report."),
    )
    LinkFactory(source=tag(pair.left, "Officials denied it"), target=tag(pair.right, "No one denied"))
    page = logged_in
    page.set_viewport_size({"width": 1400, "height": 800})
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    settled(page)
    page.locator(f"{LEFT} mark.hl.linked").hover()
    expect(page.locator(f"{RIGHT} mark.hl.linked")).to_be_in_viewport()
    page.wait_for_timeout(500)  # the column's scroll has ended and the connectors are redrawn
    expect(page.locator("#connectors path.connector.lit")).to_have_count(1)
