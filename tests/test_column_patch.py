"""A cached column is patched after a write: only the paragraphs the write touched are rendered
again, and the page is what rendering the whole text afresh gives.

Each test compares the cached column with one sweep over the whole text (no cache at all), after
creations, edits, links made and removed, deletions, attributions, and in blind mode."""

import random
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from reader import highlights
from reader.models import Annotation, Attribution, Label, Link, Span
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    LinkFactory,
    SpanFactory,
    UserFactory,
    builtin_label,
    long_text,
)
from tests.test_paragraph_cache import whole_text_rendering

pytestmark = pytest.mark.django_db


def labels():
    return {label.pk: label for label in Label.objects.all()}


def linked(document, author=None):
    links = Link.objects.filter(Q(source__document=document) | Q(target__document=document))
    if author is not None:
        links = links.filter(author=author)
    return {pk for pair in links.values_list("source_id", "target_id") for pk in pair}


def column(document, author=None):
    """The column as the reader shows it (cached, patched or rendered)."""
    html, _, _ = highlights.columns_for(
        [document], labels=labels(), linked_ids=linked(document, author), author=author
    )
    return str(html[document.pk])


def afresh(document, author=None):
    """The whole text rendered in one sweep from the database, nothing cached."""
    looks = highlights.looks_for([document], labels=labels(), author=author)[document.pk]
    return str(whole_text_rendering(document, looks))


def span(document, paragraph, length=12, offset=0):
    """A span inside the `paragraph`-th paragraph of the text."""
    start = [block.start for block in highlights._skeleton(document.text) if block.is_paragraph][paragraph]
    start, end = start + offset, min(start + offset + length, len(document.text))
    return Span.objects.filter(document=document, start=start, end=end).first() or SpanFactory(
        document=document, start=start, end=end
    )


def edit(annotation, **fields):
    """An edit as the app saves it: the version bumped, `modified` dated now."""
    for name, value in fields.items():
        setattr(annotation, name, value)
    annotation.version += 1
    annotation.save()


def settled(*annotations):
    """These annotations dated ten minutes ago: written long before the column's newest change,
    outside the slack a patch allows for writes still committing."""
    Annotation.objects.filter(pk__in=[a.pk for a in annotations]).update(
        modified=timezone.now() - timedelta(minutes=10)
    )


@pytest.fixture
def document():
    return DocumentFactory(text=long_text(paragraphs=12))


@pytest.fixture
def reader():
    return UserFactory()


@pytest.fixture
def rendered(monkeypatch):
    """How often a whole column and a single paragraph were rendered."""
    counts = {"columns": 0, "paragraphs": 0}
    whole, alone = highlights._rendered, highlights._paragraph_alone

    def column_counted(*args, **kwargs):
        counts["columns"] += 1
        return whole(*args, **kwargs)

    def paragraph_counted(*args, **kwargs):
        counts["paragraphs"] += 1
        return alone(*args, **kwargs)

    monkeypatch.setattr(highlights, "_rendered", column_counted)
    monkeypatch.setattr(highlights, "_paragraph_alone", paragraph_counted)
    return counts


def test_an_edited_label_is_shown_by_rendering_only_its_paragraph(document, reader, rendered):
    annotation = AnnotationFactory(span=span(document, 3), author=reader)
    settled(AnnotationFactory(span=span(document, 7), author=reader))
    column(document)
    rendered.update(columns=0, paragraphs=0)
    edit(annotation, label=builtin_label("Claim"))
    assert column(document) == afresh(document)
    assert rendered == {"columns": 0, "paragraphs": 1}


def test_a_new_annotation_is_shown_by_rendering_only_its_paragraph(document, reader, rendered):
    """The paragraph of the newest change seen before is looked at again (a write dated just
    before it may have been committing), but found unchanged in the cache."""
    settled(AnnotationFactory(span=span(document, 1), author=reader))
    AnnotationFactory(span=span(document, 5), author=reader)
    column(document)
    rendered.update(columns=0, paragraphs=0)
    AnnotationFactory(span=span(document, 9), author=reader)
    assert column(document) == afresh(document)
    assert rendered == {"columns": 0, "paragraphs": 1}


