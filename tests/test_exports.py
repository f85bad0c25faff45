"""Native JSON out: the file's shape and order, its scope options, streaming (and that memory
stays flat), the round trip, the management command and the web download.

The bad inputs: an unknown format, status or comparison (web and command), an --indent out of range.
"""

import io
import json
import tracemalloc
import types

import jsonschema
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from reader import formats
from reader.formats import importing, jsonstream, native, scope
from reader.models import (
    Annotation,
    Attribution,
    Comparison,
    Document,
    Label,
    Link,
    Relation,
    Span,
    Speaker,
    Status,
)
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    SpanFactory,
    UserFactory,
    rich_corpus,
    span_over,
)

pytestmark = pytest.mark.django_db


def export(**options):
    return "".join(formats.export_chunks(**options))


def export_data(**options):
    return json.loads(export(**options))


def without_time(text):
    data = json.loads(text)
    del data["exported"]
    return data


@pytest.fixture
def corpus():
    return rich_corpus()


def test_the_export_validates_against_the_shipped_json_schema(corpus):
    jsonschema.Draft202012Validator(formats.native_schema()).validate(export_data())


def test_the_schema_itself_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(formats.native_schema())


def test_the_schema_names_the_same_vocabularies_as_the_models():
    definitions = formats.native_schema()["$defs"]
    assert definitions["status"]["enum"] == Status.values
    assert definitions["link"]["properties"]["relation"]["enum"] == Relation.values
    assert definitions["label"]["properties"]["kind"]["enum"] == Label.Kind.values


def test_the_export_holds_every_section_in_a_fixed_order(corpus):
    assert list(export_data()) == [
        "format",
        "exported",
        "documents",
        "comparisons",
        "labels",
        "speakers",
        "users",
        "spans",
        "annotations",
        "links",
        "attributions",
    ]


def test_the_export_names_its_format_and_time(corpus):
    data = export_data()
    assert data["format"] == "close-reader/1"
    assert data["exported"].endswith("Z")


def test_a_document_is_exported_with_its_text_and_its_digest(corpus):
    document = next(d for d in export_data()["documents"] if d["slug"] == "right-doc")
    assert document == {
        "slug": "right-doc",
        "title": "Right article",
        "outlet": "Test Wire",
        "outlet_note": "",
        "published": "2021-01-02",
        "published_note": "inferred from the text",
        "url": "",
        "language": "en",
        "text": "The talks failed, the minister said.\n\nNo one denied it on Friday.",
        "text_sha256": Document.objects.get(slug="right-doc").text_sha256,
        "headings": [],
        "version": 1,
        "modified": scope.iso(Document.objects.get(slug="right-doc").modified),
    }


def test_an_annotation_is_exported_by_natural_keys_with_its_times(corpus):
    failed = Span.objects.get(document__slug="left-doc", exact="the talks had failed")
    record = next(a for a in export_data()["annotations"] if a["label"] == "Quote" and a["author"] == "ann")
    assert record == {
        "span": f"left-doc:{failed.start}-{failed.end}",
        "label": "Quote",
        "author": "ann",
        "speaker": "Hassan Rouhani",
        "cue": "said",
        "note": "<i>Reported</i>\nspeech.",
        "status": "accepted",
        "reviewed_by": "cora",
        "reviewed_at": "2025-03-04T05:06:07.891011Z",
        "created": "2024-01-02T12:00:00.123457Z",
        "modified": "2024-01-02T13:00:00.123457Z",
        "version": 1,
    }


def test_a_link_is_exported_by_its_two_span_keys_and_relation(corpus):
    record = next(link for link in export_data()["links"] if link["relation"] == "contradicts")
    denied = Span.objects.get(exact="Officials denied it on Friday")
    right_denied = Span.objects.get(exact="No one denied it on Friday.")
    assert record["source"] == f"left-doc:{denied.start}-{denied.end}"
    assert record["target"] == f"right-doc:{right_denied.start}-{right_denied.end}"
    assert (record["author"], record["status"], record["reviewed_by"]) == ("bob", "rejected", "cora")


