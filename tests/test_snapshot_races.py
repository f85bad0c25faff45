"""A cached column, part or report holds exactly the state its fingerprint names: a write another
server commits while a page is being rendered, and undone since, never shows from the cache.

Each race is run deterministically: the render's first query after the fingerprint lets another
database connection (as another server's would be) commit a write first; the write is then
undone through the app, which brings the fingerprint back to the value the cached entry was
stored under; the next view must not show the undone write. The other connection's write
succeeding while the page holds its snapshot also shows that readers do not block writers.

On SQLite the test database is a WAL file, as a server's is: the in-memory test database shares
its cache between connections, and its table locks refuse a second connection's write outright.

Bad inputs tried: a write inside a read snapshot (refused on both databases).
"""

import json
import re
from contextlib import contextmanager

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.test import Client
from django.urls import reverse

from reader import highlights, report
from reader import text as textlib
from reader.models import Comparison, Speaker
from reader.snapshots import read_snapshot
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    LinkFactory,
    SpanFactory,
    UserFactory,
    builtin_label,
    long_text,
    span_over,
)

pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HX-Request": "true"}


@pytest.fixture
def database(transactional_db, tmp_path):
    """The test database as servers share it: committed rows, and on SQLite a file in WAL mode
    (a copy of the in-memory test database, made by VACUUM INTO)."""
    mine = connections[DEFAULT_DB_ALIAS]
    if mine.vendor != "sqlite":
        yield
        return
    path = str(tmp_path / "db.sqlite3")
    with mine.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [path])
    on_file = type(mine)({**mine.settings_dict, "NAME": path}, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = on_file
    yield
    on_file.close()
    connections[DEFAULT_DB_ALIAS] = mine


@contextmanager
def elsewhere():
    """Another connection to the same database, for the block: another server's."""
    mine = connections[DEFAULT_DB_ALIAS]
    other = type(mine)(mine.settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = other
    try:
        yield
    finally:
        other.close()
        connections[DEFAULT_DB_ALIAS] = mine


def racing(monkeypatch, module, name, write):
    """`module.name`, the first time it is called, first lets `write` commit elsewhere; the list
    returned holds what `write` made."""
    original, made = getattr(module, name), []

    def first_the_write(*args, **kwargs):
        if not made:
            with elsewhere():
                made.append(write())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, first_the_write)
    return made


@pytest.fixture
def reader(database):
    return UserFactory(username="ann")


@pytest.fixture
def reader_client(reader):
    client = Client()
    client.force_login(reader)
    return client


@pytest.fixture
def comparison(database):
    return ComparisonFactory(
        left=DocumentFactory(text=long_text(paragraphs=40)),
        right=DocumentFactory(text="The talks failed, the minister said.\n\nNo one denied it."),
    )


def shown_spans(html):
    """The ids of the spans highlighted in this HTML."""
    return {int(pk) for names in re.findall(r'data-spans="([^"]*)"', html) for pk in names.split()}


def linked_marks(html):
    return [classes for classes in re.findall(r'<mark class="([^"]*)"', html) if "linked" in classes.split()]


def paragraph_start(document, index):
    return textlib.paragraphs(document.text)[index][0]


def document_page(client, comparison):
    return client.get(comparison.left.get_absolute_url()).content.decode()


def comparison_page(client, comparison):
    return client.get(comparison.get_absolute_url()).content.decode()


def later_part(client, comparison):
    url = reverse("document_part", args=[comparison.left.slug])
    response = client.get(url, {"from": 20}, headers=HX)
    assert response.status_code == 200
    return response.content.decode()


VIEWS = {"document page": document_page, "comparison page": comparison_page, "later part": later_part}


@pytest.fixture(params=list(VIEWS))
def view(request, settings):
    # A text of 40 paragraphs comes in parts: the later part asked for holds paragraph 20.
    settings.READER_PAGED_ABOVE = 2_000
    settings.READER_PAGE_CHARS = 1_500 if request.param == "later part" else 100_000
    return VIEWS[request.param]


def test_an_annotation_made_while_a_column_renders_and_deleted_since_is_not_shown(
    view, reader, reader_client, comparison, monkeypatch
):
    document = comparison.left
    start = paragraph_start(document, 20)
    kept = AnnotationFactory(span=SpanFactory(document=document, start=start, end=start + 8), author=reader)
    made = racing(
        monkeypatch,
        highlights,
        "looks_for",
        lambda: AnnotationFactory(
            span=SpanFactory(document=document, start=start + 20, end=start + 30), author=reader
        ),
    )
    assert kept.span_id in shown_spans(view(reader_client, comparison))
    (late,) = made
    response = reader_client.post(reverse("annotation_delete", args=[late.pk]), {"version": late.version})
    assert response.status_code == 302
    assert shown_spans(view(reader_client, comparison)) == {kept.span_id}


def test_a_link_made_while_a_column_renders_and_deleted_since_is_not_shown(
    view, reader, reader_client, comparison, monkeypatch
):
    document = comparison.left
    start = paragraph_start(document, 20)
    kept = AnnotationFactory(span=SpanFactory(document=document, start=start, end=start + 8), author=reader)
    counterpart = span_over(comparison.right, "No one denied it")
    made = racing(
        monkeypatch,
        highlights,
        "looks_for",
        lambda: LinkFactory(source=kept.span, target=counterpart, author=reader),
    )
    assert kept.span_id in shown_spans(view(reader_client, comparison))
    (link,) = made
    response = reader_client.post(reverse("link_delete", args=[link.pk]), {"version": link.version})
    assert response.status_code == 302
    assert linked_marks(view(reader_client, comparison)) == []


def fresh_report(comparison):
    comparison = Comparison.objects.select_related("left", "right").get(pk=comparison.pk)
    built = report.build(comparison, status=None, annotator=None)
    return json.loads(json.dumps(built, cls=DjangoJSONEncoder))


def test_a_report_built_while_an_annotation_was_made_and_deleted_since_is_not_shown(
    reader, reader_client, comparison, monkeypatch
):
    AnnotationFactory(span=span_over(comparison.right, "The talks failed"), author=reader)
    made = racing(
        monkeypatch,
        report,
        "build",
        lambda: AnnotationFactory(
            span=span_over(comparison.right, "No one denied it"), label=builtin_label("Claim"), author=reader
        ),
    )
    url = reverse("comparison_report_json", args=[comparison.slug])
    assert reader_client.get(url).status_code == 200
    (late,) = made
    reader_client.post(reverse("annotation_delete", args=[late.pk]), {"version": late.version})
    assert json.loads(reader_client.get(url).content) == fresh_report(comparison)


def test_nothing_is_written_inside_a_read_snapshot(database):
    with pytest.raises(DatabaseError), read_snapshot():
        Speaker.objects.create(name="Hassan Rouhani")
    assert not Speaker.objects.filter(name="Hassan Rouhani").exists()


def test_a_snapshot_inside_another_joins_it(database):
    with read_snapshot():
        with read_snapshot():
            pass
        with pytest.raises(DatabaseError):  # still the outer snapshot's: read-only
            Speaker.objects.create(name="Hassan Rouhani")
    assert not Speaker.objects.filter(name="Hassan Rouhani").exists()
