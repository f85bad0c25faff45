"""Two app servers over one PostgreSQL and one Redis, as two machines run them (bench/nodes.py).

Two gunicorns on two ports share the database, the cache (REDIS_URL, or the Redis that
scripts/redis.sh starts) and the secret key, as a deployment's machines do; clients move between
them as a proxy would send their requests. Skipped on SQLite: two machines cannot share one
database file. No timings are asserted.

Bad inputs tried: wrong passwords spread over both nodes.
"""

import re
from dataclasses import dataclass

import pytest
import redis
import requests
from django.conf import settings

from bench import nodes
from bench.server import PASSWORD, Client, fresh_database, prepare

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="two machines cannot share an SQLite file: the two-node test runs on PostgreSQL",
    ),
]

READER = "/compare/soleimani-first-anniversary/"


@dataclass
class Deployment:
    database_url: str
    cache_url: str
    a: str
    b: str

    def cache_keys(self, pattern):
        return list(redis.Redis.from_url(self.cache_url).scan_iter(f"*{pattern}*", count=1000))


@pytest.fixture(scope="module")
def deployment():
    with fresh_database("postgres") as url:
        prepare(url, users=12)
        cache_url = nodes.redis_url()
        with nodes.nodes(url, cache_url, count=2, workers=2) as (a, b):
            yield Deployment(url, cache_url, a.url, b.url)


def tag_words(client, first):
    """Tag words `first` to `first + 2` of the left article (beyond what the spread test tags):
    (span id, annotation id, label ids)."""
    documents, labels = client.page_facts()
    text = nodes.seed_texts()[0]
    words = [m.span() for m in re.finditer(r"\S+", text)]
    start, end = words[first][0], words[first + 2][1]
    status, span, annotation = client.create(documents[0], start, end, text[start:end], labels[0])
    assert status == 200
    return span, annotation, labels


def mark_of(html, span):
    return re.search(rf'<mark class="([^"]*)" data-spans="{span}"', html).group(1)


def login(base, username, password):
    """The login form's answer: 302 logged in, 200 refused, 429 locked out."""
    session = requests.Session()
    session.get(base + "/accounts/login/", timeout=10)
    return session.post(
        base + "/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": base + "/accounts/login/"},
        timeout=10,
        allow_redirects=False,
    ).status_code


def test_creates_spread_over_both_nodes_lose_nothing_and_duplicate_nothing(deployment):
    outcome = nodes.spread([deployment.a, deployment.b], clients=8, annotations=32)
    problems, lost = nodes.audit(deployment.database_url, outcome, {f"client{n}" for n in range(8)})
    assert problems == []
    assert lost == 0
    assert len(outcome.acked) == 8 * 32


def test_an_edit_through_one_node_shows_through_the_other_on_the_next_request(deployment):
    writer = Client(deployment.a, "client8")
    span, annotation, labels = tag_words(writer, 300)
    reader = Client(deployment.b, "client8")
    assert f"lab-{labels[0]} " in mark_of(reader.reader().text, span)  # B has rendered it: cached
    fields = writer.panel(annotation)
    assert (
        writer.post(f"/annotations/{annotation}/", {**fields, "label": labels[1], "note": "edited on A"})
        == 200
    )
    # Same count and newest annotation: only the edit's time tells the cached column is stale.
    assert f"lab-{labels[1]} " in mark_of(reader.reader().text, span)
    assert reader.panel(annotation)["note"] == "edited on A"


def test_the_reader_page_rendered_on_one_node_is_in_the_cache_both_share(deployment):
    shared = redis.Redis.from_url(deployment.cache_url)
    for key in deployment.cache_keys(":column:"):  # columns cached by earlier tests
        shared.delete(key)
    Client(deployment.a, "client9").reader()
    columns = [key for key in deployment.cache_keys(":column:") if not key.endswith(b":pieces")]
    assert len(columns) == 2  # the two articles' columns (and beside each, the pieces to patch it)


def test_a_session_made_on_one_node_works_on_the_other(deployment):
    client = Client(deployment.a, "client10")
    client.base = deployment.b
    page = client.reader()
    assert page.url == deployment.b + READER  # not sent to the login page
    assert 'data-document="' in page.text


def test_a_session_outlives_the_shared_cache_being_emptied(deployment):
    client = Client(deployment.a, "client11")
    assert deployment.cache_keys(client.session.cookies["sessionid"])  # the session is in Redis…
    redis.Redis.from_url(deployment.cache_url).flushdb()  # …which restarts, keeping nothing
    client.base = deployment.b
    page = client.reader()
    assert page.url == deployment.b + READER
    assert 'data-document="' in page.text


def test_wrong_passwords_on_both_nodes_lock_the_username_after_five_in_all(deployment):
    a, b = deployment.a, deployment.b
    statuses = [login(base, "client7", "wrong") for base in (a, b, a, b, a)]
    assert statuses == [200, 200, 200, 200, 429]  # three on A, two on B: locked all the same
    assert login(b, "client7", PASSWORD) == 429  # even the right password, on either node
    assert login(a, "client7", PASSWORD) == 429
    assert login(b, "client6", PASSWORD) == 302  # others are not locked out
