"""The report is built once per state of its comparison's work and cached: a write of anything the
report shows, through any path (a form, a review, the admin, a proposal taken, a write another
server made), shows on the next view; blind mode never gets a report of others' work from the
cache; each filter has a report of its own.

Bad inputs tried: none (the report's filters are tried in test_reader_views and test_blind).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reader import annotating, attributing, report
from reader.attribution import Proposal
from reader.models import Annotation, Attribution, Comparison, Label, Speaker
from tests.factories import AnnotationFactory, SpeakerFactory, builtin_label, span_over

pytestmark = pytest.mark.django_db


@pytest.fixture
def reading(comparison, user):
    """ann's quote of the minister in the left article and her claim in the right one."""
    quote = AnnotationFactory(
        span=span_over(comparison.left, "the talks had failed"),
        author=user,
        speaker=SpeakerFactory(name="Hassan Rouhani"),
        cue="said",
    )
    claim = AnnotationFactory(
        span=span_over(comparison.right, "No one denied it"), label=builtin_label("Claim"), author=user
    )
    return quote, claim


def body(client, comparison, query=""):
    """The report's cached part: the page after its head (the head is made on every view)."""
    page = client.get(reverse("comparison_report", args=[comparison.slug]) + query)
    assert page.status_code == 200
    head_and_body = page.content.decode().split('<header class="report-head">', 1)[1]
    return head_and_body.split("</header>", 1)[1]


def annotation_created(comparison, user, reading, curator):
    AnnotationFactory(span=span_over(comparison.right, "the minister said"), label=builtin_label("Claim"))
    return "the minister said", True


def speaker_changed(comparison, user, reading, curator):
    quote, _ = reading
    annotating.annotation_update(annotation=quote, user=user, label=quote.label, speaker_name="Javad Zarif")
    return "Javad Zarif", True


def annotation_deleted(comparison, user, reading, curator):
    _, claim = reading
    annotating.annotation_delete(annotation=claim, user=user)
    return "No one denied it", False


def annotation_accepted(comparison, user, reading, curator):
    _, claim = reading
    annotating.review(items=Annotation.objects.filter(pk=claim.pk), status="accepted", reviewer=curator)
    return "No one denied it", True


def link_made(comparison, user, reading, curator):
    quote, claim = reading
    annotating.link_create(
        source=quote.span, target=claim.span, relation="contradicts", note="A flat denial", author=user
    )
    return "A flat denial", True


def speaker_renamed(comparison, user, reading, curator):
    speaker = Speaker.objects.get(name="Hassan Rouhani")
    speaker.name, speaker.version = "President Rouhani", speaker.version + 1  # as the admin saves
    speaker.save(update_fields=["name", "version", "modified"])
    return "President Rouhani", True


def label_renamed(comparison, user, reading, curator):
    label = Label.objects.get(name="Claim")
    label.name, label.version = "Assertion", label.version + 1
    label.save(update_fields=["name", "version", "modified"])
    return "Assertion", True


def document_retitled(comparison, user, reading, curator):
    left = comparison.left
    annotating.document_edit(document=left, version=left.version, changes={"title": "Talks collapse"})
    return "Talks collapse", True


def user_renamed(comparison, user, reading, curator):
    user.username = "annie"
    user.save(update_fields=["username"])
    return "annie", True


def proposal_taken(comparison, user, reading, curator):
    text = comparison.right.text
    said = text.index("said")
    proposal = Proposal(
        source=None, cue=(said, said + 4), content=(0, said - 2), kind="indirect", speaker="Javad Zarif"
    )
    attributing.proposals_store(document=comparison.right, proposals=[proposal], origin="extractor/1")
    attributing.proposals_decide(user=user, take=True, document=comparison.right)
    return "Javad Zarif", True


WRITES = [
    annotation_created,
    speaker_changed,
    annotation_deleted,
    annotation_accepted,
    link_made,
    speaker_renamed,
    label_renamed,
    document_retitled,
    user_renamed,
    proposal_taken,
]


@pytest.mark.parametrize("write", WRITES, ids=[write.__name__ for write in WRITES])
def test_a_cached_report_shows_a_write_made_since(user_client, comparison, user, curator, reading, write):
    query = "?status=accepted" if write is annotation_accepted else ""
    before = body(user_client, comparison, query)  # fills the cache
    words, shown = write(comparison, user, reading, curator)
    assert (words in before) is not shown
    assert (words in body(user_client, comparison, query)) is shown


def test_an_unchanged_report_is_built_once(user_client, comparison, reading, monkeypatch):
    built = []
    real = report.build
    monkeypatch.setattr(report, "build", lambda *args, **kwargs: built.append(1) or real(*args, **kwargs))
    first = body(user_client, comparison)
    assert body(user_client, comparison) == first
    assert len(built) == 1


def test_each_filter_has_a_report_of_its_own(user_client, comparison, reading):
    assert "No one denied it" in body(user_client, comparison)
    assert "No one denied it" not in body(user_client, comparison, "?status=accepted")
    assert "No one denied it" not in body(user_client, comparison, "?annotator=bob")


def test_blind_mode_never_gets_a_cached_report_of_others_work(comparison, user, other_user, curator, reading):
    AnnotationFactory(span=span_over(comparison.left, "Officials denied"), label=builtin_label("Claim"),
                      author=other_user)  # fmt: skip
    Comparison.objects.filter(pk=comparison.pk).update(blind=True)
    curators, annotators = Client(), Client()
    curators.force_login(curator)
    annotators.force_login(user)
    assert "Officials denied" in body(curators, comparison)  # fills the cache with everyone's work
    assert "Officials denied" not in body(annotators, comparison)
    assert "Officials denied" not in body(annotators, comparison, "?annotator=bob")


def test_a_cached_json_report_shows_a_write_made_since(user_client, comparison, user, reading):
    url = reverse("comparison_report_json", args=[comparison.slug])
    assert user_client.get(url).json()["counts"]["annotations"] == 2
    annotating.annotation_delete(annotation=reading[1], user=user)
    assert user_client.get(url).json()["counts"]["annotations"] == 1


def test_a_review_on_a_server_whose_clock_is_behind_shows(user_client, comparison, curator, reading):
    quote, claim = reading
    ahead = timezone.now() + timedelta(hours=1)  # a decision dated by a server whose clock is ahead
    Annotation.objects.filter(pk=quote.pk).update(reviewed_at=ahead, reviewed_by=curator)
    assert "No one denied it" not in body(user_client, comparison, "?status=accepted")
    annotating.review(items=Annotation.objects.filter(pk=claim.pk), status="accepted", reviewer=curator)
    assert "No one denied it" in body(user_client, comparison, "?status=accepted")


def test_a_proposal_taken_on_a_server_whose_clock_is_behind_shows(user_client, comparison, user, reading):
    for document, speaker in ((comparison.left, "Ali Shamkhani"), (comparison.right, "Javad Zarif")):
        said = document.text.index("said")
        proposal = Proposal(
            source=None, cue=(said, said + 4), content=(0, said - 1), kind="indirect", speaker=speaker
        )
        assert attributing.proposals_store(document=document, proposals=[proposal], origin="extractor/1") == 1
    Attribution.objects.update(modified=timezone.now() + timedelta(hours=1))  # stored by a server ahead
    assert "Javad Zarif" not in body(user_client, comparison)
    attributing.proposals_decide(user=user, take=True, document=comparison.right)
    assert "Javad Zarif" in body(user_client, comparison)