def test_a_span_is_named_elsewhere_by_its_document_slug_start_and_end(corpus):
    data = export_data()
    keys = {f"{span['document']}:{span['start']}-{span['end']}" for span in data["spans"]}
    assert {annotation["span"] for annotation in data["annotations"]} <= keys
    assert all("key" not in span for span in data["spans"])  # it would repeat the other three


def test_span_offsets_count_code_points_in_an_emoji_text(corpus):
    text = Document.objects.get(slug="emoji-doc").text
    spans = [s for s in export_data()["spans"] if s["document"] == "emoji-doc" and not s["orphaned"]]
    assert spans
    for span in spans:
        assert text[span["start"] : span["end"]] == span["exact"]


def test_speakers_are_exported_with_their_aliases_as_a_list(corpus):
    speakers = {s["name"]: s for s in export_data()["speakers"]}
    rouhani = Speaker.objects.get(name="Hassan Rouhani")
    assert speakers["Hassan Rouhani"] == {
        "name": "Hassan Rouhani",
        "kind": "person",
        "aliases": ["Rouhani", "the president"],
        "description": "President.",
        "version": 1,
        "modified": scope.iso(rouhani.modified),
    }


def test_a_speakers_kind_is_exported(corpus):
    speakers = {s["name"]: s["kind"] for s in export_data()["speakers"]}
    assert speakers == {
        "Hassan Rouhani": "person",
        "Iran's Foreign Ministry": "organisation",
        "Nobody Quoted": "person",
    }


def key_of(document, words):
    start = Document.objects.get(slug=document).text.index(words)
    return f"{document}:{start}-{start + len(words)}"


def test_an_attribution_is_exported_by_the_keys_of_its_spans_with_its_review(corpus):
    record = next(a for a in export_data()["attributions"] if a["document"] == "left-doc" and a["author"])
    assert record == {
        "document": "left-doc",
        "content": key_of("left-doc", "the talks had failed"),
        "content_more": [],
        "cue": key_of("left-doc", "said"),
        "source": key_of("left-doc", "The minister"),
        "kind": "indirect",
        "speaker": "Hassan Rouhani",
        "author": "ann",
        "origin": "person",
        "proposal": "",
        "note": "<b>Paraphrase</b>\nof a briefing.",
        "status": "accepted",
        "reviewed_by": "cora",
        "reviewed_at": "2025-03-04T05:06:07.891011Z",
        "created": "2024-01-16T12:00:00.123471Z",
        "modified": "2024-01-17T03:00:00.123471Z",
        "version": 1,
    }


def test_a_discontinuous_attribution_lists_its_further_pieces(corpus):
    record = next(a for a in export_data()["attributions"] if a["document"] == "right-doc")
    assert (record["content"], record["content_more"]) == (
        key_of("right-doc", "The talks failed"),
        [key_of("right-doc", "No one denied it on Friday.")],
    )
    assert (record["kind"], record["cue"], record["source"]) == (
        "mixed",
        key_of("right-doc", "said"),
        key_of("right-doc", "the minister"),
    )


def test_proposals_are_exported_undecided_taken_and_declined(corpus):
    states = [(a["document"], a["origin"], a["proposal"], a["author"]) for a in export_data()["attributions"]]
    assert states == [
        ("emoji-doc", "extractor/1", "taken", "cora"),
        ("emoji-doc", "extractor/1", "declined", None),
        ("left-doc", "person", "", "ann"),
        ("left-doc", "extractor/1", "proposed", None),
        ("right-doc", "person", "", "bob"),
    ]


def test_a_comparison_export_holds_only_the_attributions_of_its_documents(corpus):
    data = export_data(comparison=corpus.pair)
    assert {a["document"] for a in data["attributions"]} == {"left-doc", "right-doc"}


