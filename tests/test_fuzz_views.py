"""Any query string, any form, any path number: never a 5xx.

Hypothesis sends every view arbitrary parameters: any Unicode (including characters that are
digits to `str.isdigit()` but not to `int()`, like "²"), huge and negative numbers, and raw bytes
that are not UTF-8 (as a real client can send, percent-encoded). Each answer must be a page or a
clear 4xx; a 5xx fails the test.

Bad inputs tried: everything Hypothesis draws for each view's own parameters and a few foreign
ones, numbers around 2**63 and 2**64, superscript digits, lone surrogates as encoded bytes, empty
values, repeated parameters.
"""

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    LinkFactory,
    builtin_label,
    span_over,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2**31, 2**63 - 1, 2**63, 2**64, -1]),
).map(str)
TRICKY = st.sampled_from(["²", "³", "١٢", "1e3", " 1", "1 ", "0x10", "", "\x00", "1-2", "9" * 40, "accepted"])
RAW = st.binary(max_size=12).map(lambda b: ("raw", b))  # bytes that may not be UTF-8
VALUES = st.one_of(NUMBERS, TRICKY, st.text(max_size=30), RAW)


def encode(params):
    """A query string or form body; raw bytes are percent-encoded as they are."""
    parts = []
    for name, value in params:
        raw = value[1] if isinstance(value, tuple) else value.encode("utf-8", "surrogatepass")
        parts.append(f"{quote_from_bytes(name.encode())}={quote_from_bytes(raw)}")
    return "&".join(parts)


def params_for(names):
    return st.lists(st.tuples(st.sampled_from([*names, "x", "page"]), VALUES), max_size=6)


@pytest.fixture
def world(db, curator):
    """A comparison with annotations and a link, and a curator logged in (every control shown)."""
    comparison = ComparisonFactory(
        slug="pair",
        left=DocumentFactory(slug="left-doc"),
        right=DocumentFactory(slug="right-doc", text="The talks failed, the minister said."),
    )
    quote = AnnotationFactory(span=span_over(comparison.left, "The minister"), author=curator)
    claim = AnnotationFactory(
        span=span_over(comparison.right, "The talks failed"), author=curator, label=builtin_label("Claim")
    )
    link = LinkFactory(source=quote.span, target=claim.span, author=curator)
    return {"comparison": comparison, "annotation": quote, "link": link, "span": quote.span}


@pytest.fixture
def as_curator(client, curator):
    client.force_login(curator)
    return client


def ok(response):
    assert response.status_code < 500, response.content[:500]


GETS = [
    ("/", []),
    ("/compare/pair/", ["label", "speaker", "author", "status", "relation", "page"]),
    ("/documents/left-doc/", ["label", "speaker", "author", "status", "page"]),
    ("/compare/pair/report/", ["status", "author"]),
    ("/compare/pair/report.json", ["status", "author"]),
    ("/compare/pair/agreement/", []),
    ("/compare/pair/adjudicate/", ["a", "b"]),
    ("/spans/", ["span", "comparison"]),
    ("/export/annotations.json", ["format", "status", "comparison"]),
    ("/labels.css", ["v"]),
]


@pytest.mark.parametrize(("path", "names"), GETS, ids=[path for path, _ in GETS])
@pytest.mark.parametrize("target", [None, "sidebar", "more-annotations", "more-links"])
@FUZZ
@given(data=st.data())
def test_any_query_string_gets_a_page_or_a_4xx(as_curator, world, path, names, target, data):
    query = encode(data.draw(params_for(names)))
    headers = {"HX-Request": "true", "HX-Target": target} if target else {}
    ok(as_curator.get(f"{path}?{query}", headers=headers))


PATH_NUMBERS = st.one_of(NUMBERS.filter(lambda n: not n.startswith("-")), st.sampled_from(["0", "9" * 30]))


@pytest.mark.parametrize(
    "template",
    [
        "/annotations/{}/",
        "/links/{}/",
        "/annotations/{}/delete/",
        "/annotations/{}/review/",
        "/links/{}/review/",
    ],
)
@FUZZ
@given(number=PATH_NUMBERS)
def test_any_number_in_a_path_gets_a_page_or_a_4xx(as_curator, world, template, number):
    ok(as_curator.get(template.format(number)))
    ok(as_curator.post(template.format(number), {"status": "accepted", "version": "1"}))


POSTS = [
    ("/annotations/new/", ["document", "start", "end", "exact", "label", "text_sha256", "comparison"]),
    (
        "/links/new/",
        [
            "source",
            "target",
            "target_document",
            "target_start",
            "target_end",
            "target_exact",
            "suggestion",
            "label",
            "relation",
            "note",
            "target_sha256",
            "comparison",
        ],
    ),
    (
        "annotation",
        ["label", "speaker_name", "cue", "note", "version", "was_note", "was_label", "comparison"],
    ),
    ("annotation-delete", ["version", "comparison"]),
    ("annotation-review", ["status", "comparison"]),
    ("link", ["relation", "note", "version", "was_relation", "was_note"]),
    ("link-delete", ["version"]),
    ("link-review", ["status"]),
    ("/compare/new/", ["left-title", "left-text", "left-url", "left-published", "right-title", "right-text"]),
    ("/compare/pair/agreement/sample/", ["passage", "clear"]),
    ("/compare/pair/adjudicate/pick/", ["a", "b", "choice", "kind", "key", "pair_a", "pair_b"]),
    (
        "/compare/pair/adjudicate/write/",
        [
            "a",
            "b",
            "key",
            "boundaries",
            "start",
            "end",
            "label_from",
            "label",
            "speaker_from",
            "cue_from",
            "note",
        ],
    ),
    ("/compare/pair/adjudicate/link/", ["a", "b", "ends", "relation", "key"]),
    ("/compare/pair/adjudicate/agreed/", ["unit", "key", "pair_a", "pair_b"]),
]


def post_path(path, world):
    annotation, link = world["annotation"].pk, world["link"].pk
    return {
        "annotation": f"/annotations/{annotation}/",
        "annotation-delete": f"/annotations/{annotation}/delete/",
        "annotation-review": f"/annotations/{annotation}/review/",
        "link": f"/links/{link}/",
        "link-delete": f"/links/{link}/delete/",
        "link-review": f"/links/{link}/review/",
    }.get(path, path)


@pytest.mark.parametrize(("path", "names"), POSTS, ids=[path for path, _ in POSTS])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@FUZZ
@given(data=st.data())
def test_any_form_gets_an_answer_or_a_4xx(as_curator, world, path, names, htmx, data):
    body = encode(data.draw(params_for(names)))
    headers = {"HX-Request": "true"} if htmx else {}
    response = as_curator.post(
        post_path(path, world), body, content_type="application/x-www-form-urlencoded", headers=headers
    )
    ok(response)


@pytest.mark.parametrize(
    "path",
    [
        "/export/annotations.json?comparison=%00",
        "/compare/pair/?author=a%00b",
        "/spans/?span=1&comparison=%00",
    ],
)
def test_a_nul_character_in_any_query_parameter_is_a_400(as_curator, world, path):
    """PostgreSQL cannot compare a text with NUL in it: the query would fail with a 500."""
    response = as_curator.get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    ["comparison=%00&document=1", "comparison=a%00&document=1&start=0&end=3&exact=The&label=1"],
)
def test_a_nul_character_in_a_posted_comparison_is_harmless(as_curator, world, body):
    response = as_curator.post("/annotations/new/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
