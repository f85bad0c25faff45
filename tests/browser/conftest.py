import importlib

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"

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


def settled(page):
    """Wait until htmx has finished every request, swap and settle (new content is live)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
