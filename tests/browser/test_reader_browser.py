"""The reader in headless Chromium, used as a new reader would use it."""

import re

import pytest
from playwright.sync_api import Page, expect

from reader.models import Annotation, Span
from tests.browser.conftest import select, settled
from tests.conftest import EMOJI_TEXT
from tests.factories import ComparisonFactory, DocumentFactory

pytestmark = pytest.mark.browser

LEFT, RIGHT = ".column:nth-of-type(1)", ".column:nth-of-type(2)"


@pytest.fixture
def pair(transactional_db):
    return ComparisonFactory(
        slug="pair",
        left=DocumentFactory(
            slug="mehr",
            title="Left article",
            text="The minister said the talks had failed.\n\nOfficials denied it.",
        ),
        right=DocumentFactory(slug="rt", title="Right article", text=EMOJI_TEXT),
    )


def mark_with(page, words):
    return page.locator(".text mark.hl", has_text=words)


def test_a_reader_tags_a_phrase_in_each_article_by_button_and_by_key(
    logged_in: Page, live_server, pair, reader
):
    page = logged_in
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=pair.title).click()
    expect(page.get_by_role("heading", name="Left article", level=2)).to_be_visible()

    select(page, LEFT, "the talks had failed")
    page.locator("#toolbar").get_by_role("button", name=re.compile("^Claim")).click()
    expect(mark_with(page, "the talks had failed")).to_have_class(re.compile("k-claim"))

    select(page, RIGHT, "we will respond")
    page.keyboard.press("q")
    expect(mark_with(page, "we will respond")).to_have_class(re.compile("k-quote"))
    expect(page.locator("#sidebar")).to_contain_text("we will respond")
    expect(page.locator("#sidebar h2 .count")).to_have_text("2")

    stored = {(a.span.document.slug, a.span.exact, a.label.name) for a in Annotation.objects.all()}
    assert stored == {("mehr", "the talks had failed", "Claim"), ("rt", "we will respond", "Quote")}
    for span in Span.objects.all():
        assert span.document.text[span.start : span.end] == span.exact

    page.reload()
    expect(mark_with(page, "the talks had failed")).to_be_visible()
    expect(mark_with(page, "we will respond")).to_be_visible()


def test_offsets_sent_from_the_emoji_document_are_code_points(pair, logged_in: Page, live_server):
    page = logged_in
    page.goto(live_server.url + f"/documents/{pair.right.slug}/")
    # After a ZWJ family, flags, a combining accent and an astral letter, in the second paragraph.
    for phrase in ["café in Zürich", "🇷🇺 flew", "e\u0301lan, nai\u0308ve, 𝒳 rules", "👍🏽 ends"]:
        select(page, ".column", phrase)
        page.keyboard.press("c")
        expect(mark_with(page, phrase.split()[-1])).to_be_visible()
    spans = list(Span.objects.order_by("start"))
    assert [s.exact for s in spans] == [
        "café in Zürich",
        "🇷🇺 flew",
        "e\u0301lan, nai\u0308ve, 𝒳 rules",
        "👍🏽 ends",
    ]
    for span in spans:
        assert EMOJI_TEXT[span.start : span.end] == span.exact
    page.reload()
    expect(page.locator(".text mark.hl")).to_have_count(4)


def test_a_selection_across_paragraphs_is_stored_with_its_blank_line(pair, logged_in: Page, live_server):
    page = logged_in
    page.goto(live_server.url + f"/documents/{pair.left.slug}/")
    page.evaluate(
        """() => { const ps = document.querySelectorAll('.text .para');
        const first = ps[0].querySelector('.u').firstChild, second = ps[1].querySelector('.u').firstChild;
        const r = document.createRange(); r.setStart(first, 28); r.setEnd(second, 9);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); }"""
    )
    expect(page.locator("#toolbar")).to_be_visible()
    page.keyboard.press("c")
    expect(page.locator(".text mark.hl")).to_have_count(2)
    assert Span.objects.get().exact == "had failed.\n\nOfficials"


def test_a_mouse_drag_selects_and_escape_cancels(pair, logged_in: Page, live_server):
    page = logged_in
    page.goto(live_server.url + f"/documents/{pair.left.slug}/")
    box = page.evaluate(
        """() => { const t = document.querySelector('.text .para .u').firstChild;
        const r = document.createRange(); r.setStart(t, 4); r.setEnd(t, 12);
        const b = r.getBoundingClientRect(); return {x: b.left, y: b.top + b.height / 2, right: b.right}; }"""
    )
    page.mouse.move(box["x"] + 1, box["y"])
    page.mouse.down()
    page.mouse.move(box["right"] - 1, box["y"], steps=5)
    page.mouse.up()
    expect(page.locator("#toolbar")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#toolbar")).to_be_hidden()
    page.keyboard.press("q")
    assert Annotation.objects.count() == 0


def test_clicking_a_highlight_opens_it_for_attribution(pair, logged_in: Page, live_server):
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    select(page, RIGHT, "we will respond")
    page.keyboard.press("q")
    panel = page.locator("#panel")
    expect(panel).to_contain_text("we will respond")
    panel.get_by_label("Attributed to").fill("The spokesman")
    panel.get_by_label("Cue").fill("said")
    panel.get_by_label("Note", exact=True).fill("Only this outlet has it.")
    panel.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#sidebar")).to_contain_text("The spokesman")
    page.keyboard.press("Escape")
    expect(panel).to_be_empty()

    page.reload()
    mark_with(page, "we will respond").click()
    expect(panel.get_by_label("Attributed to")).to_have_value("The spokesman")
    expect(panel.get_by_label("Cue")).to_have_value("said")
    annotation = Annotation.objects.get()
    assert (annotation.speaker.name, annotation.cue, annotation.note) == (
        "The spokesman",
        "said",
        "Only this outlet has it.",
    )


def test_a_stale_page_gets_a_message_not_a_wrong_highlight(pair, logged_in: Page, live_server):
    page = logged_in
    page.goto(live_server.url + f"/documents/{pair.left.slug}/")
    select(page, ".column", "minister")
    page.evaluate("() => { document.querySelector('#toolbar [name=exact]').value = 'ministry'; }")
    page.keyboard.press("q")
    expect(page.locator("#flash")).to_contain_text("not the text you selected")
    assert Annotation.objects.count() == 0


def test_the_sidebar_filter_holds_when_new_annotations_arrive(pair, logged_in: Page, live_server):
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    select(page, LEFT, "the talks had failed")
    page.keyboard.press("c")
    expect(page.locator("#sidebar")).to_contain_text("the talks had failed")
    settled(page)
    page.locator("#sidebar select[name=label]").select_option("Quote")
    expect(page).to_have_url(re.compile(r"\?label=\d+"))
    expect(page.locator("#sidebar")).not_to_contain_text("the talks had failed")
    select(page, RIGHT, "we will respond")
    page.keyboard.press("q")
    expect(page.locator("#sidebar")).to_contain_text("we will respond")
    expect(page.locator("#sidebar")).not_to_contain_text("the talks had failed")
