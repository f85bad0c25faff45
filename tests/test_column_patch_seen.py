"""A patch looks again at every write of the seconds before the newest (the commit slack), but
not at one the previous patch or rendering already looked at and that has not changed since:
after an import, each view looked at every imported row again.

Each test compares the cached column with the whole text rendered afresh, as
tests/test_column_patch.py does, and counts the spans a patch looks at."""

import pytest

from reader import highlights
from tests.factories import AnnotationFactory, DocumentFactory, UserFactory, builtin_label, long_text
from tests.test_column_patch import afresh, column, edit, span

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    return DocumentFactory(text=long_text(paragraphs=12))


@pytest.fixture
def reader():
    return UserFactory()


@pytest.fixture
def read_whole(monkeypatch):
    """The annotations each patch read whole (with their spans), one list per statement."""
    asked = []
    changed_rows = highlights._changed_rows

    def counted(bounds, ids, author):
        asked.append(sorted(ids))
        return changed_rows(bounds, ids, author)

    monkeypatch.setattr(highlights, "_changed_rows", counted)
    return asked


@pytest.fixture
def looked_at(monkeypatch):
    """The spans each patch asked the look of (looks_for's `spans`), one list per call."""
    asked = []
    looks_for = highlights.looks_for

    def counted(*args, **kwargs):
        if kwargs.get("spans") is not None:
            asked.append(sorted(kwargs["spans"]))
        return looks_for(*args, **kwargs)

    monkeypatch.setattr(highlights, "looks_for", counted)
    return asked


def test_writes_a_patch_looked_at_are_not_looked_at_again_by_the_next(document, reader, looked_at):
    imported = [AnnotationFactory(span=span(document, n), author=reader) for n in range(8)]
    column(document)
    edit(imported[0], note="first")
    assert column(document) == afresh(document)
    edit(imported[1], note="second")
    assert column(document) == afresh(document)
    assert looked_at[-1] == [imported[1].span_id]


def test_the_first_edit_after_an_import_looks_at_its_own_span_only(document, reader, looked_at):
    """Rows made together share their date: the slack of the newest covers them all, however
    long ago they were made, until a later write is seen."""
    imported = [AnnotationFactory(span=span(document, n), author=reader) for n in range(8)]
    type(imported[0]).objects.update(modified=imported[-1].modified - highlights.COMMIT_SLACK * 100)
    column(document)
    edit(imported[3], note="the first edit")
    assert column(document) == afresh(document)
    assert looked_at == [[imported[3].span_id]]


def test_a_write_a_patch_looked_at_and_changed_again_is_shown(document, reader, looked_at):
    first, second = (AnnotationFactory(span=span(document, n), author=reader) for n in (2, 6))
    column(document)
    edit(first, label=builtin_label("Claim"))
    assert column(document) == afresh(document)
    edit(second, note="looked at with the first")
    assert column(document) == afresh(document)
    edit(first, label=builtin_label("Quote"))
    assert column(document) == afresh(document)
    assert looked_at[-1] == [first.span_id]


def test_a_write_dated_before_the_last_patch_but_not_seen_by_it_is_shown(document, reader):
    """Committed after the patch read the changed rows, with a date the patch's window covers."""
    settled = AnnotationFactory(span=span(document, 3), author=reader)
    recent = AnnotationFactory(span=span(document, 5), author=reader)
    column(document)
    edit(recent, note="seen by the patch")
    assert column(document) == afresh(document)
    settled.label = builtin_label("Claim")
    settled.version += 1
    settled.save()
    moment = type(recent).objects.get(pk=recent.pk).modified - highlights.COMMIT_SLACK / 2
    type(settled).objects.filter(pk=settled.pk).update(modified=moment)
    edit(recent, note="and the next write shows it")
    assert column(document) == afresh(document)


def test_a_patch_right_after_an_import_reads_whole_only_the_rows_changed_since(document, reader, read_whole):
    """Every imported row is dated within the slack of the view: all are in the window, and only
    the edited one is read with its span."""
    imported = [AnnotationFactory(span=span(document, n), author=reader) for n in range(12)]
    column(document)
    edit(imported[7], note="edited")
    assert column(document) == afresh(document)
    assert read_whole == [[imported[7].pk]]


def test_an_annotation_made_since_with_a_date_older_than_the_slack_is_patched_in(
    document, reader, read_whole
):
    """An import keeps its file's dates: the new row is found by its id, not its date, and the
    column is patched, not rendered whole."""
    settled = AnnotationFactory(span=span(document, 1), author=reader)
    column(document)
    made = AnnotationFactory(span=span(document, 6), author=reader)
    type(made).objects.filter(pk=made.pk).update(modified=settled.modified - highlights.COMMIT_SLACK * 10)
    assert column(document) == afresh(document)
    assert read_whole == [[made.pk]]