def test_users_are_only_the_usernames_the_work_names(corpus):
    assert export_data()["users"] == ["ann", "bob", "cora"]


def test_records_are_sorted_by_their_natural_keys(corpus):
    data = export_data()
    assert [d["slug"] for d in data["documents"]] == ["emoji-doc", "left-doc", "right-doc"]
    assert [c["slug"] for c in data["comparisons"]] == ["emoji-pair", "pair"]
    spans = [(s["document"], s["start"], s["end"]) for s in data["spans"]]
    assert spans == sorted(spans)
    keys = {
        f"{s['document']}:{s['start']}-{s['end']}": (s["document"], s["start"], s["end"])
        for s in data["spans"]
    }
    annotations = [(keys[a["span"]], a["label"], a["author"]) for a in data["annotations"]]
    assert annotations == sorted(annotations)
    links = [(keys[link["source"]], keys[link["target"]], link["relation"]) for link in data["links"]]
    assert links == sorted(links)


def test_two_exports_of_the_same_data_are_identical_apart_from_the_time(corpus):
    assert without_time(export()) == without_time(export())


def test_an_empty_database_exports_empty_sections_that_still_validate():
    data = export_data()
    jsonschema.Draft202012Validator(formats.native_schema()).validate(data)
    assert data["documents"] == data["spans"] == data["annotations"] == data["links"] == []


def test_a_comparison_export_holds_only_its_two_documents_and_itself(corpus):
    data = export_data(comparison=corpus.pair)
    assert [d["slug"] for d in data["documents"]] == ["left-doc", "right-doc"]
    assert [c["slug"] for c in data["comparisons"]] == ["pair"]
    assert {s["document"] for s in data["spans"]} == {"left-doc", "right-doc"}


def test_a_comparison_export_leaves_out_links_to_a_third_document(corpus):
    data = export_data(comparison=corpus.pair)
    assert {link["relation"] for link in data["links"]} == {"counterpart", "paraphrase", "contradicts"}


def test_a_status_export_holds_only_that_status_and_the_spans_it_uses(corpus):
    data = export_data(status="accepted")
    assert {a["status"] for a in data["annotations"]} == {"accepted"}
    assert [link["relation"] for link in data["links"]] == ["counterpart"]
    used = (
        {a["span"] for a in data["annotations"]}
        | {key for link in data["links"] for key in (link["source"], link["target"])}
        | {
            key
            for a in data["attributions"]
            for key in (a["content"], *a["content_more"], a["cue"], a["source"])
            if key is not None
        }
    )
    assert [a["status"] for a in data["attributions"]] == ["accepted"]
    assert {f"{s['document']}:{s['start']}-{s['end']}" for s in data["spans"]} == used


def test_a_status_export_names_only_the_users_of_that_status(corpus):
    Annotation.objects.filter(status=Status.ACCEPTED).update(reviewed_by=None)
    Link.objects.filter(status=Status.ACCEPTED).update(reviewed_by=None)
    Attribution.objects.filter(status=Status.ACCEPTED).update(reviewed_by=None)
    assert export_data(status="accepted")["users"] == ["ann", "bob"]


def test_an_orphaned_span_is_exported_as_it_is(corpus):
    (orphan,) = [s for s in export_data()["spans"] if s["orphaned"]]
    assert (orphan["start"], orphan["end"], orphan["exact"]) == (3, 9, "gone text")


def test_the_export_is_a_lazy_generator_that_queries_nothing_until_read(corpus):
    with CaptureQueriesContext(connection) as queries:
        chunks = formats.export_chunks()
    assert isinstance(chunks, types.GeneratorType)
    assert len(queries) == 0


def test_chunks_stay_small_whatever_the_size_of_the_export(corpus, monkeypatch):
    monkeypatch.setattr(scope, "CHUNK_CHARS", 200)
    chunks = list(formats.export_chunks(indent=2))
    longest_record = max(len(json.dumps(r, ensure_ascii=False, indent=2)) for r in export_data()["documents"])
    assert len(chunks) > 10
    assert all(len(chunk) < 200 + longest_record + 10 for chunk in chunks)


