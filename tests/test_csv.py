"""CSV tables out: the exact columns and rows of the attributions, links and speakers tables, their
filters (comparison, status, annotator), RFC 4180 quoting, the byte order mark on request, the
neutralising of cells a spreadsheet would run as formulas, streaming, and the command.

The bad inputs: an unknown status, an unknown annotator (400 with a message), an unknown
comparison (404), cells from user text that start with =, +, -, @, a tab or a carriage return
(written with a leading '), an unknown table, --table without --format csv, --format csv without
--table, an unknown --annotator (command errors).
"""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from reader import formats
from reader.formats import csv as tables
from reader.models import Attribution, Document, Link, Speaker
from tests.factories import DocumentFactory, SpanFactory, UserFactory, rich_corpus, span_over

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    return rich_corpus()


def text(table, **filters):
    return "".join(formats.csv_chunks(table=table, **filters))


def rows(table, **filters):
    return list(csv.reader(io.StringIO(text(table, **filters), newline="")))


def download(client, table, **query):
    response = client.get(f"/export/{table}.csv", query)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


# --- attributions ----------------------------------------------------------------------------------


def test_the_attributions_table_has_these_columns():
    assert rows("attributions")[0] == [
        "document", "title", "outlet", "published", "speaker", "speaker_kind", "source", "cue", "cue_lemma",
        "kind", "content", "start", "end", "pieces", "annotator", "status", "origin", "proposal",
    ]  # fmt: skip


def test_an_attribution_is_a_row_with_its_document_speaker_cue_lemma_and_offsets(corpus):
    assert rows("attributions")[2] == [
        "left-doc", "Left <b>article</b>", "Test Wire", "", "Hassan Rouhani", "person", "The minister",
        "said", "say", "indirect", "the talks had failed", "18", "38", "18-38", "ann", "accepted", "person",
        "",
    ]  # fmt: skip


def test_a_discontinuous_attribution_joins_its_pieces_and_lists_each_pieces_offsets(corpus):
    assert rows("attributions")[3] == [
        "right-doc", "Right article", "Test Wire", "2021-01-02", "Hassan Rouhani", "person", "the minister",
        "said", "say", "mixed", "The talks failed … No one denied it on Friday.", "0", "16", "0-16;38-65",
        "bob", "pending", "person", "",
    ]  # fmt: skip


def test_only_attributions_as_work_are_rows_not_undecided_or_declined_proposals(corpus):
    table = rows("attributions")[1:]
    assert [(row[0], row[16], row[17]) for row in table] == [
        ("emoji-doc", "extractor/1", "taken"),
        ("left-doc", "person", ""),
        ("right-doc", "person", ""),
    ]
    assert table[0][4:9] == ["", "", "Family 👨‍👩‍👧", "", ""]  # no speaker, no cue
    assert Attribution.objects.count() == 5


def test_the_attributions_table_narrows_to_a_comparison_a_status_or_an_annotator(corpus):
    bob = UserFactory(username="bob")
    assert [row[0] for row in rows("attributions", comparison=corpus.pair)[1:]] == ["left-doc", "right-doc"]
    assert [row[14] for row in rows("attributions", status="accepted")[1:]] == ["ann"]
    assert [row[14] for row in rows("attributions", annotator=bob)[1:]] == ["bob"]


def test_the_attributions_table_makes_as_many_queries_for_many_rows_as_for_few():
    document = DocumentFactory(text=" ".join(f"word{n}" for n in range(60)))
    author = UserFactory()

    def attribute(n):
        start = document.text.index(f"word{n} ")
        content = SpanFactory(document=document, start=start, end=start + len(f"word{n}"))
        Attribution.objects.create(document=document, content=content, author=author)

    attribute(1)
    with CaptureQueriesContext(connection) as few:
        text("attributions")
    for n in range(2, 40):
        attribute(n)
    with CaptureQueriesContext(connection) as many:
        assert len(rows("attributions")) == 40
    assert len(many) == len(few)


# --- links -----------------------------------------------------------------------------------------


