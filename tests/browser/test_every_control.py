"""Every control of the reader, the panel, the sidebar and the report, clicked in Chromium on a
comparison read at real density (150 annotations, 60 links), as a curator. Any 5xx, page error,
console error or policy violation on any page fails the test (the `guard` fixture)."""

import re

import pytest
from playwright.sync_api import Page, expect

from reader.models import Annotation, Link, Status
from tests.browser.conftest import PASSWORD, select, settled
from tests.factories import CuratorFactory, dense_reading

pytestmark = pytest.mark.browser
LEFT, RIGHT = ".column:nth-of-type(1)", ".column:nth-of-type(2)"


@pytest.fixture
def curator_user(transactional_db, builtin_labels):
    user = CuratorFactory(username="cora")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def dense(curator_user):
    return dense_reading(author=curator_user, annotations=150, links=60)


@pytest.fixture
def as_curator(page: Page, live_server, curator_user, guard):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(curator_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Comparisons")).to_be_visible()
    return page


def open_first(page, selector):
    """Click the first highlight matching `selector` and wait for its panel."""
    page.locator(selector).first.click()
    expect(page.locator("#panel .panel-inner")).to_be_visible()
    settled(page)


def test_every_control_of_the_toolbar_and_the_panel(dense, as_curator: Page, live_server):
    page = as_curator
    page.goto(live_server.url + dense.get_absolute_url())
    before = Annotation.objects.count()

    # The toolbar: each label's button, the key, and cancel.
    for phrase, label in [("TEHRAN", "Quote"), ("Foreign Ministry", "Speaker"), ("Baghdad", "Claim")]:
        select(page, LEFT, phrase)
        page.locator("#toolbar").get_by_role("button", name=re.compile(f"^{label}")).click()
        expect(page.locator("#panel .span-card").first).to_contain_text(phrase)
        settled(page)
    select(page, RIGHT, "US drone strike assassination of Qasem Soleimani")
    page.locator("#toolbar [data-cancel]").click()
    expect(page.locator("#toolbar")).to_be_hidden()
    select(page, RIGHT, "US drone strike assassination of Qasem Soleimani")
    page.keyboard.press("c")
    expect(page.locator("#panel .span-card").first).to_contain_text(
        "US drone strike assassination of Qasem Soleimani"
    )
    settled(page)
    assert Annotation.objects.count() == before + 4

    # The panel of the new claim: edit every field, review, also tag, link by picking.
    panel = page.locator("#panel")
    ann = panel.locator(".ann").first
    ann.get_by_label("Attributed to").fill("Hassan Rouhani")
    ann.get_by_label("Cue").fill("claimed")
    ann.get_by_label("Note", exact=True).fill("checked in the browser")
    ann.get_by_role("button", name="Save").click()
    expect(panel.locator(".ann").first.get_by_label("Note", exact=True)).to_have_value(
        "checked in the browser"
    )
    settled(page)
    made = Annotation.objects.get(note="checked in the browser")
    assert (made.speaker.name, made.cue) == ("Hassan Rouhani", "claimed")
    for button, status in [
        ("Accept", Status.ACCEPTED),
        ("Reject", Status.REJECTED),
        ("Reset to pending", Status.PENDING),
    ]:
        panel.locator(".ann").first.get_by_role("button", name=button).click()
        expect(panel.locator(".ann .status").first).to_contain_text(
            status.label if hasattr(status, "label") else status
        )
        settled(page)
        made.refresh_from_db()
        assert made.status == status
    panel.locator(".ann").first.get_by_label("Label").select_option("Quote")
    panel.locator(".ann").first.get_by_role("button", name="Save").click()
    expect(panel.locator(".ann .tag").first).to_have_text("Quote")
    settled(page)
    panel.locator(".add-label").get_by_role("button", name="Speaker").click()
    expect(panel.locator(".ann")).to_have_count(2)
    settled(page)

    # Link: pick a highlight in the other article, then one from the list, then a suggestion.
    panel.locator("[data-link-start]").first.click()
    page.locator(f"{LEFT} mark.hl").nth(3).click()
    expect(panel.locator(".links li")).to_have_count(1)
    settled(page)
    links_before = Link.objects.count()
    form = panel.locator("[data-link-form]").first
    form.get_by_label("Relation").select_option("elaborates")
    form.get_by_label("Or choose one of its highlights").select_option(index=5)
    form.get_by_label("Note on the link").fill("from the list")
    form.get_by_role("button", name="Link", exact=True).click()
    expect(panel.locator(".links li")).to_have_count(2)
    settled(page)
    panel.locator("[data-link-form]").first.locator("[data-suggestion]").first.click()
    settled(page)
    assert Link.objects.count() == links_before + 2

    # A link's panel: review, edit, delete.
    panel.locator(".links a[data-link]").first.click()
    expect(panel.locator(".link-panel")).to_be_visible()
    settled(page)
    for button in ["Accept", "Reject", "Reset to pending"]:
        panel.get_by_role("button", name=button).click()
        settled(page)
    panel.get_by_label("Relation").select_option("contradicts")
    panel.get_by_label("Note").fill("they disagree")
    panel.get_by_role("button", name="Save").click()
    expect(panel.locator(".link-panel h2")).to_contain_text("contradicts")
    settled(page)
    count = Link.objects.count()
    panel.get_by_role("button", name="Delete link").click()
    settled(page)
    assert Link.objects.count() == count - 1

    # Delete an annotation, close with × and with Esc.
    open_first(page, f"{RIGHT} mark.hl.k-claim")
    count = Annotation.objects.count()
    page.locator("#panel .ann").first.get_by_role("button", name="Delete").click()
    settled(page)
    assert Annotation.objects.count() == count - 1
    open_first(page, f"{LEFT} mark.hl.nested")
    expect(page.locator("#panel .span-card")).to_have_count(2)
    page.locator("#panel [data-close]").first.click()
    expect(page.locator("#panel")).to_be_empty()
    open_first(page, f"{LEFT} mark.hl.linked")
    page.keyboard.press("Escape")
    expect(page.locator("#panel")).to_be_empty()

    # Tagging inside a linked highlight (the create's swap replaces marks the connectors use).
    linked = page.locator(f"{LEFT} mark.hl.linked").first
    words = linked.inner_text().split()
    select(page, LEFT, words[0] if len(words[0]) > 2 else " ".join(words[:2]))
    page.keyboard.press("q")
    settled(page)
    expect(page.locator("#connectors path.connector").first).to_be_attached()


def test_every_control_of_the_sidebar(dense, as_curator: Page, live_server):
    page = as_curator
    page.goto(live_server.url + dense.get_absolute_url())
    sidebar = page.locator("#sidebar")

    # Show more, until the end, in both lists.
    for target, total, item in [
        ("more-annotations", 150, "a[href^='/annotations/']"),
        ("more-links", 60, "a[href^='/links/']"),
    ]:
        while page.locator(f"#{target}").count():
            page.locator(f"#{target} a").click()
            settled(page)
        assert sidebar.locator(f".list li.item {item}").count() == total

    # Each filter, then back to all.
    for name in ["label", "author", "speaker", "status", "relation"]:
        select_box = sidebar.locator(f"select[name={name}]")
        options = select_box.locator("option").all_inner_texts()
        assert len(options) >= 2, name
        select_box.select_option(index=1)
        settled(page)
        expect(page).to_have_url(re.compile(rf"[?&]{name}="))
        sidebar.locator(f"select[name={name}]").select_option(index=0)
        settled(page)

    # An annotation and a link from the lists open in the panel.
    sidebar.locator("li.item a[href^='/annotations/']").first.click()
    expect(page.locator("#panel .span-card")).to_be_visible()
    settled(page)
    page.keyboard.press("Escape")  # the panel lies over the sidebar
    sidebar.locator("li.item a[href^='/links/']").first.click()
    expect(page.locator("#panel .link-panel")).to_be_visible()
    settled(page)
    page.keyboard.press("Escape")

    # Exports download; the report opens.
    for name in ["JSON", "W3C"]:
        with page.expect_download() as download:
            sidebar.get_by_role("link", name=name, exact=True).click()
        assert download.value.suggested_filename.endswith(".json")
    sidebar.get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(dense.title)


def test_every_control_of_the_report_and_the_header(dense, as_curator: Page, live_server):
    page = as_curator
    page.goto(live_server.url + f"/compare/{dense.slug}/report/")
    actions = page.locator(".report-head .actions")
    for name in ["native JSON", "W3C Web Annotation"]:
        with page.expect_download() as download:
            actions.get_by_role("link", name=name).click()
        assert download.value.suggested_filename.endswith(".json")
    actions.get_by_role("link", name="This report as JSON").click()
    assert '"speakers"' in page.content()
    page.go_back()
    actions.get_by_role("link", name="Agreement between annotators").click()
    expect(page.locator(".report-head .outlet")).to_have_text("Agreement between annotators")
    page.go_back()
    actions.get_by_role("link", name="← Back to the reader").click()
    expect(page.locator(".text mark.hl").first).to_be_visible()

    nav = page.locator("header.site nav")
    for name, heading in [
        ("Articles", "Comparisons"),
        ("New comparison", "Compare two articles"),
        ("Import", "Import"),
    ]:
        nav.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    nav.get_by_role("link", name="Admin").click()
    expect(page).to_have_url(re.compile("/admin/"))
    page.go_back()
    page.locator("header.site nav").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile("/accounts/login/"))