def test_the_export_is_compact_by_default(corpus):
    text = export()
    assert text.count("\n") == 1  # the one at the end: newlines in texts are escaped
    assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) + "\n"


@pytest.mark.parametrize("indent", [1, 2, 4])
def test_an_indented_export_is_what_json_dumps_would_write(corpus, indent):
    text = export(indent=indent)
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=indent) + "\n"


def test_a_document_text_is_written_once(corpus):
    text = Document.objects.get(slug="left-doc").text
    assert export().count(json.dumps(text, ensure_ascii=False)) == 1


def annotations_on(document, count):
    span, claim = span_over(document, "The minister"), Label.objects.get(name="Claim")
    for index in range(count):
        AnnotationFactory(span=span, label=claim, author=UserFactory(username=f"{document.slug}{index}"))


@pytest.mark.parametrize("format", ["native", "w3c"])
def test_the_export_makes_as_many_queries_for_many_annotations_as_for_few(format):
    # The native export reads spans, annotations and links one document at a time.
    few, many = DocumentFactory(slug="few"), DocumentFactory(slug="many")
    annotations_on(few, 2)
    with CaptureQueriesContext(connection) as small:
        export(format=format)
    annotations_on(many, 40)
    with CaptureQueriesContext(connection) as large:
        export(format=format)
    assert len(large) == len(small)


@pytest.mark.parametrize("reading", ["whole", "item by item"])
def test_export_then_import_into_an_empty_database_then_export_gives_the_same_file(
    corpus, reading, monkeypatch
):
    if reading == "item by item":  # as a file over importing.WHOLE_FILE_BYTES is read
        monkeypatch.setattr(importing, "WHOLE_FILE_BYTES", 0)
        monkeypatch.setattr(jsonstream, "READ_BYTES", 100)
    first = export()
    for model in (Link, Annotation, Span, Comparison, Document, Speaker):
        model.objects.all().delete()
    Label.objects.exclude(name__in=["Quote", "Speaker", "Claim"]).delete()
    get_user_model().objects.all().delete()
    assert Attribution.objects.count() == 0
    formats.import_native(raw=first.encode("utf-8"))
    second = export()
    exported_at = json.loads(first)["exported"]
    assert second.replace(json.loads(second)["exported"], exported_at) == first
    # What the file held: a discontinuous attribution, an undecided proposal and a declined one.
    attributions = json.loads(first)["attributions"]
    assert len(attributions) == Attribution.objects.count() == 5
    assert any(a["content_more"] for a in attributions)
    assert {a["proposal"] for a in attributions} == {"", "proposed", "taken", "declined"}


def test_the_round_trip_keeps_times_to_the_microsecond(corpus):
    first = export_data()
    Annotation.objects.all().delete()
    Link.objects.all().delete()
    formats.import_native(raw=json.dumps(first))
    failed = Annotation.objects.get(
        label__name="Quote", author__username="ann", span__exact="the talks had failed"
    )
    assert failed.created.isoformat() == "2024-01-02T12:00:00.123457+00:00"
    assert failed.modified.isoformat() == "2024-01-02T13:00:00.123457+00:00"
    assert failed.reviewed_at.isoformat() == "2025-03-04T05:06:07.891011+00:00"


def test_the_command_writes_the_export_to_stdout(corpus):
    out = io.StringIO()
    call_command("export_annotations", stdout=out)
    assert without_time(out.getvalue()) == without_time(export())


def test_the_command_writes_a_file_with_output(corpus, tmp_path):
    path = tmp_path / "out.json"
    call_command("export_annotations", "--output", str(path), stderr=io.StringIO())
    assert without_time(path.read_text(encoding="utf-8")) == without_time(export())
    assert not (tmp_path / "out.json.part").exists()


