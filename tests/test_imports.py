"""Native JSON in: all or nothing, idempotent, and every bad file refused with a message that
names the record and field.

The bad inputs, each refused whole with nothing written:
- bytes that are not UTF-8, and text that is not JSON (the message gives line and column);
- a file of another format, a missing field, an unexpected field, a value of the wrong type or
  below its minimum, a slug ending in a newline (the message gives the JSON path, e.g.
  spans[0].start);
- a span whose offsets do not hold its quote, that ends past the text, that ends before it
  starts, whose quote has outer whitespace, or whose key does not match its offsets;
- unknown references: a span naming an unknown document, an annotation naming an unknown span,
  label, speaker, author or reviewer, a link naming an unknown span, a comparison naming an
  unknown document;
- a link within one document, a comparison of a document with itself;
- a document whose text_sha256 is not its text's, or whose text differs from the document
  with the same slug already here;
- a record given twice (the same natural key), two labels with one shortcut;
- a time that is not a real time (month 13, February 30th);
- a label whose shortcut a label here (not in the file) holds, found halfway through the import
  (all rolled back);
- values the forms refuse: a javascript: (or ftp:) document URL, a NUL character (\u0000), a lone
  surrogate (\ud800) in a title and in a note, a text over MAX_DOCUMENT_BYTES, a whitespace-only
  text or title, an offset of 2**64 (on a span and on an orphaned span), a colour that is not
  #rrggbb, a cue, title or speaker alias over its column's length, a 7 MB note (refused with the
  note limit, not the article one), a version of 0, a version of 1.0 and an offset of 5.0 (before,
  such a record was left out without a word);
- a file whose sections are out of order, a section given twice, a W3C file imported as native;
- attributions: one naming a span the file does not hold, one whose cue lies in another
  document, one whose cue is its content, two with the same content, a person-made one marked as
  a proposal, an extractor's one with no proposal state, an unknown origin, an unknown speaker
  or author;
- the same bad files through the command (exit code 1, one message, no traceback, also run as a
  real process) and the upload form (400).
"""

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from reader import formats
from reader.models import Annotation, Attribution, Comparison, Document, Label, Link, Span, Speaker
from tests.factories import CuratorFactory, DocumentFactory, LabelFactory, UserFactory, rich_corpus

pytestmark = pytest.mark.django_db

MODELS = (
    Document,
    Comparison,
    Label,
    Speaker,
    Span,
    Annotation,
    Link,
    Attribution,
    Attribution.content_more.through,
)


def snapshot():
    """Every row of every model the import touches, to prove nothing changed."""
    rows = {model.__name__: sorted(model.objects.values_list(), key=repr) for model in MODELS}
    rows["users"] = sorted(get_user_model().objects.values_list("username", "is_active", "password"))
    return rows


@pytest.fixture
def exported():
    """A rich export, then a database emptied of everything it holds but the built-in labels."""
    rich_corpus()
    data = json.loads("".join(formats.export_chunks()))
    for model in (Link, Annotation, Span, Comparison, Document, Speaker):
        model.objects.all().delete()
    Label.objects.exclude(name__in=["Quote", "Speaker", "Claim"]).delete()
    get_user_model().objects.all().delete()
    return data


def import_data(data):
    return formats.import_native(raw=json.dumps(data).encode("utf-8"))  # \u escapes carry lone surrogates


def refusal(data):
    """Import a bad file; return the message, after checking that nothing was written."""
    before = snapshot()
    with pytest.raises(formats.ImportRefused) as refused:
        import_data(data)
    assert snapshot() == before
    return str(refused.value)


def index_of(records, **fields):
    return next(i for i, r in enumerate(records) if all(r[k] == v for k, v in fields.items()))


# --- What a good import does ---------------------------------------------------------------------


def test_an_import_into_an_empty_database_creates_everything_in_the_file(exported):
    import_data(exported)
    assert Document.objects.count() == 3
    assert Comparison.objects.count() == 2
    assert Span.objects.count() == len(exported["spans"])
    assert Annotation.objects.count() == len(exported["annotations"])
    assert Link.objects.count() == len(exported["links"])


