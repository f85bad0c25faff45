"""What the native import's faster paths must keep: new spans get their ids from the insert, or
are read back where the database cannot return them, and every record of the file is written.

Bad inputs tried: none (the files are good; bad files are tests/test_imports.py's).
"""

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
