"""The native import's fast paths for spans, annotations and links (NativeImport.check_spans,
check_annotations, check_links) take exactly the records their full checks take: each record,
checked against a whole file's names, is judged alike (the same answer, the same messages, the
same names noted), and a file, good or bad, imports alike (the same counts, or the same refusal,
message for message) with the fast paths as with the full checks alone.

The bad inputs, drawn by Hypothesis on a rich export, one to three at a time: spans naming an
unknown document, with start and end swapped or equal, ending past the text, whose quote is not
the text or has outer whitespace, orphaned or not, with a right or wrong key, given twice;
annotations and links naming unknown or other spans, labels, speakers, authors and reviewers,
with times that are not real (30 February, month 13), given twice; links within one document.
"""

import copy
import json
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import formats
from reader.formats.importing import Errors, NativeImport
from reader.formats.native import SECTIONS
from reader.models import Annotation, Link, Span
from tests.factories import rich_corpus

pytestmark = pytest.mark.django_db

CHECKED = ("spans", "annotations", "links")
ODD_TIMES = ["2024-02-30T10:00:00Z", "2024-13-01T10:00:00Z", "2024-01-02T12:00:00.123457Z"]


@pytest.fixture(scope="module")
def exported(django_db_setup, django_db_blocker):
    """A rich export, read from a database rolled back after it (so each test starts empty)."""
    with django_db_blocker.unblock(), transaction.atomic():
        rich_corpus()
        data = json.loads("".join(formats.export_chunks()))
        transaction.set_rollback(True)
    assert all(data[section] for section in CHECKED)
    return data


@contextmanager
def full_checks_only():
    with (
        mock.patch.object(NativeImport, "check_spans", NativeImport.check_spans_fully),
        mock.patch.object(NativeImport, "check_annotations", NativeImport.check_annotations_fully),
        mock.patch.object(NativeImport, "check_links", NativeImport.check_links_fully),
    ):
        yield


def outcome(data):
    """The refusal's message, or the summary and the rows written (then rolled back)."""
    try:
        with transaction.atomic():
            summary = formats.import_native(raw=json.dumps(data).encode("utf-8"))
            written = [sorted(model.objects.values_list(*fields), key=repr) for model, fields in ROWS]
            transaction.set_rollback(True)
    except formats.ImportRefused as refused:
        return str(refused)
    return summary.to_dict(), written


ROWS = [
    (Span, ("document__slug", "start", "end", "exact", "orphaned")),
    (Annotation, ("span__start", "label__name", "author__username", "speaker__name", "reviewed_at")),
    (Link, ("source__start", "target__start", "relation", "reviewed_by__username")),
]


# The fields the checks beyond the schema look at, and values for them the file does not hold.
ODD = {
    "spans": {
        "document": ["nowhere-doc"],
        "start": [0, 3, 10**6],
        "end": [0, 4, 10**6],
        "exact": ["The minister ", "nothing like it"],
        "orphaned": [True, False],
    },
    "annotations": {
        "span": ["left-doc:0-1"],
        "label": ["Nobody's label"],
        "author": ["nobody"],
        "speaker": [None, "Nobody Named"],
        "reviewed_by": [None, "nobody"],
        "reviewed_at": [None, *ODD_TIMES],
        "created": ODD_TIMES,
        "modified": ODD_TIMES,
    },
    "links": {
        "source": ["left-doc:0-1"],
        "target": ["right-doc:0-3"],
        "relation": ["paraphrase", "contradicts"],
        "author": ["nobody"],
        "reviewed_by": [None, "nobody"],
        "reviewed_at": [None, *ODD_TIMES],
        "created": ODD_TIMES,
        "modified": ODD_TIMES,
    },
}


def span_keys(data):
    return [f"{s['document']}:{s['start']}-{s['end']}" for s in data["spans"]]


