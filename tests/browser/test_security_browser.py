"""The reader under its Content Security Policy, in Chromium: it works, nothing is blocked,
and no script a user wrote ever runs."""

import pytest
from playwright.sync_api import Page, expect

from reader.models import Annotation, Link
from tests.browser.conftest import select, settled, wait_until
from tests.factories import AnnotationFactory, ComparisonFactory, DocumentFactory, SpanFactory, builtin_label

pytestmark = pytest.mark.browser
PAYLOAD = "<img src=x onerror=window.__xss=1><script>window.__xss=2</script>"

WATCH = """() => { window.__violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


@pytest.fixture
def hostile(transactional_db, builtin_labels, reader):
    comparison = ComparisonFactory(
        slug="hostile",
        title=f"Pair {PAYLOAD}",
        left=DocumentFactory(title=f"Left {PAYLOAD}", text=f"She said {PAYLOAD} loudly.\n\nThen she left."),
        right=DocumentFactory(title="Right", text="He said nothing at all."),
    )
    span = SpanFactory(document=comparison.left, start=9, end=9 + len(PAYLOAD))
    AnnotationFactory(span=span, author=reader, label=builtin_label("Quote"), note=PAYLOAD, cue=PAYLOAD)
    return comparison


def test_the_reader_works_under_its_policy_with_no_violation(hostile, logged_in: Page, live_server):
    page = logged_in
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(f"({WATCH})()")
    page.goto(live_server.url + hostile.get_absolute_url())
    # The watch works: an inline script is blocked and reported.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; "
        "document.body.append(s); }"
    )
    wait_until(page, "window.__violations.length === 1")
    assert page.evaluate("window.__ran") is None
    page.evaluate("() => { window.__violations = []; }")
    errors.clear()

    select(page, ".column:nth-of-type(2)", "said nothing")
    page.keyboard.press("c")
    expect(page.locator("#panel .span-card")).to_contain_text("said nothing")
    settled(page)
    page.keyboard.press("l")
    page.locator(".column:nth-of-type(1) mark.hl").first.click()
    expect(page.locator("#panel .links")).to_be_visible()
    expect(page.locator("#connectors path")).to_have_count(1)

    assert Annotation.objects.count() == 2
    assert Link.objects.count() == 1
    assert page.evaluate("window.__violations") == []
    assert errors == []


# What the payload would add to a page if it were not escaped: checked as elements, because the
# policy would stop the script from running whether or not it was escaped.
INJECTED = """() => document.querySelectorAll(
  'img[src="x"], script:not([src]), [onerror], [onload], [onclick]').length"""


def test_no_markup_written_by_a_user_becomes_an_element(hostile, logged_in: Page, live_server):
    page = logged_in
    page.goto(live_server.url + hostile.get_absolute_url())
    assert page.evaluate(INJECTED) == 0
    page.locator(".text mark.hl").first.click()
    expect(page.locator("#panel blockquote")).to_have_text(PAYLOAD)
    expect(page.locator("#panel textarea[name=note]")).to_have_value(PAYLOAD)
    expect(page.locator("#panel input[name=cue]")).to_have_value(PAYLOAD)
    assert page.evaluate(INJECTED) == 0
    page.goto(live_server.url + f"/compare/{hostile.slug}/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pair {PAYLOAD}")
    assert page.evaluate(INJECTED) == 0
    page.goto(live_server.url + "/")
    expect(page.get_by_text(f"Pair {PAYLOAD}")).to_be_visible()
    assert page.evaluate(INJECTED) == 0
