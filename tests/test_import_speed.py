"""What the native import's faster paths must keep: new spans get their ids from the insert, or
are read back where the database cannot return them, and every record of the file is written.

Bad inputs tried: rows the database refuses (a span twice), handed to the insert directly (the
files are good; bad files are tests/test_imports.py's).
"""

import gc
import json

import pytest
from django.db import IntegrityError, connection, transaction

from reader import formats
from reader.formats import importing
from reader.models import Annotation, Attribution, Link, Span
from tests.factories import rich_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported():
    rich_corpus()
    return "".join(formats.export_chunks())


def counts():
    return {model.__name__: model.objects.count() for model in (Span, Annotation, Link, Attribution)}


def test_spans_are_given_their_ids_where_the_insert_returns_them(exported):
    data = json.loads(exported)
    for model in (Link, Annotation, Attribution, Span):
        model.objects.all().delete()
    summary = formats.import_native(raw=exported)
    assert summary.counts["spans"]["added"] == len(data["spans"])
    assert counts() == {
        "Span": len(data["spans"]),
        "Annotation": len(data["annotations"]),
        "Link": len(data["links"]),
        "Attribution": len(data["attributions"]),
    }


def test_spans_are_read_back_where_the_insert_cannot_return_their_ids(exported, monkeypatch):
    data = json.loads(exported)
    for model in (Link, Annotation, Attribution, Span):
        model.objects.all().delete()
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    summary = formats.import_native(raw=exported)
    assert summary.counts["spans"]["added"] == len(data["spans"])
    assert counts()["Annotation"] == len(data["annotations"])


def test_a_row_the_database_refuses_raises_djangos_integrity_error(exported):
    span = Span.objects.first()
    row = (
        span.document_id,
        span.start,
        span.end,
        span.exact,
        "",
        "",
        False,
        importing._db_time(span.created),
    )
    names = ["document", "start", "end", "exact", "prefix", "suffix", "orphaned", "created"]
    with pytest.raises(IntegrityError), transaction.atomic():
        importing._insert(Span, names, [row])


def test_an_insert_writes_values_holding_a_percent_sign_as_they_are(exported):
    span = Span.objects.first()
    row = (
        span.document_id,
        10**6,
        10**6 + 1,
        "100%s %%",
        "%s",
        "%%",
        False,
        importing._db_time(span.created),
    )
    names = ["document", "start", "end", "exact", "prefix", "suffix", "orphaned", "created"]
    importing._insert(Span, names, [row])
    assert Span.objects.filter(start=10**6).values_list("exact", "prefix", "suffix").get() == (
        "100%s %%",
        "%s",
        "%%",
    )


def test_the_cycle_collector_is_paused_during_an_import_and_on_again_after_it(exported, monkeypatch):
    seen = []
    finish = importing.NativeImport.finish
    monkeypatch.setattr(
        importing.NativeImport, "finish", lambda run: seen.append(gc.isenabled()) or finish(run)
    )
    formats.import_native(raw=exported)
    with pytest.raises(formats.ImportRefused):
        formats.import_native(raw=b'{"format": "close-reader/1"}')
    assert seen == [False, False]
    assert gc.isenabled()