def test_importing_the_same_file_twice_changes_nothing(exported):
    import_data(exported)
    after_first = snapshot()
    import_data(exported)
    assert snapshot() == after_first


def test_the_second_import_counts_every_record_as_left_alone(exported):
    import_data(exported)
    summary = import_data(exported)
    assert summary.total("added") == summary.total("updated") == summary.total("conflicts") == 0
    assert summary.counts["annotations"]["unchanged"] == len(exported["annotations"])
    assert summary.counts["spans"]["unchanged"] == len(exported["spans"])


def test_unknown_users_are_created_inactive_with_unusable_passwords(exported):
    summary = import_data(exported)
    users = get_user_model().objects.order_by("username")
    assert [user.username for user in users] == ["ann", "bob", "cora"]
    assert not any(user.is_active or user.has_usable_password() for user in users)
    assert summary.new_users == ["ann", "bob", "cora"]


def test_existing_users_are_matched_by_username_and_left_as_they_are(exported):
    ann = UserFactory(username="ann")
    summary = import_data(exported)
    ann.refresh_from_db()
    assert ann.is_active
    assert ann.has_usable_password()
    assert "ann" not in summary.new_users
    assert Annotation.objects.filter(author=ann).exists()


def test_labels_and_speakers_are_matched_by_name(exported):
    LabelFactory(name="Hedge", colour="#000000", shortcut="")
    index = index_of(exported["labels"], name="Hedge")
    exported["labels"][index]["version"] = 2  # edited since, where the file comes from
    import_data(exported)
    hedge = Label.objects.get(name="Hedge")
    assert (hedge.colour, hedge.shortcut, hedge.version) == ("#CC79A7", "h", 2)
    assert Label.objects.count() == 4
    assert Speaker.objects.count() == len(exported["speakers"])


def test_an_import_adds_to_what_is_here_and_deletes_nothing(exported):
    import_data(exported)
    extra = DocumentFactory(slug="not-in-the-file")
    import_data(exported)
    assert Document.objects.filter(pk=extra.pk).exists()


def test_a_document_already_here_with_the_same_text_is_matched_by_slug(exported):
    record = exported["documents"][0]
    here = DocumentFactory(slug=record["slug"], title="Old title", text=record["text"])
    record["version"] = 3
    import_data(exported)
    here.refresh_from_db()
    assert here.title == record["title"]
    assert Document.objects.filter(slug=record["slug"]).count() == 1


