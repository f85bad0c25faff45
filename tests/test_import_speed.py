"""What the native import's faster paths must keep: the cyclic garbage collector is paused only
while an import runs, and runs again after it, whether the file was taken or refused; new spans
get their ids from the insert, or are read back where the database cannot return them.

Bad inputs tried: a file that is not JSON.
"""

import gc
import json

import pytest
from django.db import connection

from reader import formats
from reader.models import Annotation, Attribution, Link, Span
from tests.factories import rich_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported():
    rich_corpus()
    return "".join(formats.export_chunks())


def test_the_cycle_collector_is_paused_while_an_import_runs(exported):
    seen = []
    formats.import_native(raw=exported, progress=lambda done, read: seen.append(gc.isenabled()))
    assert seen
    assert not any(seen)


def test_the_cycle_collector_runs_again_after_an_import(exported):
    formats.import_native(raw=exported)
    assert gc.isenabled()


def test_the_cycle_collector_runs_again_after_a_refused_import():
    with pytest.raises(formats.ImportRefused):
        formats.import_native(raw=b"{not json")
    assert gc.isenabled()


def test_an_import_leaves_the_collector_off_when_it_was_off(exported):
    gc.disable()
    try:
        formats.import_native(raw=json.dumps(json.loads(exported)))
        assert not gc.isenabled()
    finally:
        gc.enable()


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
