"""The snags a full reading hit, at real density (the dense reading: 150 annotations, 60 links):
selecting text that starts on a linked highlight, double-clicking a word, which card a click on
nested highlights opens first, the sidebar's order, counts and filters, speaker entry, keys."""

import re

import pytest
from playwright.sync_api import Page, expect

from reader.models import Annotation, Span
from tests.browser.conftest import PASSWORD, settled
from tests.factories import CuratorFactory, dense_reading

pytestmark = pytest.mark.browser
LEFT, RIGHT = ".column:nth-of-type(1)", ".column:nth-of-type(2)"


@pytest.fixture
def reader_user(transactional_db, builtin_labels):
    return CuratorFactory(username="dana")


@pytest.fixture
def dense(reader_user):
    return dense_reading(author=reader_user, annotations=150, links=60)


@pytest.fixture
def reading(page: Page, live_server, reader_user, dense, guard):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(reader_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + dense.get_absolute_url())
    expect(page.locator(".text mark.hl.linked").first).to_be_visible()
    return page


def box_of(page, mark_selector, index):
    """The first line box of a mark's text, on screen."""
    return page.evaluate(
        """([selector, index]) => { const mark = document.querySelectorAll(selector)[index];
        mark.scrollIntoView({block: "center"});
        const r = document.createRange(); r.selectNodeContents(mark);
        const b = r.getClientRects()[0]; return {x: b.left, y: b.top + b.height / 2, right: b.right}; }""",
        [mark_selector, index],
    )


def drag(page, start, end_x, y=None):
    page.mouse.move(start["x"] + 2, start["y"])
    page.mouse.down()
    page.mouse.move(end_x, y if y is not None else start["y"], steps=8)
    page.mouse.up()


@pytest.mark.parametrize("index", range(6))
def test_a_drag_that_starts_on_a_linked_highlight_selects_text(reading: Page, index):
    page = reading
    linked = f"{LEFT} mark.hl.linked[tabindex]"
    start = box_of(page, linked, index)
    drag(page, start, start["right"] + 60)
    page.wait_for_timeout(400)  # longer than a double-click: a click would have opened by now
    expect(page.locator("#toolbar")).to_be_visible()
    expect(page.locator("#panel")).to_be_empty()
    assert len(page.evaluate("getSelection().toString()")) > 2


def test_a_double_click_on_a_linked_highlight_selects_the_word_and_opens_nothing(reading: Page):
    page = reading
    start = box_of(page, f"{LEFT} mark.hl.linked[tabindex]", 2)
    page.mouse.dblclick(start["x"] + 4, start["y"])
    page.wait_for_timeout(400)
    expect(page.locator("#toolbar")).to_be_visible()
    expect(page.locator("#panel")).to_be_empty()


def test_a_click_without_a_drag_opens_the_highlight(reading: Page):
    page = reading
    start = box_of(page, f"{LEFT} mark.hl.linked[tabindex]", 1)
    page.mouse.click(start["x"] + 4, start["y"])
    expect(page.locator("#panel .span-card").first).to_be_visible()
    settled(page)


def test_enter_on_a_focused_highlight_opens_it(reading: Page):
    page = reading
    page.locator(f"{LEFT} mark.hl.linked[tabindex]").nth(3).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#panel .span-card").first).to_be_visible()
    settled(page)


def test_a_click_on_nested_highlights_opens_the_innermost_first(reading: Page):
    page = reading
    inner = page.locator(f"{LEFT} mark.hl.nested").first
    ids = inner.get_attribute("data-spans").split()
    inner.click()
    cards = page.locator("#panel .span-card")
    expect(cards).to_have_count(len(ids))
    settled(page)
    spans = {str(s.pk): s for s in Span.objects.filter(pk__in=ids)}
    innermost = min(spans.values(), key=lambda s: s.end - s.start)
    assert cards.first.get_attribute("data-span") == str(innermost.pk)
    expect(cards.first.locator("h3.card-title")).to_have_text("Innermost highlight")
    expect(cards.nth(1).locator("h3.card-title")).to_have_text("Around it")