def test_the_command_imports_a_file_and_says_what_it_did(exported, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    out = io.StringIO()
    call_command("import_annotations", str(path), stdout=out)
    assert "annotations: 11 added, 0 left alone, 0 updated, 0 in conflict" in out.getvalue()
    assert "Created 3 inactive user(s) with unusable passwords" in out.getvalue()
    assert Annotation.objects.count() == 11


def test_the_command_refuses_a_bad_file_with_a_command_error(exported, tmp_path):
    exported["spans"][0]["start"] = -1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    with pytest.raises(CommandError, match=r"spans\[0\]\.start: -1 is less than the minimum of 0"):
        call_command("import_annotations", str(path), stdout=io.StringIO())
    assert Span.objects.count() == 0


def test_the_command_says_when_it_cannot_read_the_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_annotations", str(tmp_path / "missing.json"), stdout=io.StringIO())


# --- The upload form ---------------------------------------------------------------------------


# These log in after `exported` has emptied the database of users, so they come after it.
@pytest.fixture
def curator_client(exported, client):
    client.force_login(CuratorFactory(username="cura"))
    return client


@pytest.fixture
def annotator_client(exported, client):
    client.force_login(UserFactory(username="dan"))
    return client


def upload(client, data, name="export.json"):
    content = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
    file = io.BytesIO(content)
    file.name = name
    return client.post("/import/", {"file": file})


def test_a_curator_sees_the_upload_form(curator_client):
    response = curator_client.get("/import/")
    assert response.status_code == 200
    assert b'type="file"' in response.content


def test_someone_who_is_not_a_curator_may_not_import(annotator_client, exported):
    assert annotator_client.get("/import/").status_code == 403
    assert upload(annotator_client, exported).status_code == 403
    assert Annotation.objects.count() == 0


def test_an_upload_imports_the_file_and_says_so(curator_client, exported):
    response = upload(curator_client, exported)
    assert response.status_code == 302
    assert Annotation.objects.count() == len(exported["annotations"])
    page = curator_client.get(response["Location"]).content.decode()
    assert "Imported export.json" in page


def test_a_bad_upload_answers_400_with_the_message_and_writes_nothing(curator_client, exported):
    exported["spans"][0]["start"] = -1
    response = upload(curator_client, exported)
    assert response.status_code == 400
    assert "spans[0].start: -1 is less than the minimum of 0" in response.content.decode()
    assert Document.objects.count() == 0


def test_an_upload_without_a_file_answers_400(curator_client):
    response = curator_client.post("/import/", {})
    assert response.status_code == 400
    assert "Choose a close-reader/1 or W3C JSON file" in response.content.decode()


# --- Bad files ---------------------------------------------------------------------------------


def test_bytes_that_are_not_utf8_are_refused(exported):
    with pytest.raises(formats.ImportRefused, match="not UTF-8"):
        formats.import_native(raw=b'{"format": "\xff"}')


def test_text_that_is_not_json_is_refused_with_its_line_and_column():
    with pytest.raises(formats.ImportRefused, match="not valid JSON: .* at line 2, column 3"):
        formats.import_native(raw=b"{\n  oops}")


def test_a_file_of_another_format_is_refused(exported):
    exported["format"] = "close-reader/2"
    assert refusal(exported).startswith("format: 'close-reader/1' was expected")


def test_a_missing_field_is_refused_naming_the_record(exported):
    del exported["annotations"][2]["cue"]
    assert "annotations[2]: 'cue' is a required property" in refusal(exported)


def test_an_unexpected_field_is_refused_naming_the_record(exported):
    exported["links"][1]["weight"] = 3
    assert "links[1]: Additional properties are not allowed ('weight' was unexpected)" in refusal(exported)


def test_a_negative_offset_is_refused_with_its_json_path(exported):
    exported["spans"][3]["start"] = -1
    assert "spans[3].start: -1 is less than the minimum of 0" in refusal(exported)


def test_a_value_of_the_wrong_type_is_refused_with_its_json_path(exported):
    exported["documents"][1]["published"] = 2021
    assert "documents[1].published: 2021 is not valid" in refusal(exported)


def test_a_slug_with_a_trailing_newline_is_refused(exported):
    exported["comparisons"][0]["slug"] = "pair\n"
    assert "comparisons[0].slug: 'pair\\n' does not match" in refusal(exported)


def test_several_problems_are_reported_together(exported):
    exported["spans"][0]["start"] = -1
    exported["annotations"][1]["status"] = "maybe"
    message = refusal(exported)
    assert "spans[0].start" in message
    assert "annotations[1].status: 'maybe' is not one of" in message


def test_a_span_whose_offsets_do_not_hold_its_quote_is_refused(exported):
    index = index_of(exported["spans"], document="left-doc", exact="The minister")
    exported["spans"][index]["exact"] = "The ministry"
    assert (
        f"spans[{index}].exact: is not the text at 0–12 of its document, which is 'The minister'."
        in refusal(exported)
    )


def test_a_span_ending_past_the_text_is_refused(exported):
    index = index_of(exported["spans"], document="right-doc", start=38, end=65)
    exported["spans"][index].update(end=99)
    for annotation in exported["annotations"]:
        if annotation["span"] == "right-doc:38-65":
            annotation["span"] = "right-doc:38-99"
    for link in exported["links"]:
        if link["target"] == "right-doc:38-65":
            link["target"] = "right-doc:38-99"
    assert f"spans[{index}].end: 99 lies outside the text, which has 65 characters." in refusal(exported)


def test_a_span_ending_before_it_starts_is_refused(exported):
    exported["spans"][0].update(start=12, end=5)
    assert "spans[0].end: 5 is not after the start, 12." in refusal(exported)


def test_a_span_with_outer_whitespace_is_refused(exported):
    index = index_of(exported["spans"], document="left-doc", exact="The minister")
    exported["spans"][index].update(end=13, exact="The minister ")
    assert f"spans[{index}].exact: begins or ends with whitespace" in refusal(exported)


def test_a_span_whose_key_does_not_match_its_offsets_is_refused(exported):
    exported["spans"][0]["key"] = "emoji-doc:1-12"  # optional, but checked when given
    assert "spans[0].key: should be 'emoji-doc:0-12'" in refusal(exported)


def test_a_span_naming_an_unknown_document_is_refused(exported):
    exported["spans"][0].update(document="ghost")
    assert "spans[0].document: names the document 'ghost', which is not in the file." in refusal(exported)


def test_an_annotation_naming_an_unknown_span_is_refused(exported):
    exported["annotations"][0]["span"] = "left-doc:1-2"
    assert "annotations[0].span: names the span 'left-doc:1-2', which is not in the file." in refusal(
        exported
    )


def test_an_annotation_naming_an_unknown_label_is_refused(exported):
    exported["annotations"][0]["label"] = "Rumour"
    assert "annotations[0].label: names the label 'Rumour', which is not in the file." in refusal(exported)


def test_an_annotation_naming_an_unknown_speaker_is_refused(exported):
    exported["annotations"][0]["speaker"] = "Someone Else"
    assert "annotations[0].speaker: names the speaker 'Someone Else'" in refusal(exported)


def test_an_annotation_naming_an_unknown_author_is_refused(exported):
    exported["annotations"][0]["author"] = "mallory"
    assert "annotations[0].author: names the user 'mallory', which is not in the file." in refusal(exported)


def test_an_annotation_naming_an_unknown_reviewer_is_refused(exported):
    exported["annotations"][0]["reviewed_by"] = "mallory"
    assert "annotations[0].reviewed_by: names the user 'mallory'" in refusal(exported)


def test_a_link_naming_an_unknown_span_is_refused(exported):
    exported["links"][0]["target"] = "right-doc:1-2"
    assert "links[0].target: names the span 'right-doc:1-2', which is not in the file." in refusal(exported)


def test_a_link_within_one_document_is_refused(exported):
    exported["links"][1]["target"] = "left-doc:0-12"
    assert "links[1].target: is in the same document as the source" in refusal(exported)


def test_a_comparison_naming_an_unknown_document_is_refused(exported):
    exported["comparisons"][0]["left"] = "ghost"
    assert "comparisons[0].left: names the document 'ghost', which is not in the file." in refusal(exported)


def test_a_comparison_of_a_document_with_itself_is_refused(exported):
    exported["comparisons"][0]["left"] = exported["comparisons"][0]["right"]
    assert "comparisons[0].right: is the same document as left" in refusal(exported)


def test_a_digest_that_does_not_match_the_text_is_refused(exported):
    exported["documents"][0]["text_sha256"] = "0" * 64
    assert "documents[0].text_sha256: does not match the text, whose SHA-256 is" in refusal(exported)


def test_a_document_whose_text_differs_from_the_one_here_is_refused(exported):
    DocumentFactory(slug="right-doc", text="Another text altogether.")
    index = index_of(exported["documents"], slug="right-doc")
    message = refusal(exported)
    assert (
        f"documents[{index}].text: differs from the text of the document 'right-doc' already here" in message
    )


def test_a_record_given_twice_is_refused(exported):
    exported["annotations"].append(copy.deepcopy(exported["annotations"][4]))
    last = len(exported["annotations"]) - 1
    assert f"annotations[{last}]: repeats annotations[4] (the same span, label and author)." in refusal(
        exported
    )


def test_two_labels_with_one_shortcut_are_refused(exported):
    exported["labels"][3]["shortcut"] = "Q"
    assert "labels[3].shortcut: 'q' is already the shortcut of labels[0]." in refusal(exported)


def test_a_time_that_is_not_a_real_time_is_refused(exported):
    exported["links"][2]["created"] = "2024-13-01T00:00:00Z"
    assert "links[2].created: '2024-13-01T00:00:00Z' is not a valid date and time." in refusal(exported)


def test_an_annotation_whose_names_are_all_known_but_whose_time_is_not_real_is_refused(exported):
    exported["annotations"][1]["modified"] = "2024-02-30T00:00:00Z"
    assert "annotations[1].modified: '2024-02-30T00:00:00Z' is not a valid date and time." in refusal(
        exported
    )


def test_a_refusal_halfway_rolls_back_what_was_written_before_it(exported):
    LabelFactory(name="Hint", shortcut="h")  # not in the file, but holds the shortcut Hedge wants
    message = refusal(exported)  # documents and comparisons were written before the labels
    assert message.startswith("labels[3].shortcut: 'h' is already the shortcut of the label 'Hint' here")


# --- Values the forms would refuse ----------------------------------------------------------------


def document_index(exported, slug="left-doc"):
    return index_of(exported["documents"], slug=slug)


def set_text(record, text):
    from reader import text as textlib

    record.update(text=text, text_sha256=textlib.sha256(text))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://news.example/a", "not a url"])
def test_a_document_url_that_is_not_http_or_https_is_refused(exported, url):
    index = document_index(exported)
    exported["documents"][index]["url"] = url
    assert f"documents[{index}].url: {url!r} is not an http or https address." in refusal(exported)


def test_a_nul_character_is_refused_wherever_it_is(exported):
    exported["annotations"][3]["note"] = "before\x00after"
    assert "annotations[3].note: holds a NUL character (\\u0000)" in refusal(exported)


@pytest.mark.parametrize("section", ["documents", "annotations"])
def test_a_lone_surrogate_is_refused_naming_record_and_field(exported, section):
    field = "title" if section == "documents" else "note"
    exported[section][1][field] = "broken \ud800 text"
    message = refusal(exported)
    assert f"{section}[1].{field}: holds a lone surrogate (\\ud800)" in message
    message.encode("utf-8")  # the message itself can be written out


def test_a_text_over_the_article_limit_is_refused(exported, settings):
    settings.MAX_DOCUMENT_BYTES = 1000
    index = document_index(exported)
    set_text(exported["documents"][index], exported["documents"][index]["text"] + " more" * 300)
    assert f"documents[{index}].text: is 0.0 MB of UTF-8; an article may be at most 0 MB." in refusal(
        exported
    )


def test_a_whitespace_only_text_is_refused(exported):
    set_text(exported["documents"][0], " \n\t ")
    assert "documents[0].text: is empty or only whitespace." in refusal(exported)


def test_a_blank_title_is_refused(exported):
    exported["documents"][0]["title"] = "   "
    assert "documents[0].title: is blank." in refusal(exported)


@pytest.mark.parametrize("orphaned", [False, True])
def test_an_absurd_offset_is_refused(exported, orphaned):
    exported["spans"][0].update(end=2**64, orphaned=orphaned)
    assert f"spans[0].end: {2**64} is greater than the maximum of 2147483647" in refusal(exported)


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#gggggg"])
def test_a_label_colour_that_is_not_rrggbb_is_refused(exported, colour):
    exported["labels"][0]["colour"] = colour
    assert f"labels[0].colour: {colour!r} does not match" in refusal(exported)


@pytest.mark.parametrize(
    ("section", "field", "limit"),
    [("annotations", "cue", 100), ("documents", "title", 300), ("comparisons", "title", 300)],
)
def test_a_value_over_its_column_length_is_refused(exported, section, field, limit):
    exported[section][0][field] = "x" * (limit + 1)
    expected = (
        f"{section}[0].{field}: is {limit + 1} characters long; this field may be at most {limit} characters."
    )
    assert expected in refusal(exported)


def test_a_speaker_alias_over_its_length_is_refused(exported):
    exported["speakers"][0]["aliases"] = ["x" * 201]
    assert "speakers[0].aliases[0]: is 201 characters long" in refusal(exported)


def test_a_huge_note_is_refused_with_the_note_limit(exported):
    exported["annotations"][0]["note"] = "n" * (7 * 1024 * 1024)
    message = refusal(exported)
    assert (
        "annotations[0].note: is 7,340,032 characters long; a note may be at most 100,000 characters."
        in message
    )
    assert "article" not in message


def test_a_version_below_one_is_refused(exported):
    exported["links"][0]["version"] = 0
    assert "links[0].version: 0 is less than the minimum of 1" in refusal(exported)


def test_a_whole_number_written_with_a_decimal_point_is_refused_not_left_out(exported):
    exported["annotations"][2]["version"] = 1.0
    exported["spans"][1]["start"] = float(exported["spans"][1]["start"])
    message = refusal(exported)
    assert "annotations[2].version: 1.0 is not of type 'integer'" in message
    assert "spans[1].start:" in message


def test_sections_out_of_order_are_refused(exported):
    reordered = {"format": exported["format"], "exported": exported["exported"]}
    for name in ["documents", "comparisons", "labels", "speakers", "users", "annotations", "spans", "links"]:
        reordered[name] = exported[name]
    assert refusal(reordered) == (
        "annotations: comes before spans (or spans is missing): the sections must come in the order the "
        "export writes them (documents, comparisons, labels, speakers, users, spans, annotations, links, "
        "attributions)."
    )


def test_a_section_given_twice_is_refused(exported):
    text = json.dumps(exported)
    text = text[:-1] + ', "links": []}'
    before = snapshot()
    with pytest.raises(formats.ImportRefused, match="links: appears twice in the file."):
        formats.import_native(raw=text)
    assert snapshot() == before


def test_a_w3c_file_imported_as_native_says_so():
    with pytest.raises(formats.ImportRefused, match="looks like W3C Web Annotation"):
        formats.import_native(
            raw='{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection"}'
        )


def test_an_upload_with_a_lone_surrogate_answers_400(curator_client, exported):
    exported["documents"][0]["title"] = "\ud800"
    response = upload(curator_client, exported)
    assert response.status_code == 400
    assert "documents[0].title: holds a lone surrogate" in response.content.decode()
    assert Document.objects.count() == 0


def test_an_upload_with_an_absurd_offset_answers_400(curator_client, exported):
    exported["spans"][0]["start"] = 2**64
    response = upload(curator_client, exported)
    assert response.status_code == 400
    assert "spans[0].start: 18446744073709551616 is greater than the maximum" in response.content.decode()


def test_the_command_refuses_a_lone_surrogate_with_a_message_it_can_print(exported, tmp_path):
    exported["annotations"][0]["note"] = "\ud800"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_annotations", str(path), stdout=io.StringIO())
    assert "annotations[0].note: holds a lone surrogate" in str(refused.value)
    str(refused.value).encode("utf-8")


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (
            b"{\n  oops}",
            "not valid JSON: Expecting property name enclosed in double quotes at line 2, column 3",
        ),
        (
            b'{"format": "close-reader/1", "documents": [{"title": "\\ud800"}]}',
            "documents[0].title: holds a lone",
        ),
    ],
)
def test_the_command_as_a_process_exits_1_with_one_message_and_no_traceback(tmp_path, content, said):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3", DJANGO_SETTINGS_MODULE="reader.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_annotations", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"CommandError: {path} was refused; nothing was imported.")
    assert said in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-02T03:04:05.123456Z",
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.000000Z",
        "2024-01-02T03:04:05.5Z",
        "2024-01-02T05:04:05.123456+02:00",
    ],
)
def test_a_file_time_is_stored_as_the_orm_would_store_it(text):
    from datetime import datetime

    from django.db import connection

    from reader.formats import importing

    expected = connection.ops.adapt_datetimefield_value(datetime.fromisoformat(text))
    assert importing._file_time_adapter()(text) == expected


