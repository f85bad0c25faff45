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
