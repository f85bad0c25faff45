"""A write checks offsets against the committed text without reading a long article from the
database each time: the text is kept per process by its digest (annotating.committed_text), and
the sentences a write touched are found by bisection (highlights._unit_ranges).

Bad inputs tried: offsets valid only in the text before an edit, sent after the edit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader import annotating, highlights
from reader import text as textlib
from reader.models import Annotation
from tests.factories import DocumentFactory, builtin_label

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CREATE = reverse("annotation_create")


def selection(document, phrase, text=None):
    start = (text or document.text).index(phrase)
    return {
        "document": document.pk,
        "start": start,
        "end": start + len(phrase),
        "exact": phrase,
        "label": builtin_label("Quote").pk,
    }


def reads_of_the_text(queries):
    selects = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    return [sql for sql in selects if '"reader_document"."text"' in sql]


def test_a_second_write_on_an_article_does_not_read_its_text_again(user_client, document):
    user_client.post(CREATE, selection(document, "minister"), headers=HTMX)
    with CaptureQueriesContext(connection) as queries:
        response = user_client.post(CREATE, selection(document, "talks"), headers=HTMX)
    assert response.status_code == 200
    assert Annotation.objects.count() == 2
    assert reads_of_the_text(queries) == []


def test_a_write_after_a_text_edit_checks_its_offsets_against_the_new_text(user_client, document):
    user_client.post(CREATE, selection(document, "minister"), headers=HTMX)  # the old text is kept
    old_text = document.text
    annotating.document_text_update(document=document, text="Talks resumed at dawn. " + old_text)

    moved = user_client.post(CREATE, selection(document, "talks", text=document.text), headers=HTMX)
    stale = user_client.post(CREATE, selection(document, "talks", text=old_text), headers=HTMX)

    assert moved.status_code == 200
    assert stale.status_code == 409
    assert Annotation.objects.filter(span__exact="talks").count() == 1


def test_a_text_is_kept_under_its_digest_only():
    document = DocumentFactory()
    digest = textlib.sha256(document.text)
    assert annotating.committed_text(document.pk, digest) == document.text
    with pytest.raises(annotating.Gone):
        annotating.committed_text(document.pk, textlib.sha256("another text"))


def test_the_texts_kept_drop_the_least_recently_used_past_their_size():
    texts = annotating._Texts(most=10)
    texts.get("a", lambda: "aaaa")
    texts.get("b", lambda: "bbbb")
    texts.get("a", lambda: pytest.fail("a is kept"))  # a is now the most recently used
    texts.get("c", lambda: "cccc")  # 12 characters: b goes
    assert list(texts.held) == ["a", "c"]
    assert texts.size == 8


def test_a_text_longer_than_all_the_room_is_read_but_not_kept():
    texts = annotating._Texts(most=3)
    assert texts.get("a", lambda: "aaaa") == "aaaa"
    assert not texts.held


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, 1), (0, 39), (38, 41), (39, 40), (40, 41), (45, 60), (0, 10_000), (100, 101), (104, 127)],
)
def test_the_sentences_a_write_touched_are_those_it_overlaps(start, end):
    document = DocumentFactory()
    units = [
        (unit.index, unit.start, unit.end)
        for block in textlib.layout(document.text, [])
        if block.is_paragraph
        for unit in block.units
    ]
    expected = [f'id="u-{document.pk}-{i}"' for i, s, e in units if s < end and start < e]
    html = "".join(highlights.changed_units(document, start, end, labels={}))
    assert [f'id="u-{document.pk}-{i}"' for i, *_ in units if f'id="u-{document.pk}-{i}"' in html] == expected