# --- Attributions and speaker kinds ----------------------------------------------------------------


def test_attributions_come_back_with_their_pieces_proposals_and_speaker_kinds(exported):
    summary = import_data(exported)
    assert summary.counts["attributions"]["added"] == 5
    split = Attribution.objects.get(document__slug="right-doc")
    assert [span.exact for span in split.content_more.all()] == ["No one denied it on Friday."]
    assert (split.content.exact, split.cue.exact, split.source.exact) == (
        "The talks failed",
        "said",
        "the minister",
    )
    assert sorted(Attribution.objects.values_list("proposal", flat=True)) == [
        "",
        "",
        "declined",
        "proposed",
        "taken",
    ]
    assert Speaker.objects.get(name="Iran's Foreign Ministry").kind == "organisation"


def test_a_file_from_before_attributions_and_speaker_kinds_still_imports(exported):
    del exported["attributions"]
    for speaker in exported["speakers"]:
        del speaker["kind"]
    summary = import_data(exported)
    assert Attribution.objects.count() == 0
    assert summary.counts["annotations"]["added"] == len(exported["annotations"])
    assert set(Speaker.objects.values_list("kind", flat=True)) == {"person"}


def test_an_older_file_leaves_a_speakers_kind_here_as_it_is(exported):
    import_data(exported)
    Speaker.objects.filter(name="Hassan Rouhani").update(kind="organisation")
    for speaker in exported["speakers"]:
        del speaker["kind"]
    import_data(exported)
    assert Speaker.objects.get(name="Hassan Rouhani").kind == "organisation"