def test_the_links_table_has_a_column_for_each_sides_document_outlet_words_offsets_speaker_and_cue():
    side = ["document", "outlet", "words", "start", "end", "speaker", "cue"]
    assert rows("links")[0] == [
        "relation", "note", "status", "annotator",
        *(f"source_{c}" for c in side), *(f"target_{c}" for c in side),
    ]  # fmt: skip


def test_a_link_side_takes_its_speaker_and_cue_from_the_attribution_of_its_words(corpus):
    counterpart = next(row for row in rows("links") if row[0] == "counterpart")
    assert counterpart == [
        "counterpart", "", "accepted", "ann",
        "left-doc", "Test Wire", "the talks had failed", "18", "38", "Hassan Rouhani", "said",
        "right-doc", "Test Wire", "The talks failed", "0", "16", "Hassan Rouhani", "said",
    ]  # fmt: skip


def test_a_link_side_without_an_attribution_takes_them_from_its_quote_or_claim(corpus):
    contradicts = next(row for row in rows("links") if row[0] == "contradicts")
    assert contradicts == [
        "contradicts", "", "rejected", "bob",
        "left-doc", "Test Wire", "Officials denied it on Friday", "41", "70", "Iran's Foreign Ministry",
        "denied",
        # A further piece of an attribution's content is that attribution's words too.
        "right-doc", "Test Wire", "No one denied it on Friday.", "38", "65", "Hassan Rouhani", "said",
    ]  # fmt: skip


def test_the_links_table_narrows_to_a_status_or_an_annotator(corpus):
    assert [row[0] for row in rows("links", status="accepted")[1:]] == ["counterpart"]
    bob = UserFactory(username="bob")
    assert [row[0] for row in rows("links", annotator=bob)[1:]] == ["paraphrase", "contradicts"]
    assert {row[4] for row in rows("links", comparison=corpus.pair)[1:]} == {"left-doc"}


# --- speakers --------------------------------------------------------------------------------------


def test_the_speakers_table_has_a_row_per_speaker_and_outlet_with_counts_and_cue_lemmas(corpus):
    Document.objects.filter(slug="right-doc").update(outlet="Other Wire")
    assert rows("speakers") == [
        ["speaker", "kind", "aliases", "outlet", "documents", "attributions", "direct", "indirect", "mixed",
         "cue_lemmas"],
        ["Hassan Rouhani", "person", "Rouhani | the president", "Other Wire",
         "1", "1", "0", "0", "1", "say (1)"],
        ["Hassan Rouhani", "person", "Rouhani | the president", "Test Wire",
         "1", "1", "0", "1", "0", "say (1)"],
    ]  # fmt: skip


def test_cue_lemmas_are_counted_most_used_first(corpus):
    left = Document.objects.get(slug="left-doc")  # in the outlet of right-doc too
    for words, cue in [("Nobody else commented.", "Officials denied"), ("on Friday", "calling")]:
        Attribution.objects.create(
            document=left,
            content=span_over(left, words),
            cue=span_over(left, cue),
            speaker=Speaker.objects.get(name="Hassan Rouhani"),
            author=UserFactory(username="ann"),
        )
    (row,) = rows("speakers")[1:]
    assert row[4:] == ["2", "4", "0", "3", "1", "say (2) | call (1) | deny (1)"]


def test_a_proposal_nobody_took_counts_for_no_speaker(corpus):
    assert "Iran's Foreign Ministry" not in [row[0] for row in rows("speakers")]


# --- the file ----------------------------------------------------------------------------------------