def test_the_command_passes_comparison_status_and_format_on(corpus):
    out = io.StringIO()
    call_command(
        "export_annotations", "--format", "w3c", "--comparison", "pair", "--status", "accepted", stdout=out
    )
    items = json.loads(out.getvalue())["first"]["items"]
    assert [item["motivation"] for item in items] == ["tagging", "tagging", "identifying", "linking"]


def test_the_command_indents_for_people(corpus):
    out = io.StringIO()
    call_command("export_annotations", "--indent", "2", stdout=out)
    assert out.getvalue().startswith('{\n  "format": "close-reader/1",\n')
    assert without_time(out.getvalue()) == without_time(export())


def test_the_command_refuses_an_absurd_indent():
    with pytest.raises(CommandError, match="--indent takes 0 to 16"):
        call_command("export_annotations", "--indent", "99", stdout=io.StringIO())


def test_the_command_refuses_an_unknown_comparison(corpus):
    with pytest.raises(CommandError, match="no comparison 'nope'"):
        call_command("export_annotations", "--comparison", "nope", stdout=io.StringIO())


def download(client, **query):
    response = client.get("/export/annotations.json", query)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_web_export_streams_a_download(corpus, user_client):
    response, body = download(user_client)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="close-reader.json"'
    assert without_time(body.decode("utf-8")) == without_time(export())


def test_the_web_export_takes_comparison_status_and_format(corpus, user_client):
    response, body = download(user_client, format="w3c", comparison="pair", status="accepted")
    assert response["Content-Type"].startswith("application/ld+json")
    assert response["Content-Disposition"] == 'attachment; filename="close-reader-pair-accepted-w3c.json"'
    assert json.loads(body)["total"] == 4  # two annotations, an attribution, a link


def test_the_web_export_needs_a_login(corpus, client):
    response = client.get("/export/annotations.json")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"format": "csv"}, 400, "Unknown format"),
        ({"status": "maybe"}, 400, "Unknown status"),
        ({"comparison": "nope"}, 404, "no comparison"),
    ],
)
def test_the_web_export_answers_a_bad_query_with_a_message(user_client, query, status, message):
    response = user_client.get("/export/annotations.json", query)
    assert response.status_code == status
    assert message in response.content.decode()


def test_the_admin_exports_the_selected_annotations_as_native_json(client, db):
    comparison = ComparisonFactory()
    left = AnnotationFactory(span=SpanFactory(document=comparison.left, start=0, end=3))
    right = AnnotationFactory(span=SpanFactory(document=comparison.right, start=0, end=3))
    unselected = AnnotationFactory(span=SpanFactory(document=comparison.left, start=4, end=12))
    Link.objects.create(source=left.span, target=right.span, relation="counterpart", author=left.author)
    admin = get_user_model().objects.create_superuser("boss", password="x-very-long-password")
    client.force_login(admin)
    response = client.post(
        "/admin/reader/annotation/",
        {"action": "export_native", "_selected_action": [left.pk, right.pk]},
    )
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    assert data["format"] == "close-reader/1"
    assert sorted(a["span"] for a in data["annotations"]) == sorted(
        f"{a.span.document.slug}:{a.span.start}-{a.span.end}" for a in (left, right)
    )
    unselected_key = f"{comparison.left.slug}:{unselected.span.start}-{unselected.span.end}"
    assert unselected_key not in [f"{s['document']}:{s['start']}-{s['end']}" for s in data["spans"]]
    assert len(data["spans"]) == 2
    assert len(data["links"]) == 1
    assert [c["slug"] for c in data["comparisons"]] == [comparison.slug]
    assert Annotation.objects.count() == 3


# --- Memory stays flat -----------------------------------------------------------------------------


WORDS = 20_000


def long_document():
    """A document of WORDS distinct words, and where each starts."""
    document = DocumentFactory(slug="long", text=" ".join(f"word{n}" for n in range(WORDS)))
    starts = [0]
    for n in range(WORDS - 1):
        starts.append(starts[-1] + len(f"word{n}") + 1)
    return document, starts


