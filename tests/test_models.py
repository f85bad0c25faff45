"""The rules the database itself enforces, whatever code path writes to it."""

import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import DataError, IntegrityError, transaction

from reader.models import (
    CURATOR_GROUP,
    Annotation,
    Comparison,
    Document,
    Label,
    Link,
    Span,
    Speaker,
    labels_by_id,
    user_is_curator,
)
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    LabelFactory,
    SpanFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
)

pytestmark = pytest.mark.django_db


# --- spans --------------------------------------------------------------------------------------


def test_an_empty_span_is_refused(document):
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(document=document, start=4, end=4, exact="x")
    assert not Span.objects.exists()


def test_a_reversed_span_is_refused(document):
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(document=document, start=12, end=4, exact=document.text[4:12])
    assert not Span.objects.exists()


def test_two_spans_with_the_same_document_and_offsets_are_refused(document):
    SpanFactory(document=document, start=4, end=12)
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(document=document, start=4, end=12, exact=document.text[4:12])
    assert Span.objects.count() == 1


def test_the_same_offsets_in_another_document_are_allowed(document):
    SpanFactory(document=document, start=4, end=12)
    SpanFactory(document=DocumentFactory(), start=4, end=12)
    assert Span.objects.count() == 2


def test_a_span_with_an_empty_exact_is_refused(document):
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(document=document, start=4, end=12, exact="")
    assert not Span.objects.exists()


# --- comparisons and links ----------------------------------------------------------------------


def test_a_comparison_of_a_document_with_itself_is_refused(document):
    with pytest.raises(IntegrityError), transaction.atomic():
        Comparison.objects.create(slug="self", title="Self", left=document, right=document)
    assert not Comparison.objects.exists()


def test_a_link_from_a_span_to_itself_is_refused(document, user):
    span = SpanFactory(document=document)
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(source=span, target=span, author=user)
    assert not Link.objects.exists()


def test_a_second_link_with_the_same_source_target_and_relation_is_refused(user):
    source, target = SpanFactory(), SpanFactory()
    Link.objects.create(source=source, target=target, relation="counterpart", author=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(source=source, target=target, relation="counterpart", author=user)
    assert Link.objects.count() == 1


def test_the_same_spans_may_be_linked_by_different_relations(user):
    source, target = SpanFactory(), SpanFactory()
    Link.objects.create(source=source, target=target, relation="counterpart", author=user)
    Link.objects.create(source=source, target=target, relation="contradicts", author=user)
    assert Link.objects.count() == 2


# --- labels -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "colour",
    [
        "red",
        "#fff",
        "#12345678",
        "1234567",
        "",
        "#gggggg",
        "#}*{x:y",
    ],
)
def test_a_label_colour_that_is_not_rrggbb_is_refused(colour):
    # PostgreSQL refuses a value too long for its column (DataError) before any check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Label.objects.create(name="Odd", colour=colour)
    assert not Label.objects.filter(name="Odd").exists()


def test_a_label_colour_in_rrggbb_is_accepted():
    LabelFactory(name="Mixed case", colour="#A0b1C2")
    assert Label.objects.get(name="Mixed case").colour == "#A0b1C2"