def test_a_note_edited_renders_no_paragraph(document, reader, rendered):
    annotation = AnnotationFactory(span=span(document, 3), author=reader)
    column(document)
    rendered.update(columns=0, paragraphs=0)
    edit(annotation, note="Seen in the other article too.")
    assert column(document) == afresh(document)
    assert rendered == {"columns": 0, "paragraphs": 0}


def test_a_note_edited_looks_at_its_own_span_only(document, reader, monkeypatch):
    annotation = AnnotationFactory(span=span(document, 3), author=reader)
    settled(AnnotationFactory(span=span(document, 3, offset=20), author=reader))
    column(document)
    asked = []
    looks_for = highlights.looks_for
    monkeypatch.setattr(highlights, "looks_for", lambda *a, **k: asked.append(k) or looks_for(*a, **k))
    edit(annotation, status="accepted")
    column(document)
    assert [(k.get("within"), k.get("spans")) for k in asked] == [(None, [annotation.span_id])]


def test_a_label_edited_after_the_pieces_to_patch_with_were_evicted_is_still_shown(document, reader):
    annotation = AnnotationFactory(span=span(document, 3), author=reader)
    column(document)
    cache.delete(highlights.column_key(document.pk, None) + ":pieces")
    edit(annotation, label=builtin_label("Claim"))
    assert column(document) == afresh(document)
    edit(annotation, label=builtin_label("Quote"))
    assert column(document) == afresh(document)


def test_a_span_across_two_paragraphs_renders_both_again(document, reader, rendered):
    AnnotationFactory(span=span(document, 1), author=reader)
    column(document)
    rendered.update(columns=0, paragraphs=0)
    AnnotationFactory(span=span(document, 4, length=400), author=reader)
    assert column(document) == afresh(document)
    assert rendered["columns"] == 0
    assert rendered["paragraphs"] >= 2


def test_a_link_made_and_removed_is_shown_without_rendering_the_column(document, reader, rendered):
    quote = AnnotationFactory(span=span(document, 5), author=reader)
    settled(quote)  # only the link tells its paragraph changed
    AnnotationFactory(span=span(document, 9), author=reader)
    other = DocumentFactory()
    column(document)
    rendered.update(columns=0)
    link = LinkFactory(source=quote.span, target=span(other, 0), author=reader)
    assert column(document) == afresh(document)
    assert 'class="hl lab-' in column(document)
    assert " linked" in column(document)
    link.delete()
    assert column(document) == afresh(document)
    assert " linked" not in column(document)
    assert rendered["columns"] == 0


def test_a_deletion_renders_the_column_whole(document, reader, rendered):
    annotation = AnnotationFactory(span=span(document, 2), author=reader)
    AnnotationFactory(span=span(document, 6), author=reader)
    column(document)
    rendered.update(columns=0)
    annotation.delete()
    assert column(document) == afresh(document)
    assert rendered["columns"] == 1


def test_an_edit_dated_before_the_newest_change_it_missed_is_still_shown(document, reader):
    """A write's `modified` is set before it commits: one committing after a newer write was
    seen carries an older date than the column's newest change, within the commit slack."""
    late = AnnotationFactory(span=span(document, 2), author=reader)
    column(document)
    AnnotationFactory(span=span(document, 8), author=reader)  # seen with this one…
    column(document)
    late.label = builtin_label("Claim")
    late.version += 1
    late.save()
    type(late).objects.filter(pk=late.pk).update(modified=timezone.now() - highlights.COMMIT_SLACK / 2)
    AnnotationFactory(span=span(document, 10), author=reader)  # …and the next write shows it too
    assert column(document) == afresh(document)


def test_an_edit_committed_after_the_render_with_an_older_date_than_the_newest_change_is_shown(
    document, reader
):
    """On PostgreSQL `modified` is dated before the commit: an edit committing after the column was
    rendered may be dated before the newest change the column saw, and leave the count, the newest
    id and the newest change as they were. Nothing else is written after it."""
    late = AnnotationFactory(span=span(document, 2), author=reader)
    newest = AnnotationFactory(span=span(document, 8), author=reader)
    column(document)
    edit(late, label=builtin_label("Claim"))
    Annotation.objects.filter(pk=late.pk).update(modified=newest.modified - timedelta(seconds=1))
    assert column(document) == afresh(document)