def annotate_words(document, starts, numbers):
    """An annotation on each numbered word, made in bulk (20,000 one by one would take minutes)."""
    spans = Span.objects.bulk_create(
        [
            Span(document=document, start=starts[n], end=starts[n] + len(f"word{n}"), exact=f"word{n}")
            for n in numbers
        ]
    )
    author, claim = UserFactory(username="author"), Label.objects.get(name="Claim")
    Annotation.objects.bulk_create(
        [Annotation(span=span, label=claim, author=author, note=f"note {span.start}") for span in spans]
    )


def peak_memory_of_export():
    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in formats.export_chunks())
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_exporting_20000_annotations_takes_little_more_memory_than_100():
    document, starts = long_document()
    annotate_words(document, starts, range(100))
    small, small_size = peak_memory_of_export()
    annotate_words(document, starts, range(100, WORDS))
    large, large_size = peak_memory_of_export()
    assert Annotation.objects.count() == WORDS
    assert large_size > 3 * small_size  # the file did grow with the annotations
    # What may grow: the rows of one query (ROWS_PER_QUERY) and one chunk. A section gathered in
    # a list would cost ~20 MB here.
    assert large < 2 * small + 2_000_000, (small, large)


def test_the_fast_writers_write_what_the_presenters_present(corpus):
    names = native.Names()
    for name, chunks, present in native._sections(scope.Scope(), names):
        chunks = list(chunks)  # read in order: the first sections name what the others refer to
        if name in native.FAST:
            write = native.FAST[name](names)
            assert chunks
            for rows in chunks:
                assert write(rows) == ",".join(scope.COMPACT.encode(present(row, names)) for row in rows)


def test_a_spans_annotations_cut_by_a_fetch_are_still_sorted_by_label_and_author(corpus, monkeypatch):
    span, author = SpanFactory(document__slug="zz-many"), UserFactory(username="zed")
    for label in Label.objects.all():
        AnnotationFactory(span=span, label=label, author=author)
        AnnotationFactory(span=span, label=label, author=UserFactory())
    whole = export_data()["annotations"]
    monkeypatch.setattr(native, "ROWS_PER_QUERY", 3)  # the span's annotations come in several fetches
    cut = export_data()["annotations"]
    assert cut == whole
    mine = [(a["label"], a["author"]) for a in cut if a["span"].startswith("zz-many:")]
    assert len(mine) == 2 * Label.objects.count()
    assert mine == sorted(mine)


def test_a_document_query_compiled_once_gives_each_document_its_own_rows(corpus, monkeypatch):
    whole = export()
    # Where the document's place among the parameters is not known, each is compiled on its own.
    compile_once = scope.ForEachDocument._compile
    monkeypatch.setattr(scope.ForEachDocument, "_compile", lambda self: (*compile_once(self)[:2], None))
    assert without_time(export()) == without_time(whole)
    assert len(export_data()["spans"]) == Span.objects.count()


def test_a_documents_outlet_note_and_headings_go_out_and_come_back(corpus, django_user_model):
    from reader.formats import import_native

    Document.objects.filter(slug="right-doc").update(outlet_note="inferred", headings=[[0, 16]])
    data = export_data()
    Comparison.objects.all().delete()
    Document.objects.all().delete()
    import_native(raw=json.dumps(data))
    document = Document.objects.get(slug="right-doc")
    assert (document.outlet_note, document.headings) == ("inferred", [[0, 16]])


def test_headings_outside_the_text_are_refused(corpus):
    from reader.formats import ImportRefused, import_native

    data = export_data()
    right = next(d for d in data["documents"] if d["slug"] == "right-doc")
    right["headings"] = [[5, 9999]]
    Comparison.objects.all().delete()
    Document.objects.all().delete()
    with pytest.raises(ImportRefused, match=r"headings\[0\]"):
        import_native(raw=json.dumps(data))