@pytest.mark.parametrize("width", [1440, 390], ids=["desktop", "phone"])
def test_every_filter_stays_on_screen_with_a_long_speaker_name(reading: Page, width):
    from tests.factories import SpeakerFactory

    long_name = (
        "The Spokesman of the Ministry of Foreign Affairs of the Islamic Republic of Iran, Saeed Khatibzadeh"
    )
    speaker = SpeakerFactory(name=long_name)
    Annotation.objects.filter(pk=Annotation.objects.order_by("pk").first().pk).update(speaker=speaker)
    page = reading
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    viewport = page.viewport_size["width"]
    for name in ["label", "author", "speaker", "status", "relation"]:
        box = page.locator(f"#sidebar select[name={name}]").bounding_box()
        assert box["x"] >= 0, name
        assert box["x"] + box["width"] <= viewport, (name, box)


def test_a_filter_dims_in_the_text_what_it_leaves_out(reading: Page):
    page = reading
    page.locator("#sidebar select[name=relation]").select_option("contradicts")
    settled(page)
    expect(page.locator("main.reader")).to_have_class(re.compile(r"\bfiltering\b"))
    kept = page.locator(".text mark.hl.kept")
    assert kept.count() > 0
    assert page.locator(".text mark.hl:not(.kept)").count() > kept.count()
    expect(page.locator("#sidebar h2 .count")).to_have_text("0 of 150")
    page.locator("#sidebar select[name=relation]").select_option("")
    settled(page)
    expect(page.locator("main.reader")).not_to_have_class(re.compile(r"\bfiltering\b"))


def test_l_types_in_a_note_and_alt_l_starts_linking_from_it(reading: Page):
    page = reading
    page.locator(f"{LEFT} mark.hl.k-quote").first.click()
    note = page.locator("#panel .ann").first.locator("textarea[name=note]")
    expect(note).to_be_visible()
    settled(page)
    note.fill("")
    note.type("label")
    expect(note).to_have_value("label")
    expect(page.locator("body")).not_to_have_class(re.compile(r"\blinking\b"))
    page.keyboard.press("Alt+l")
    expect(page.locator("body")).to_have_class(re.compile(r"\blinking\b"))
    expect(note).to_have_value("label")
    page.keyboard.press("Escape")


def test_a_speaker_tagged_and_left_with_escape_keeps_its_speaker(reading: Page):
    from tests.browser.conftest import select

    page = reading
    select(page, RIGHT, "Pentagon")
    page.keyboard.press("s")
    expect(page.locator("#panel .ann").first.get_by_label("Who is named")).to_have_value("Pentagon")
    page.keyboard.press("Escape")
    expect(page.locator("#panel")).to_be_empty()
    mention = Annotation.objects.get(span__exact="Pentagon")
    assert mention.speaker.name == "Pentagon"


PHONE = {"width": 390, "height": 844}


def test_on_a_phone_picking_a_counterpart_leaves_most_of_the_screen_to_the_text(reading: Page):
    page = reading
    page.set_viewport_size(PHONE)
    page.reload()
    page.locator(f"{LEFT} mark.hl.k-claim").first.click()
    expect(page.locator("#panel [data-link-start]").first).to_be_visible()
    settled(page)
    page.locator("#panel [data-link-start]").first.click()
    expect(page.locator("body")).to_have_class(re.compile(r"\blinking\b"))
    box = page.locator("#panel").bounding_box()
    assert box["height"] <= 0.3 * PHONE["height"], box
    expect(page.locator("#panel [data-picked]")).to_be_in_viewport()


def test_on_a_phone_the_report_fits_the_screen(reading: Page, live_server, dense):
    page = reading
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/compare/{dense.slug}/report/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    for table in page.locator("table").all():
        assert table.bounding_box()["width"] <= PHONE["width"]