def test_an_edit_committed_late_dated_further_back_than_the_slack_is_still_shown(document, reader):
    """A patch finds the changed rows by date, COMMIT_SLACK back from the newest change it saw: an
    edit of a transaction slower to commit than that is not among them, but it adds more to the
    sum of versions than the rows found can account for."""
    late = AnnotationFactory(span=span(document, 2), author=reader)
    newest = AnnotationFactory(span=span(document, 8), author=reader)
    column(document)
    edit(late, label=builtin_label("Claim"))
    Annotation.objects.filter(pk=late.pk).update(modified=newest.modified - 2 * highlights.COMMIT_SLACK)
    assert column(document) == afresh(document)


def test_an_attribution_edited_after_the_render_with_an_older_date_is_shown(document, reader):
    quote = AnnotationFactory(span=span(document, 4), author=reader)
    cue = span(document, 4, length=4, offset=20)
    attribution = Attribution.objects.create(document=document, content=quote.span, cue=cue, author=reader)
    Attribution.objects.create(document=document, content=span(document, 9), author=reader)
    column(document)
    assert "a-cue" in column(document)
    # Its cue removed, committed late: `modified` kept older than the newest attribution's.
    Attribution.objects.filter(pk=attribution.pk).update(cue=None, version=F("version") + 1)
    assert column(document) == afresh(document)
    assert "a-cue" not in column(document)


def test_more_changes_than_a_patch_looks_at_render_the_column_whole(document, reader, rendered, monkeypatch):
    monkeypatch.setattr(highlights, "PATCH_AT_MOST", 2)
    settled(AnnotationFactory(span=span(document, 1), author=reader))
    column(document)
    rendered.update(columns=0)
    for paragraph in (3, 5, 7):
        AnnotationFactory(span=span(document, paragraph), author=reader)
    assert column(document) == afresh(document)
    assert rendered["columns"] == 1


def test_a_decided_attribution_renders_the_column_again(document, reader, rendered):
    quote = AnnotationFactory(span=span(document, 4), author=reader)
    column(document)
    rendered.update(columns=0)
    Attribution.objects.create(document=document, content=quote.span, author=reader)
    assert column(document) == afresh(document)
    assert rendered["columns"] == 1


def test_in_blind_mode_each_reader_patches_a_column_of_their_own_work(document, rendered):
    first, second = UserFactory(), UserFactory()
    mine = AnnotationFactory(span=span(document, 3), author=first)
    AnnotationFactory(span=span(document, 5), author=second)
    column(document, author=first.pk), column(document, author=second.pk)
    rendered.update(columns=0)
    edit(mine, label=builtin_label("Claim"))
    AnnotationFactory(span=span(document, 7), author=second)
    assert column(document, author=first.pk) == afresh(document, author=first.pk)
    assert column(document, author=second.pk) == afresh(document, author=second.pk)
    assert rendered["columns"] == 0


@pytest.mark.parametrize("seed", range(4))
def test_any_run_of_writes_leaves_the_column_as_rendered_afresh(document, reader, seed):
    chance = random.Random(seed)
    other = DocumentFactory()
    quotes, claims = builtin_label("Quote"), builtin_label("Claim")
    annotations, links = [], []
    column(document)
    for _ in range(25):
        move = chance.choice(["create", "create", "edit", "note", "link", "unlink", "delete", "evict"])
        if move == "create" or not annotations:
            made = span(document, chance.randrange(12), chance.randint(1, 300), chance.randrange(40))
            annotations.append(
                AnnotationFactory(span=made, author=reader, label=chance.choice([quotes, claims]))
            )
        elif move == "edit":
            annotation = chance.choice(annotations)
            edit(annotation, label=claims if annotation.label == quotes else quotes)
        elif move == "note":
            edit(chance.choice(annotations), note=f"note {chance.random()}")
        elif move == "evict":  # the pieces kept beside the column, or the column itself
            cache.delete(highlights.column_key(document.pk, None) + chance.choice([":pieces", ""]))
        elif move == "link":
            source = chance.choice(annotations).span
            links.append(
                LinkFactory(source=source, target=span(other, 0, 8, chance.randrange(20)), author=reader)
            )
        elif move == "unlink" and links:
            links.pop(chance.randrange(len(links))).delete()
        elif move == "delete":
            annotations.pop(chance.randrange(len(annotations))).delete()
        assert column(document) == afresh(document), move