def values(data, section, name):
    """Half the time a value the field takes elsewhere in the file (for a span key: any span's),
    half the time one it should not."""
    found = [record[name] for record in data[section] if name in record]
    if name in ("span", "source", "target"):
        found += span_keys(data)
    return st.sampled_from(found) | st.sampled_from(ODD[section][name])


@st.composite
def broken_files(draw, data):
    data = copy.deepcopy(data)
    texts = {document["slug"]: document["text"] for document in data["documents"]}
    for _ in range(draw(st.integers(1, 3))):
        section = draw(st.sampled_from(CHECKED))
        records = data[section]
        index = draw(st.integers(0, len(records) - 1))
        record = records[index]
        action = draw(st.sampled_from(["change", "change", "change", "repeat", "key", "stretch"]))
        if action == "repeat":
            records.insert(draw(st.integers(0, len(records))), copy.deepcopy(record))
        elif action == "key" and section == "spans":
            right = f"{record['document']}:{record['start']}-{record['end']}"
            record["key"] = draw(st.sampled_from([right, right + "0", "left-doc:0-1"]))
        elif action == "stretch" and section == "spans" and record["document"] in texts:
            # Offsets moved with a quote to match: over a space (not trimmed), or past the text.
            text = texts[record["document"]]
            record["start"] = max(0, record["start"] + draw(st.integers(-2, 1)))
            record["end"] = record["end"] + draw(st.integers(-1, 2) | st.just(len(text) + 3 - record["end"]))
            record["exact"] = text[record["start"] : record["end"]] or "x"
        else:
            name = draw(st.sampled_from(sorted(ODD[section])))
            record[name] = draw(values(data, section, name))
    return data


def test_the_export_itself_imports_alike(exported):
    fast = outcome(exported)
    with full_checks_only():
        full = outcome(exported)
    assert not isinstance(fast, str)
    assert fast == full


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_broken_file_imports_or_is_refused_alike_by_the_fast_and_the_full_checks(exported, data):
    broken = data.draw(broken_files(exported))
    fast = outcome(broken)
    with full_checks_only():
        full = outcome(broken)
    assert fast == full


@pytest.fixture(scope="module")
def checked(exported):
    """A run that has checked every record of the export: what a further record is checked against."""
    run = NativeImport()
    for section in SECTIONS:
        for index, record in enumerate(exported.get(section, [])):
            run.index = index
            assert getattr(run, f"check_{section}")(f"{section}[{index}]", record)
    return run


def judged(checked, check, section, record):
    """What a check says of one more record: its answer, its messages, the names it noted."""
    run = copy.copy(checked)
    run.keys, run.errors, run.index = copy.deepcopy(checked.keys), Errors(), 999
    return getattr(run, check)(f"{section}[999]", record), run.errors.shown, run.keys


@settings(max_examples=1500, deadline=None)
@given(data=st.data())
def test_a_record_is_judged_alike_by_the_fast_and_the_full_check(exported, checked, data):
    section = data.draw(st.sampled_from(CHECKED))
    record = copy.deepcopy(data.draw(st.sampled_from(exported[section])))
    for _ in range(data.draw(st.integers(0, 3))):
        name = data.draw(st.sampled_from(sorted(ODD[section])))
        record[name] = data.draw(values(exported, section, name))
    if section == "spans" and data.draw(st.booleans()):
        text = next(d["text"] for d in exported["documents"] if d["slug"] == exported["spans"][0]["document"])
        record |= {"document": exported["spans"][0]["document"], "orphaned": data.draw(st.booleans())}
        record["start"] = data.draw(st.integers(0, len(text) + 2))
        record["end"] = data.draw(st.integers(max(0, record["start"] - 1), len(text) + 3))
        record["exact"] = text[record["start"] : record["end"]] or "x"
    if section == "spans" and data.draw(st.integers(0, 4)) == 0:
        right = f"{record['document']}:{record['start']}-{record['end']}"
        record["key"] = data.draw(st.sampled_from([right, right + "0"]))
    fast = judged(checked, f"check_{section}", section, record)
    assert fast == judged(checked, f"check_{section}_fully", section, record)
