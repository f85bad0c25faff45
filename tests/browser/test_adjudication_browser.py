"""Adjudication in headless Chromium: a curator settles a comparison two annotators read, with htmx
swapping each decided row in place, under the app's Content Security Policy."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from reader.models import CURATOR_GROUP, Annotation, Link, Relation, Status
from tests.browser.conftest import PASSWORD, settled
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    LinkFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
    span_over,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def read(transactional_db, builtin_labels):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    left = DocumentFactory(slug="left-doc", title="Left article")
    right = DocumentFactory(
        slug="right-doc",
        title="Right article",
        text="The talks failed, the minister said.\n\nNo one denied it.",
    )
    comparison = ComparisonFactory(slug="pair", left=left, right=right)
    quote, speaker, claim = (builtin_label(name) for name in ("Quote", "Speaker", "Claim"))
    rouhani, zarif = SpeakerFactory(name="Hassan Rouhani"), SpeakerFactory(name="Javad Zarif")
    failed, right_failed = span_over(left, "the talks had failed"), span_over(right, "The talks failed")
    denied = span_over(left, "Officials denied it")
    rows = {
        "agreed_a": AnnotationFactory(span=failed, label=quote, author=ann, speaker=rouhani, cue="said"),
        "agreed_b": AnnotationFactory(span=failed, label=quote, author=bob, speaker=rouhani, cue="said"),
        "minister_a": AnnotationFactory(span=span_over(left, "The minister"), label=speaker, author=ann),
        "minister_b": AnnotationFactory(span=span_over(left, "minister"), label=speaker, author=bob),
        "denied_a": AnnotationFactory(span=denied, label=claim, author=ann),
        "denied_b": AnnotationFactory(span=denied, label=quote, author=bob),
        "right_a": AnnotationFactory(span=right_failed, label=claim, author=ann, speaker=rouhani),
        "right_b": AnnotationFactory(span=right_failed, label=claim, author=bob, speaker=zarif),
        "link_a": LinkFactory(source=failed, target=right_failed, relation=Relation.PARAPHRASE, author=ann),
        "link_b": LinkFactory(source=right_failed, target=failed, relation=Relation.COUNTERPART, author=bob),
    }
    return comparison, rows


@pytest.fixture
def curator_page(page: Page, live_server, transactional_db):
    curator = UserFactory(username="cura")
    curator.groups.add(Group.objects.get_or_create(name=CURATOR_GROUP)[0])
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("cura")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Comparisons")).to_be_visible()
    return page, curator


def row(page, a, b, kind="u"):
    return page.locator(f"#{kind}-{a.pk if a else 0}-{b.pk if b else 0}")


def status(annotation):
    annotation.refresh_from_db()
    return annotation.status


def test_a_curator_adjudicates_a_comparison_read_by_two_annotators(read, curator_page, live_server, guard):
    comparison, rows = read
    page, curator = curator_page
    page.goto(live_server.url + f"/compare/{comparison.slug}/adjudicate/")
    expect(page.locator(".summary")).to_contain_text("4 differences to decide")

    # Pick bob's boundaries for the speaker mention: the row is swapped in place, decided.
    minister = row(page, rows["minister_a"], rows["minister_b"])
    minister.get_by_role("button", name="Keep bob's").click()
    settled(page)
    expect(minister).to_have_class("unit decided")
    expect(minister.locator(".final")).to_contain_text("Final: minister")
    assert [status(rows["minister_a"]), status(rows["minister_b"])] == [Status.REJECTED, Status.ACCEPTED]

    # Accept what they agree on.
    agreed = row(page, rows["agreed_a"], rows["agreed_b"])
    agreed.get_by_role("button", name="Accept").click()
    settled(page)
    expect(agreed).to_have_class("unit decided agreed")
    assert [status(rows["agreed_a"]), status(rows["agreed_b"])] == [Status.ACCEPTED, Status.REJECTED]

    # Merge: ann's span and label with a speaker the curator writes.
    claim = row(page, rows["right_a"], rows["right_b"])
    claim.get_by_text("Merge or write the final version").click()
    claim.locator("input[name=speaker_from][value=other]").check()
    claim.get_by_label("Other speaker").fill("Iran's Foreign Ministry")
    claim.get_by_role("button", name="Save the final version").click()
    settled(page)
    expect(claim.locator(".final")).to_contain_text("Iran's Foreign Ministry")
    final = Annotation.objects.get(author=curator)
    assert (final.span_id, final.speaker.name, final.status) == (
        rows["right_a"].span_id,
        "Iran's Foreign Ministry",
        Status.ACCEPTED,
    )
    assert [status(rows["right_a"]), status(rows["right_b"])] == [Status.REJECTED, Status.REJECTED]

    # Neither version of the claim bob called a quote.
    denied = row(page, rows["denied_a"], rows["denied_b"])
    denied.get_by_role("button", name="Neither").click()
    settled(page)
    expect(denied.locator(".final")).to_contain_text("neither version")

    # The link: keep ann's relation.
    link = row(page, rows["link_a"], rows["link_b"], kind="l")
    link.get_by_role("button", name="Keep ann's link").click()
    settled(page)
    expect(link).to_have_class("unit link-unit decided")
    assert Link.objects.get(status=Status.ACCEPTED).relation == Relation.PARAPHRASE

    # Reloaded, the page has nothing left to decide.
    page.reload()
    expect(page.locator(".summary")).to_contain_text(
        "0 differences to decide, 0 agreed items to accept, 5 decided"
    )


def test_a_stale_row_shows_the_refusal_and_changes_nothing(read, curator_page, live_server, guard):
    comparison, rows = read
    page, _ = curator_page
    page.goto(live_server.url + f"/compare/{comparison.slug}/adjudicate/")
    Annotation.objects.filter(pk=rows["minister_b"].pk).update(version=5)  # bob edited it meanwhile
    row(page, rows["minister_a"], rows["minister_b"]).get_by_role("button", name="Keep ann's").click()
    settled(page)
    expect(page.locator("#flash")).to_contain_text("changed by someone else")
    assert [status(rows["minister_a"]), status(rows["minister_b"])] == [Status.PENDING, Status.PENDING]
    # htmx logs the refusal it swapped into #flash; that one is expected, anything else still fails.
    expected = [p for p in guard if "Response Status Error Code 409 from /compare/pair/adjudicate/pick/" in p]
    assert len(expected) == 1
    guard.remove(expected[0])