def test_the_file_is_rfc_4180_with_crlf_line_ends_and_quoted_fields(corpus):
    Link.objects.filter(relation="paraphrase").update(note='He said "close", then\nleft.')
    body = text("links")
    assert body.count("\r\n") == 5  # the header and four links
    assert "\r" not in body.replace("\r\n", "")
    assert '"He said ""close"", then\nleft."' in body
    assert next(row for row in rows("links") if row[0] == "paraphrase")[1] == 'He said "close", then\nleft.'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_gets_a_leading_quote(start):
    assert tables.neutralised(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", ["said", "“quoted”", " =spaced", "", 12, 0])
def test_other_cells_are_written_as_they_are(value):
    assert tables.neutralised(value) == value


def test_formulas_from_titles_notes_and_words_are_neutralised_in_the_file(corpus):
    Document.objects.filter(slug="left-doc").update(title='=HYPERLINK("http://evil.example")')
    Link.objects.filter(relation="paraphrase").update(note="@SUM(1+1)")
    assert rows("attributions")[2][1] == '\'=HYPERLINK("http://evil.example")'
    assert next(row for row in rows("links") if row[0] == "paraphrase")[1] == "'@SUM(1+1)"
    assert rows("attributions")[2][11] == "18"  # numbers need no quote


def test_the_web_download_streams_utf8_without_a_byte_order_mark(corpus, user_client):
    response, body = download(user_client, "attributions")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="close-reader-attributions.csv"'
    assert body.decode("utf-8") == text("attributions")
    assert not body.startswith(b"\xef\xbb\xbf")


def test_bom_1_starts_the_download_with_a_byte_order_mark_for_excel(corpus, user_client):
    _, body = download(user_client, "speakers", bom="1")
    assert body.startswith(b"\xef\xbb\xbfspeaker,kind,")


def test_the_web_download_takes_comparison_status_and_annotator(corpus, user_client):
    response, body = download(user_client, "links", comparison="pair", status="rejected", annotator="bob")
    assert (
        response["Content-Disposition"] == 'attachment; filename="close-reader-links-pair-rejected-bob.csv"'
    )
    assert [row[0] for row in csv.reader(io.StringIO(body.decode(), newline=""))][1:] == ["contradicts"]


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        (
            {"status": "maybe"},
            400,
            "Unknown status &#x27;maybe&#x27;: choose one of pending, accepted, rejected.",
        ),
        ({"annotator": "nobody"}, 400, "There is no annotator &#x27;nobody&#x27;."),
        ({"comparison": "nope"}, 404, "There is no comparison &#x27;nope&#x27;."),
    ],
)
@pytest.mark.parametrize("table", ["attributions", "links", "speakers"])
def test_a_bad_filter_answers_with_a_clear_message(user_client, table, query, status, message):
    response = user_client.get(f"/export/{table}.csv", query)
    assert response.status_code == status
    assert message in response.content.decode()


def test_the_downloads_need_a_login(client):
    response = client.get("/export/speakers.csv")
    assert response.status_code == 302


# --- the command -----------------------------------------------------------------------------------


def test_the_command_writes_a_table_to_stdout_with_the_same_filters(corpus):
    out = io.StringIO()
    call_command(
        "export_annotations", "--format", "csv", "--table", "links", "--annotator", "bob", stdout=out
    )
    assert out.getvalue() == text("links", annotator=UserFactory(username="bob"))


def test_the_command_writes_a_file_keeping_crlf_and_the_bom(corpus, tmp_path):
    path = tmp_path / "speakers.csv"
    call_command(
        "export_annotations", "--format", "csv", "--table", "speakers", "--bom", "--output", str(path),
        stderr=io.StringIO(),
    )  # fmt: skip
    assert path.read_bytes() == ("\ufeff" + text("speakers")).encode("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv"], "Choose a --table: attributions, links, speakers."),
        (["--table", "links"], "--table and --bom are for CSV: add --format csv."),
        (["--format", "csv", "--table", "links", "--annotator", "zed"], "There is no annotator 'zed'."),
        (["--format", "native", "--annotator", "ann"], "--annotator is for the CSV and brat formats."),
    ],
)
def test_the_command_refuses_what_does_not_fit(corpus, args, message):
    with pytest.raises(CommandError, match=message.replace("-", r"\-")):
        call_command("export_annotations", *args, stdout=io.StringIO())


def test_the_command_refuses_an_unknown_table():
    with pytest.raises(CommandError, match="invalid choice: 'claims'"):
        call_command("export_annotations", "--format", "csv", "--table", "claims", stdout=io.StringIO())
