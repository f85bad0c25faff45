"""Curation outside the admin: reviewing (in code and from the reader's panel), merging speakers,
and the agreement page."""

import pytest
from django.urls import reverse

from reader import annotating
from reader.models import Annotation, Speaker, Status
from tests.curation_factories import make_link, staff_member
from tests.factories import (
    AnnotationFactory,
    CuratorFactory,
    SpanFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def only(annotation):
    return Annotation.objects.filter(pk=annotation.pk)


# --- annotating.review --------------------------------------------------------------------------


def test_reviewing_returns_how_many_were_reviewed(curator):
    AnnotationFactory(), AnnotationFactory()
    assert annotating.review(items=Annotation.objects.all(), status=Status.ACCEPTED, reviewer=curator) == 2


def test_someone_who_is_not_a_curator_cannot_review(user):
    annotation = AnnotationFactory()
    with pytest.raises(annotating.NotAllowed):
        annotating.review(items=only(annotation), status=Status.ACCEPTED, reviewer=user)
    annotation.refresh_from_db()
    assert annotation.status == Status.PENDING


def test_staff_alone_cannot_review():
    staff = staff_member(permissions=["reader.change_annotation"])
    with pytest.raises(annotating.NotAllowed):
        annotating.review(items=only(AnnotationFactory()), status=Status.REJECTED, reviewer=staff)


def test_an_unknown_status_is_refused(curator):
    with pytest.raises(annotating.AnnotatingError, match="Unknown status"):
        annotating.review(items=only(AnnotationFactory()), status="maybe", reviewer=curator)


def test_reviewing_does_not_touch_the_annotators_modified_time(curator):
    annotation = AnnotationFactory()
    annotating.review(items=only(annotation), status=Status.ACCEPTED, reviewer=curator)
    before = annotation.modified
    annotation.refresh_from_db()
    assert annotation.modified == before


def test_reviewing_a_link_records_the_reviewer(curator):
    link = make_link(SpanFactory(), SpanFactory(), UserFactory())
    annotating.review(items=type(link).objects.filter(pk=link.pk), status=Status.REJECTED, reviewer=curator)
    link.refresh_from_db()
    assert (link.status, link.reviewed_by) == (Status.REJECTED, curator)


# --- annotating.speakers_merge ------------------------------------------------------------------


def test_merging_speakers_moves_every_annotation_to_the_one_kept():
    keep = SpeakerFactory(name="Hassan Rouhani")
    others = [SpeakerFactory(name="Rouhani"), SpeakerFactory(name="President Rouhani")]
    moved = [AnnotationFactory(speaker=others[0]), AnnotationFactory(speaker=others[1])]
    assert annotating.speakers_merge(keep=keep, others=others) == 2
    assert {annotation.speaker for annotation in Annotation.objects.filter(pk__in=[a.pk for a in moved])} == {
        keep
    }


def test_merged_speakers_are_deleted():
    keep, other = SpeakerFactory(name="Hassan Rouhani"), SpeakerFactory(name="Rouhani")
    annotating.speakers_merge(keep=keep, others=[other])
    assert list(Speaker.objects.all()) == [keep]


def test_the_names_of_merged_speakers_become_aliases_without_duplicates():
    keep = SpeakerFactory(name="Hassan Rouhani", aliases="Rouhani")
    other = SpeakerFactory(name="rouhani", aliases="the president\nHassan Rouhani")
    annotating.speakers_merge(keep=keep, others=[other])
    keep.refresh_from_db()
    assert keep.alias_list == ["Rouhani", "the president"]


def test_a_new_mention_of_a_merged_name_resolves_to_the_one_kept():
    keep, other = SpeakerFactory(name="Hassan Rouhani"), SpeakerFactory(name="President Rouhani")
    annotating.speakers_merge(keep=keep, others=[other])
    assert annotating.speaker_resolve(name="president rouhani") == keep


def test_merging_a_speaker_into_itself_is_refused():
    keep = SpeakerFactory(name="Hassan Rouhani")
    with pytest.raises(annotating.AnnotatingError):
        annotating.speakers_merge(keep=keep, others=[keep])


# --- reviewing from the reader's panel ----------------------------------------------------------


def review_url(annotation):
    return reverse("annotation_review", args=[annotation.pk])


def test_a_curator_accepts_an_annotation_from_the_panel(client, curator):
    client.force_login(curator)
    annotation = AnnotationFactory()
    response = client.post(review_url(annotation), {"status": Status.ACCEPTED}, headers=HTMX)
    assert response.status_code == 200
    annotation.refresh_from_db()
    assert (annotation.status, annotation.reviewed_by) == (Status.ACCEPTED, curator)


def test_the_panel_answer_shows_the_new_status_and_refreshes_the_sidebar(client, curator):
    client.force_login(curator)
    annotation = AnnotationFactory()
    response = client.post(review_url(annotation), {"status": Status.REJECTED}, headers=HTMX)
    assert "rejected by cora" in response.content.decode()
    assert response["HX-Trigger"] == '{"annotations-changed": {}}'


def test_an_annotator_may_not_review_even_their_own_work(user_client, user):
    annotation = AnnotationFactory(author=user)
    response = user_client.post(review_url(annotation), {"status": Status.ACCEPTED}, headers=HTMX)
    assert response.status_code == 403
    assert "Only curators review" in response.content.decode()
    annotation.refresh_from_db()
    assert annotation.status == Status.PENDING


def test_an_unknown_status_from_the_panel_answers_400(client, curator):
    client.force_login(curator)
    response = client.post(review_url(AnnotationFactory()), {"status": "maybe"}, headers=HTMX)
    assert response.status_code == 400


def test_the_panel_offers_curators_the_review_buttons(client, curator):
    client.force_login(curator)
    annotation = AnnotationFactory()
    html = client.get(reverse("annotation_detail", args=[annotation.pk])).content.decode()
    assert review_url(annotation) in html
    assert 'value="accepted"' in html


def test_the_panel_offers_annotators_no_review_buttons(user_client, user):
    annotation = AnnotationFactory(author=user)
    html = user_client.get(reverse("annotation_detail", args=[annotation.pk])).content.decode()
    assert review_url(annotation) not in html


def test_an_annotator_sees_who_reviewed_their_work_in_the_panel(user_client, user, curator):
    annotation = AnnotationFactory(author=user, status=Status.ACCEPTED, reviewed_by=curator)
    html = user_client.get(reverse("annotation_detail", args=[annotation.pk])).content.decode()
    assert "accepted by cora" in html


# --- the agreement page -------------------------------------------------------------------------


@pytest.fixture
def two_annotators(comparison):
    """ann and bob tagged the left article: one quote alike, one claim with other boundaries, one quote
    only ann (on words bob tagged as a speaker)."""
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    quote, claim = builtin_label("Quote"), builtin_label("Claim")
    left = comparison.left
    same = SpanFactory(document=left, start=0, end=12)  # "The minister"
    AnnotationFactory(span=same, label=quote, author=ann)
    AnnotationFactory(span=same, label=quote, author=bob)
    AnnotationFactory(span=SpanFactory(document=left, start=18, end=38), label=claim, author=ann)
    AnnotationFactory(span=SpanFactory(document=left, start=22, end=38), label=claim, author=bob)
    officials = SpanFactory(document=left, start=41, end=50)
    AnnotationFactory(span=officials, label=quote, author=ann)
    # bob worked on the second paragraph too (agreement counts only passages both worked on).
    AnnotationFactory(span=officials, label=builtin_label("Speaker"), author=bob)
    return comparison


def agreement_url(comparison):
    return reverse("comparison_agreement", args=[comparison.slug])


def test_the_agreement_page_is_for_curators_only(user_client, two_annotators):
    response = user_client.get(agreement_url(two_annotators))
    assert response.status_code == 403
    assert "Only curators" in response.content.decode()


def test_the_agreement_page_gives_each_labels_f1_for_a_pair(client, curator, two_annotators):
    client.force_login(curator)
    response = client.get(agreement_url(two_annotators))
    assert response.status_code == 200
    (pair,) = response.context["pairs"]
    rows = {row.label: (row.exact_f1, row.overlap_f1) for row in pair.labels}
    assert rows["Quote"] == (2 / 3, 2 / 3)
    assert rows["Claim"] == (0.0, 1.0)


def test_the_agreement_page_lists_the_spans_where_they_differ(client, curator, two_annotators):
    client.force_login(curator)
    html = client.get(agreement_url(two_annotators)).content.decode()
    assert "“Officials”" in html  # only ann tagged it
    assert "“the talks had failed”" in html  # ann's boundaries
    assert "“talks had failed”" in html  # bob's


def test_the_agreement_page_says_when_there_is_only_one_annotator(client, comparison):
    client.force_login(CuratorFactory(username="cura"))
    AnnotationFactory(span=SpanFactory(document=comparison.left), author=UserFactory(username="ann"))
    html = client.get(agreement_url(comparison)).content.decode()
    assert "Agreement needs two annotators; only ann has annotated" in html


def test_joining_the_curator_group_gives_staff_status_so_the_admin_opens(client, db):
    from django.contrib.auth.models import Group

    from reader.models import CURATOR_GROUP
    from tests.factories import UserFactory

    user = UserFactory(username="newcurator")
    assert not user.is_staff
    user.groups.add(Group.objects.get_or_create(name=CURATOR_GROUP)[0])
    user.refresh_from_db()
    assert user.is_staff
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


def test_adding_users_to_the_group_from_the_group_side_gives_them_staff_status(db):
    from django.contrib.auth.models import Group

    from reader.models import CURATOR_GROUP
    from tests.factories import UserFactory

    first, second = UserFactory(username="first"), UserFactory(username="second")
    Group.objects.get_or_create(name=CURATOR_GROUP)[0].user_set.add(first, second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_staff
    assert second.is_staff
