import importlib
import time

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"

# The machines have two cores, often shared with a second test run: give the page time.
expect.set_options(timeout=15_000)

# Select `phrase` (its n-th occurrence) inside a column's text, across any
# highlight boundaries, as a reader's drag would. Offsets here are UTF-16,
# as the DOM counts them; the page itself must turn them into code points.
SELECT_PHRASE = """([rootSelector, phrase, occurrence]) => {
  const root = document.querySelector(rootSelector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let text = ""; let node;
  while ((node = walker.nextNode())) { nodes.push([node, text.length]); text += node.data; }
  let at = -1;
  for (let i = 0; i <= occurrence; i++) { at = text.indexOf(phrase, at + 1); if (at < 0) return null; }
  const locate = (offset, isEnd) => {
    for (const [n, base] of nodes) {
      const inside = isEnd ? offset <= base + n.data.length : offset < base + n.data.length;
      if (offset >= base && inside) return [n, offset - base];
    }
  };
  const range = document.createRange();
  range.setStart(...locate(at, false));
  range.setEnd(...locate(at + phrase.length, true));
  // A reader selects what is on screen: bring it there first (the columns scroll on their own).
  range.startContainer.parentElement.scrollIntoView({block: "center"});
  const selection = window.getSelection();
  selection.removeAllRanges(); selection.addRange(range);
  return selection.toString();
}"""


@pytest.fixture
def builtin_labels(transactional_db):
    """Flushing between browser tests removes what the data migration made: make it again."""
    migration = importlib.import_module("reader.migrations.0002_builtin_labels")
    migration.create_labels(apps, None)


@pytest.fixture
def reader(transactional_db, builtin_labels):
    return UserFactory(username="newreader")


@pytest.fixture
def logged_in(page: Page, live_server, reader):
    """Log in through the login form, as a new user would."""
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/")
    page.get_by_label("Username").fill(reader.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Comparisons")).to_be_visible()
    return page


def select(page, column, phrase, occurrence=0):
    selected = page.evaluate(SELECT_PHRASE, [f"{column} .text", phrase, occurrence])
    assert selected == phrase
    expect(page.locator("#toolbar")).to_be_visible()


def wait_until(page, expression, timeout=10.0):
    """Poll a JavaScript expression from Python until it is truthy. `page.wait_for_function`
    builds its predicate with `new Function`, which the page's Content Security Policy (no
    'unsafe-eval') forbids, so it cannot poll there; `page.evaluate` is not subject to the CSP."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout} s waiting for: {expression}")
        page.wait_for_timeout(20)


def settled(page):
    """Wait until htmx has finished every request, swap and settle (new content is live)."""
    wait_until(
        page, "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


# Every page reports policy violations to the console, where `guard` sees them.
REPORT_VIOLATIONS = """document.addEventListener('securitypolicyviolation',
  e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture
def guard(page: Page):
    """Fail the test on any 5xx answer, page error, console error or CSP violation, on any page
    it visits. Confirmation dialogs (hx-confirm) are accepted."""
    problems = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def console(message):
        # A refused request (4xx) is logged too; those are answers the tests expect.
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(f"console: {message.text}")

    page.on("console", console)
    page.on(
        "response", lambda r: r.status >= 500 and problems.append(f"{r.status} {r.request.method} {r.url}")
    )
    page.on("dialog", lambda dialog: dialog.accept())
    yield problems
    assert problems == []