def test_two_labels_with_the_same_shortcut_are_refused():
    LabelFactory(name="Denial", shortcut="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        LabelFactory(name="Dismissal", shortcut="x")
    assert not Label.objects.filter(name="Dismissal").exists()


def test_several_labels_without_a_shortcut_are_allowed():
    before = Label.objects.filter(shortcut="").count()
    LabelFactory(name="Context", shortcut="")
    LabelFactory(name="Hedge", shortcut="")
    LabelFactory(name="Source", shortcut="")
    assert Label.objects.filter(shortcut="").count() == before + 3


def test_the_data_migration_created_quote_speaker_and_claim_with_their_shortcuts():
    built_in = Label.objects.filter(name__in=["Quote", "Speaker", "Claim"])
    shortcuts = {label.name: label.shortcut for label in built_in}
    assert shortcuts == {"Quote": "q", "Speaker": "s", "Claim": "c"}


def test_the_built_in_labels_have_their_kinds():
    kinds = {label.name: label.kind for label in Label.objects.filter(name__in=["Quote", "Speaker", "Claim"])}
    assert kinds == {"Quote": Label.Kind.QUOTE, "Speaker": Label.Kind.SPEAKER, "Claim": Label.Kind.CLAIM}


# --- annotations --------------------------------------------------------------------------------


def test_the_same_author_cannot_tag_the_same_span_twice_with_the_same_label(user):
    first = AnnotationFactory(author=user, label=builtin_label("Claim"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(span=first.span, label=first.label, author=user)
    assert Annotation.objects.count() == 1


def test_two_authors_may_tag_the_same_span_with_the_same_label(user, other_user):
    first = AnnotationFactory(author=user, label=builtin_label("Claim"))
    Annotation.objects.create(span=first.span, label=first.label, author=other_user)
    assert Annotation.objects.filter(span=first.span).count() == 2


# --- documents ----------------------------------------------------------------------------------


def test_document_save_stores_the_sha256_of_its_text():
    text = "Zürich talks 👨\u200d👩\u200d👧 failed, e\u0301lan."
    document = DocumentFactory(text=text)
    document.refresh_from_db()
    assert document.text_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_document_save_updates_the_sha256_when_the_text_changes(document):
    document.text = document.text + "\n\nA correction."
    document.save()
    document.refresh_from_db()
    assert document.text_sha256 == hashlib.sha256(document.text.encode("utf-8")).hexdigest()


def test_a_document_with_an_empty_text_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(slug="empty", title="Empty", text="")
    assert not Document.objects.filter(slug="empty").exists()


# --- speakers -----------------------------------------------------------------------------------


def test_speakers_are_found_by_an_alias_ignoring_case():
    rouhani = SpeakerFactory(name="Hassan Rouhani", aliases="President Rouhani\nRouhani\n")
    SpeakerFactory(name="Mohammad Javad Zarif", aliases="Zarif")
    assert Speaker.objects.all().matching("rouhani") == [rouhani]


def test_speakers_are_found_by_their_name_with_spaces_collapsed():
    rouhani = SpeakerFactory(name="Hassan Rouhani")
    assert Speaker.objects.all().matching("  hassan   ROUHANI ") == [rouhani]


def test_a_part_of_a_name_does_not_match_a_speaker():
    SpeakerFactory(name="Hassan Rouhani", aliases="President Rouhani")
    assert Speaker.objects.all().matching("Hassan") == []


# --- curators -----------------------------------------------------------------------------------


def test_staff_alone_are_not_curators():
    assert not user_is_curator(UserFactory(username="staffer", is_staff=True))


def test_superusers_are_curators():
    assert user_is_curator(UserFactory(username="root", is_staff=True, is_superuser=True))


def test_members_of_the_curator_group_are_curators(curator):
    curator.is_staff = False  # the group makes them curators, not their staff status
    assert curator.groups.filter(name=CURATOR_GROUP).exists()
    assert user_is_curator(curator)


def test_other_users_are_not_curators(user):
    user.groups.add(Group.objects.create(name="annotators"))
    assert not user_is_curator(user)


def test_anonymous_visitors_are_not_curators():
    assert not user_is_curator(AnonymousUser())


def test_labels_by_id_holds_every_label_in_label_order():
    LabelFactory(name="Aside", position=1)
    LabelFactory(name="Zeal", position=1, shortcut="Z")
    labels = labels_by_id()
    assert list(labels) == list(Label.objects.values_list("pk", flat=True))
    assert [label.name for label in labels.values()][:2] == ["Aside", "Zeal"]
    assert labels[Label.objects.get(name="Zeal").pk].shortcut == "z"
