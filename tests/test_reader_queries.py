"""What the reader page asks the database, counted: each statement it saved (the sidebar's
lists, the filter choices with the links drawn, the columns' fingerprints, what the filters
keep) stays saved. Statements of transaction control (BEGIN, SAVEPOINT…) are not counted: a
view wrapped in a transaction reads the same."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reader import annotating
from reader.models import Annotation
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    LinkFactory,
    SpanFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
)

pytestmark = pytest.mark.django_db

TEXT = "Several words follow one another here. " * 40


@pytest.fixture
def reading(user):
    """A comparison whose two articles hold annotations by two annotators, with speakers, and
    links between them: every part of the page has something to show."""
    comparison = ComparisonFactory(left__text=TEXT, right__text=TEXT)
    other = UserFactory(username="other-annotator")
    spans = {}
    for n in range(12):
        document = comparison.documents[n % 2]
        start = 8 * n
        spans[n] = SpanFactory(document=document, start=start, end=start + 7)
        AnnotationFactory(
            span=spans[n],
            author=(user, other)[n % 3 == 0],
            speaker=SpeakerFactory(name=f"Speaker {n % 4}") if n % 2 else None,
            label=builtin_label(("Quote", "Claim")[n % 2]),
            note="a note" if n % 5 == 0 else "",
        )
    for n in range(0, 10, 2):
        LinkFactory(source=spans[n], target=spans[n + 1], author=user)
    for document in comparison.documents:  # held by the process, as after any first view
        annotating.committed_text(document.pk, document.text_sha256)
    return comparison


def statements(client, url, headers=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return [
        query["sql"]
        for query in captured
        if not query["sql"].upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT"))
    ]


def test_a_comparison_seen_again_is_read_in_nine_statements(user_client, reading):
    """The user, the comparison with its articles, the labels, whose work may be seen, a page
    of annotations from each article (the first holds fewer than a page), a page of links, the
    links drawn with the filters' choices, and the columns' fingerprints."""
    url = reading.get_absolute_url()
    user_client.get(url)  # the columns rendered and cached
    assert len(statements(user_client, url)) == 9


def test_a_first_view_after_a_note_is_edited_adds_four_statements(user_client, reading):
    """Both articles' columns are patched: the annotations dated in the window since they were
    read (one statement for both, from the index on `modified`), those of them not seen then read
    whole (one for both), and each article's look of their spans."""
    url = reading.get_absolute_url()
    user_client.get(url)
    for document in reading.documents:
        annotation = Annotation.objects.filter(span__document=document).first()
        annotation.note = "edited"
        annotation.version += 1
        annotation.save()
    assert len(statements(user_client, url)) == 9 + 2 + 2


def test_a_filtered_page_reads_what_the_filters_keep_in_one_statement(user_client, reading):
    url = reading.get_absolute_url()
    user_client.get(url)
    assert len(statements(user_client, url + "?status=pending")) == 9 + 1


def test_the_sidebar_refresh_reads_in_nine_statements(user_client, reading):
    """As the page, the count of annotations in place of the columns' fingerprints."""
    found = statements(
        user_client, reading.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "sidebar"}
    )
    assert len(found) == 9


def test_a_first_view_renders_the_columns_in_seven_more_statements(user_client, reading, monkeypatch):
    """Nothing cached: each article's text, recent writes (so its first patch need not look at
    them) and highlights, and the session (read from the database when the cache is empty)."""
    cache.clear()
    monkeypatch.setattr(annotating, "_texts", annotating._Texts(most=annotating._texts.most))
    assert len(statements(user_client, reading.get_absolute_url())) == 9 + 3 * 2 + 1