def attribution_index(exported, document):
    return index_of(exported["attributions"], document=document)


def test_an_attribution_naming_a_span_not_in_the_file_is_refused(exported):
    index = attribution_index(exported, "right-doc")
    exported["attributions"][index]["content_more"] = ["right-doc:0-3"]
    assert refusal(exported) == (
        f"attributions[{index}].content_more[0]: names the span 'right-doc:0-3', which is not in the file."
    )


def test_an_attribution_whose_cue_lies_in_another_document_is_refused(exported):
    index = attribution_index(exported, "right-doc")
    cue = next(a["cue"] for a in exported["attributions"] if a["document"] == "left-doc" and a["cue"])
    exported["attributions"][index]["cue"] = cue
    assert refusal(exported) == (
        f"attributions[{index}].cue: {cue!r} lies in another document than the attribution's, 'right-doc'; "
        "an attribution's parts are all in one document."
    )


def test_an_attribution_whose_cue_is_its_content_is_refused(exported):
    index = attribution_index(exported, "right-doc")
    record = exported["attributions"][index]
    record["cue"] = record["content"]
    assert refusal(exported) == (
        f"attributions[{index}].cue: is {record['content']!r}, the same words as its content."
    )


def test_two_attributions_of_one_content_are_refused(exported):
    index = attribution_index(exported, "right-doc")
    exported["attributions"].append(copy.deepcopy(exported["attributions"][index]))
    last = len(exported["attributions"]) - 1
    assert refusal(exported) == (
        f"attributions[{last}]: repeats attributions[{index}] (the same content span: one attribution per "
        "content)."
    )


