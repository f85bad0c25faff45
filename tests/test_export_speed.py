"""What the native export's faster paths must keep: times read as the database stores them
(on SQLite, its text, never parsed) are written as the ISO 8601 times they are, with and without
microseconds, and a reviewed and a never-reviewed record alike.

Bad inputs tried: none (the export reads only what the database holds).
"""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection

from reader import formats
from reader.formats.scope import Stored, raw_chunks
from reader.models import Annotation
from tests.factories import AnnotationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotation():
    made = AnnotationFactory()
    Annotation.objects.filter(pk=made.pk).update(
        created=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        modified=datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
    )
    return made


def exported_annotations():
    return json.loads("".join(formats.export_chunks()))["annotations"]


def test_exported_times_are_the_stored_times_with_and_without_microseconds(annotation):
    (record,) = exported_annotations()
    assert (record["created"], record["modified"], record["reviewed_at"]) == (
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.123456Z",
        None,
    )


def test_a_review_time_is_exported_as_stored(annotation):
    Annotation.objects.filter(pk=annotation.pk).update(
        status="accepted",
        reviewed_by=UserFactory(),
        reviewed_at=datetime(2025, 6, 7, 8, 9, 10, 5, tzinfo=UTC),
    )
    (record,) = exported_annotations()
    assert record["reviewed_at"] == "2025-06-07T08:09:10.000005Z"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite stores times as text")
def test_a_stored_time_comes_from_sqlite_as_its_text(annotation):
    (chunk,) = raw_chunks(Annotation.objects.values_list(Stored("created")), 10)
    assert chunk == [("2024-01-02 03:04:05",)]
