"""Attributions in headless Chromium: the machine proposes, a reader takes and declines by key
and steps through the proposals; a reader attributes a quotation by picking its cue and source in
the text; hovering an attribution's content lights its cue and source."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from reader.models import Attribution
from tests.browser.conftest import SELECT_PHRASE, select, settled
from tests.factories import ComparisonFactory, DocumentFactory

pytestmark = pytest.mark.browser
LEFT = ".column:nth-of-type(1)"

TEXT = (
    "“The strike was an act of terror,” the minister said on Saturday.\n\n"
    "Officials said the talks had failed.\n\n"
    "“We will respond,” Rouhani warned."
)


@pytest.fixture
def pair(transactional_db, builtin_labels):
    return ComparisonFactory(
        slug="pair",
        left=DocumentFactory(slug="mehr", title="Left article", text=TEXT),
        right=DocumentFactory(slug="rt", title="Right article", text="Nothing was said here."),
    )


def until(condition, timeout=15.0):
    """Poll the database from Python: a decision's answer may redraw the whole page."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def decide(page, key, attribution_id, proposal):
    page.keyboard.press(key)
    until(lambda: Attribution.objects.get(pk=attribution_id).proposal == proposal)
    page.wait_for_load_state()
    expect(page.locator(f"{LEFT} .text")).to_be_visible()


def propose(page):
    # The answer asks the page to show the proposals (htmx refreshes it).
    with page.expect_navigation():
        page.locator(LEFT).get_by_role("button", name="Propose attributions").click()
    expect(page.locator(f"{LEFT} mark.hl.proposed.a-content").first).to_be_visible()


def test_proposals_are_taken_and_declined_by_key_one_after_another(
    pair, logged_in: Page, live_server, reader
):
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    propose(page)
    proposed = Attribution.objects.filter(proposal=Attribution.Proposal.PROPOSED).count()
    assert proposed >= 3

    page.keyboard.press("j")  # the first proposal opens in the panel
    card = page.locator("#panel .attribution.proposal")
    expect(card).to_be_visible()
    first = int(card.get_attribute("data-attribution"))
    decide(page, "a", first, Attribution.Proposal.TAKEN)
    taken = Attribution.objects.get(pk=first)
    assert (taken.proposal, taken.author) == (Attribution.Proposal.TAKEN, reader)
    assert taken.origin.startswith("extractor/")

    page.goto(live_server.url + f"/compare/{pair.slug}/")
    page.keyboard.press("j")
    expect(page.locator("#panel .attribution.proposal")).to_be_visible()
    second = int(page.locator("#panel .attribution.proposal").get_attribute("data-attribution"))
    assert second != first
    decide(page, "x", second, Attribution.Proposal.DECLINED)

    propose(page)  # nothing is proposed again over what a person took or declined
    assert Attribution.objects.filter(proposal=Attribution.Proposal.PROPOSED).count() == proposed - 2


def test_a_reader_attributes_a_quotation_by_picking_its_cue_and_source(
    pair, logged_in: Page, live_server, reader
):
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    select(page, LEFT, "“We will respond,”")
    page.keyboard.press("q")
    panel = page.locator("#panel")
    expect(panel.get_by_role("heading", name="Attribute these words")).to_be_visible()
    panel.get_by_role("button", name="Pick the cue").click()
    assert page.evaluate(SELECT_PHRASE, [f"{LEFT} .text", "warned", 0]) == "warned"
    expect(panel.locator(".attribute-form [data-picked]")).to_contain_text("warned")
    panel.get_by_role("button", name="Pick the source").click()
    assert page.evaluate(SELECT_PHRASE, [f"{LEFT} .text", "Rouhani", 0]) == "Rouhani"
    expect(panel.locator(".attribute-form [data-picked]")).to_contain_text("Rouhani")
    page.keyboard.press("Enter")
    settled(page)
    made = Attribution.objects.get()
    assert (made.content.exact, made.cue.exact, made.source.exact, made.kind, made.author) == (
        "“We will respond,”",
        "warned",
        "Rouhani",
        "direct",
        reader,
    )
    assert made.speaker.name == "Rouhani"
    expect(panel.locator(".attribution").first).to_contain_text("warned")


def test_hovering_an_attributions_content_lights_its_cue_and_source(pair, logged_in: Page, live_server):
    page = logged_in
    page.goto(live_server.url + f"/compare/{pair.slug}/")
    propose(page)
    page.once("dialog", lambda dialog: dialog.accept())  # "Decide every proposal at once?"
    with page.expect_navigation():
        page.locator(LEFT).get_by_role("button", name="Take all").click()
    content = page.locator(f"{LEFT} mark.hl.a-content", has_text="We will respond")
    content.first.hover()
    lit = re.compile(r"\battr-lit\b")
    expect(page.locator(f"{LEFT} mark.hl.a-cue", has_text="warned")).to_have_class(lit)
    expect(page.locator(f"{LEFT} mark.hl.a-source", has_text="Rouhani")).to_have_class(lit)