def test_a_person_made_attribution_marked_as_a_proposal_is_refused(exported):
    index = attribution_index(exported, "right-doc")
    exported["attributions"][index]["proposal"] = "taken"
    assert "an attribution a person made is no proposal" in refusal(exported)


def test_an_extractors_attribution_without_a_proposal_state_is_refused(exported):
    index = index_of(exported["attributions"], proposal="proposed")
    exported["attributions"][index]["proposal"] = ""
    assert refusal(exported) == (
        f"attributions[{index}].proposal: is empty, but 'extractor/1' is an extractor: say whether its "
        "proposal is proposed, taken or declined."
    )


def test_an_attribution_of_unknown_origin_is_refused(exported):
    index = attribution_index(exported, "right-doc")
    exported["attributions"][index]["origin"] = "somebody"
    assert refusal(exported).startswith(f"attributions[{index}].origin: 'somebody' does not match")


@pytest.mark.parametrize(
    ("field", "value", "what"), [("speaker", "Nobody Here", "speaker"), ("author", "zed", "user")]
)
def test_an_attribution_naming_an_unknown_speaker_or_author_is_refused(exported, field, value, what):
    index = attribution_index(exported, "right-doc")
    exported["attributions"][index][field] = value
    assert refusal(exported) == (
        f"attributions[{index}].{field}: names the {what} {value!r}, which is not in the file."
    )
