"""brat standoff out and in: the files (each document's text exactly, and its .ann), labels as
text-bound lines, attributions as PolNeAR's events, spans across line breaks, code point offsets,
the round trip (brat out, into an empty database, brat out again: the same files), a file shaped
like PolNeAR's, the commands, the web download and the upload of a zip.

The bad inputs, each refusing the whole import with the file, line and id named and nothing
written: offsets past the end of the text, words that are not the text at their offsets, a
discontinuous span with a reversed piece, an empty piece, overlapping pieces, an event naming a T
the file does not have, a note naming a missing id, a line without a tab, a line of no brat kind,
an id given twice, a kind that is not direct, indirect or mixed, a speaker reference that is not
percent-encoded UTF-8, words that are only whitespace, an .ann without its .txt, a .txt or .ann
that is not UTF-8, a file that is not a zip, a collection with no .txt, no --author, --document
with brat; on the web, a zip with a document to anchor it on (400). Well-formed lines with no
place here (a relation, another kind of event, an attribution without content, another attribute
or reference database) are listed as not imported.
"""

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from reader import formats
from reader.formats import brat
from reader.models import (
    Annotation,
    Attribution,
    Comparison,
    Document,
    Label,
    Link,
    Span,
    Speaker,
)
from tests.factories import (
    EMOJI_NEWS,
    AnnotationFactory,
    CuratorFactory,
    DocumentFactory,
    UserFactory,
    builtin_label,
    rich_corpus,
    span_over,
)

pytestmark = pytest.mark.django_db

MODELS = (Document, Label, Speaker, Span, Annotation, Attribution, Attribution.content_more.through)


def snapshot():
    return {model.__name__: sorted(model.objects.values_list(), key=repr) for model in MODELS}


def files(**filters):
    return dict(formats.brat_files(**filters))


def ann(slug, **filters):
    return files(**filters)[f"{slug}.ann"].decode("utf-8")


def empty_database():
    for model in (Link, Annotation, Attribution, Span, Comparison, Document, Speaker):
        model.objects.all().delete()
    Label.objects.exclude(name__in=["Quote", "Speaker", "Claim"]).delete()


@pytest.fixture
def corpus():
    return rich_corpus()


@pytest.fixture
def ann_user(db):
    return UserFactory(username="ann")


def write_pair(folder, name, text, lines):
    (folder / f"{name}.txt").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    content = "".join(f"{line}\n" for line in lines)
    (folder / f"{name}.ann").write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder / f"{name}.txt"


def import_pair(tmp_path, text, lines, user, name="story"):
    return brat.import_brat(path=write_pair(tmp_path, name, text, lines), user=user)


def refusal(tmp_path, text, lines, user, name="story"):
    before = snapshot()
    with pytest.raises(formats.ImportRefused) as refused:
        import_pair(tmp_path, text, lines, user, name)
    assert snapshot() == before
    return str(refused.value)


TEXT = "The minister said the talks had failed.\n\nOfficials denied it."


def at(text, words):
    start = text.index(words)
    return f"{start} {start + len(words)}"


# --- Out ---------------------------------------------------------------------------------------


def test_each_document_is_its_text_exactly_and_an_ann_beside_it(corpus):
    written = files()
    assert sorted(written) == [
        "emoji-doc.ann", "emoji-doc.txt", "left-doc.ann", "left-doc.txt", "right-doc.ann", "right-doc.txt",
    ]  # fmt: skip
    for document in Document.objects.all():
        assert written[f"{document.slug}.txt"] == document.text.encode("utf-8")


def test_labels_are_text_bound_lines_and_an_attribution_is_an_event_as_polnear_writes_it(corpus):
    assert ann("right-doc") == (
        "T1\tClaim 0 16\tThe talks failed\n"
        "T2\tQuote 38 65\tNo one denied it on Friday.\n"
        "T3\tSource 18 30\tthe minister\n"
        "T4\tCue 31 35\tsaid\n"
        "T5\tContent 0 16;38 65\tThe talks failed No one denied it on Friday.\n"
        "T6\tAttribution 31 35\tsaid\n"
        "E1\tAttribution:T6 Source:T3 Cue:T4 Content:T5\n"
        "A1\tKind E1 mixed\n"
        "N1\tReference E1 Speaker:Hassan%20Rouhani\tHassan Rouhani\n"
    )


def test_an_annotations_speaker_cue_and_note_and_an_attributions_note_are_lines_of_their_own(corpus):
    lines = ann("left-doc").splitlines()
    assert lines[3:8] == [
        "T3\tQuote 18 38\tthe talks had failed",
        "A1\tCueWords T3 said",
        "N2\tReference T3 Speaker:Hassan%20Rouhani\tHassan Rouhani",
        "#1\tAnnotatorNotes T3\t<i>Reported</i>\\nspeech.",  # a line break inside a note is escaped
        "T4\tClaim 41 70\tOfficials denied it on Friday",
    ]
    assert lines[-1] == "#3\tAnnotatorNotes E1\t<b>Paraphrase</b>\\nof a briefing."


def test_two_annotators_of_one_span_and_label_make_one_line(corpus):
    document = Document.objects.get(slug="right-doc")
    AnnotationFactory(span=Span.objects.get(document=document, start=0, end=16), label=builtin_label("Claim"))
    assert ann("right-doc").count("\tClaim 0 16\t") == 1


def test_an_attribution_without_a_source_has_the_trigger_polnear_gives_it(ann_user):
    document = DocumentFactory(slug="story", text=TEXT)
    Attribution.objects.create(
        document=document,
        content=span_over(document, "the talks had failed"),
        cue=span_over(document, "said"),
        kind="indirect",
        author=ann_user,
    )
    assert ann("story").splitlines()[-3:] == [
        "T3\tAttribution-no-source 13 17\tsaid",
        "E1\tAttribution-no-source:T3 Cue:T1 Content:T2",
        "A1\tKind E1 indirect",
    ]


def test_a_span_across_a_line_break_is_written_in_pieces_one_per_line(ann_user):
    document = DocumentFactory(slug="story", text=TEXT)
    AnnotationFactory(span=span_over(document, "failed.\n\nOfficials"), author=ann_user)
    assert ann("story") == "T1\tQuote 32 39;41 50\tfailed. Officials\n"


def test_content_pieces_that_overlap_are_written_as_their_union(ann_user):
    document = DocumentFactory(slug="story", text=TEXT)
    attribution = Attribution.objects.create(
        document=document, content=span_over(document, "the talks had"), author=ann_user
    )
    attribution.content_more.add(span_over(document, "talks had failed"))
    assert "T1\tContent 18 38\tthe talks had failed\n" in ann("story")


def test_offsets_count_code_points_of_an_emoji_text(corpus):
    text = Document.objects.get(slug="emoji-doc").text
    assert text == EMOJI_NEWS
    spans = [line.split("\t") for line in ann("emoji-doc").splitlines() if line.startswith("T")]
    assert len(spans) >= 5
    for _, head, words in spans:
        pieces = [tuple(map(int, piece.split())) for piece in head.split(" ", 1)[1].split(";")]
        assert " ".join(text[start:end] for start, end in pieces) == words
    assert "T1\tSpeaker 0 12\tFamily 👨\u200d👩\u200d👧" in ann(
        "emoji-doc"
    )  # 12 code points, 17 UTF-16 units


def test_proposals_nobody_took_and_orphaned_spans_are_left_out(corpus):
    written = ann("left-doc") + ann("emoji-doc")
    assert "calling the report" not in written  # an undecided proposal
    assert "we will respond”\n" not in written  # a declined one
    assert "gone text" not in written  # the orphaned span
    assert "\tClaim 3 9\t" not in written


def test_the_export_narrows_to_a_comparison_a_status_or_an_annotator(corpus):
    assert sorted(files(comparison=corpus.pair)) == [
        "left-doc.ann",
        "left-doc.txt",
        "right-doc.ann",
        "right-doc.txt",
    ]
    accepted = ann("left-doc", status="accepted")
    assert "\tClaim " not in accepted
    assert "\tQuote 18 38\t" in accepted
    assert "\nE1\t" in accepted
    bob = get_user_model().objects.get(username="bob")
    assert "\tQuote " not in ann("left-doc", annotator=bob)


# --- Round trip --------------------------------------------------------------------------------


def test_brat_out_into_an_empty_database_and_out_again_gives_the_same_files(corpus, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("export_annotations", "--format", "brat", "--output", str(first), stderr=io.StringIO())
    empty_database()
    out = io.StringIO()
    call_command("import_annotations", str(first), "--author", "cora", stdout=out)
    assert "attributions: 3 added" in out.getvalue()
    call_command("export_annotations", "--format", "brat", "--output", str(second), stderr=io.StringIO())
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in second.iterdir())
    assert len(names) == 6
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    split = Attribution.objects.get(document__slug="right-doc")
    assert [span.exact for span in split.content_more.all()] == ["No one denied it on Friday."]
    assert (split.origin, split.proposal, split.author.username) == ("person", "", "cora")


def test_importing_the_same_files_twice_changes_nothing(corpus, tmp_path):
    data = b"".join(brat.zip_chunks(formats.brat_files()))
    cora = get_user_model().objects.get(username="cora")
    brat.import_brat(file=io.BytesIO(data), user=cora)
    after_first = snapshot()
    summary = brat.import_brat(file=io.BytesIO(data), user=cora)
    assert snapshot() == after_first
    assert summary.total("added") == summary.total("updated") == 0


def test_a_document_with_the_same_text_is_found_whatever_its_name(corpus, tmp_path):
    right = Document.objects.get(slug="right-doc")
    write_pair(tmp_path, "renamed", right.text, ["T1\tQuote 0 16\tThe talks failed"])
    summary = brat.import_brat(path=tmp_path, user=UserFactory(username="dan"))
    assert summary.counts["documents"] == {"added": 0, "unchanged": 1, "updated": 0, "conflicts": 0}
    assert Annotation.objects.filter(span__document=right, author__username="dan").count() == 1


def test_a_new_document_is_named_after_its_file_and_titled_by_its_first_line(ann_user, tmp_path):
    import_pair(tmp_path, "  Talks fail  \n\nThe minister said so.", [], ann_user, name="Wire Story 7")
    document = Document.objects.get()
    assert (document.slug, document.title) == ("wire-story-7", "Talks fail")


def test_a_name_taken_by_another_text_gets_a_number(ann_user, tmp_path):
    DocumentFactory(slug="story")
    import_pair(tmp_path, TEXT, [], ann_user)
    assert Document.objects.filter(slug="story-2", text=TEXT).exists()


def test_labels_are_matched_as_written_then_with_spaces_for_underscores_and_made_when_unknown(
    ann_user, tmp_path
):
    Label.objects.create(name="Hedged claim", colour="#cc79a7")
    summary = import_pair(
        tmp_path,
        TEXT,
        [
            f"T1\tquote {at(TEXT, 'the talks had failed')}\tthe talks had failed",
            f"T2\tHedged_claim {at(TEXT, 'Officials denied it.')}\tOfficials denied it.",
            f"T3\tDiscuss {at(TEXT, 'The minister')}\tThe minister",
        ],
        ann_user,
    )
    assert sorted(Annotation.objects.values_list("label__name", flat=True)) == [
        "Discuss",
        "Hedged claim",
        "Quote",
    ]
    assert Label.objects.get(name="Discuss").kind == "other"
    assert summary.new_labels == ["Discuss"]


# --- A file shaped like PolNeAR's ---------------------------------------------------------------------

POLNEAR_LIKE = (
    "Officials said the vote was close. “It is over,” a spokesman said, “and we won.”\n"
    "It was reported that turnout fell."
)


def polnear_lines():
    t = POLNEAR_LIKE

    def span(ident, kind, words, after=0):
        start = t.index(words, after)
        return f"{ident}\t{kind} {start} {start + len(words)}\t{words}"

    second_said = t.index("said", 40)
    return [
        span("T1", "Source", "Officials"),
        span("T2", "Cue", "said"),
        span("T3", "Content", "the vote was close"),
        span("T4", "Attribution", "said"),
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        span("T5", "Content", "“It is over,”"),
        span("T6", "Source", "a spokesman"),
        span("T7", "Cue", "said", second_said),
        span("T8", "Content", "“and we won.”"),
        span("T9", "Attribution", "said", second_said),
        "E2\tAttribution:T9 Cue:T7 Source:T6 Content:T5 Content2:T8",
        span("T10", "Cue", "It was reported"),
        span("T11", "Content", "that turnout fell"),
        span("T12", "Attribution-no-source", "It was reported"),
        "E3\tAttribution-no-source:T12 Content:T11 Cue:T10",
        span("T13", "Discuss", "turnout"),
        "#1\tAnnotatorNotes T13\tIs turnout a claim?",
        "R1\tSame Arg1:T1 Arg2:T6",
    ]


def test_a_polnear_file_becomes_attributions_with_their_pieces_and_its_other_labels(ann_user, tmp_path):
    summary = import_pair(tmp_path, POLNEAR_LIKE, polnear_lines(), ann_user)
    rows = [
        (
            a.source.exact if a.source else None,
            a.cue.exact,
            a.content.exact,
            [s.exact for s in a.content_more.all()],
            a.kind,
        )
        for a in Attribution.objects.order_by("content__start")
    ]
    assert rows == [
        ("Officials", "said", "the vote was close", [], "indirect"),
        ("a spokesman", "said", "“It is over,”", ["“and we won.”"], "direct"),
        (None, "It was reported", "that turnout fell", [], "indirect"),
    ]
    (discuss,) = Annotation.objects.all()
    assert (discuss.label.name, discuss.span.exact, discuss.note) == (
        "Discuss",
        "turnout",
        "Is turnout a claim?",
    )
    assert summary.unanchored == ["story.ann line 18 (R1): a relation; relations are not imported"]


def test_text_with_crlf_line_ends_and_a_byte_order_mark_is_counted_as_brat_counts_it(ann_user, tmp_path):
    raw = "\ufeffFirst line.\r\nThe minister said so.\r\n"
    start = raw.index("The minister")
    import_pair(tmp_path, raw, [f"T1\tSpeaker {start} {start + 12}\tThe minister"], ann_user)
    document = Document.objects.get()
    assert document.text == "First line.\nThe minister said so.\n"
    assert Annotation.objects.get().span.exact == "The minister"


def test_what_has_no_place_here_is_listed_not_dropped(ann_user, tmp_path):
    lines = [
        f"T1\tProtein {at(TEXT, 'minister')}\tminister",
        f"T2\tBinding {at(TEXT, 'said')}\tsaid",
        "E1\tBinding:T2 Theme:T1",
        f"T3\tAttribution {at(TEXT, 'denied')}\tdenied",
        "E2\tAttribution:T3",
        "A1\tNegated T1",
        "N1\tReference T1 Wikipedia:534366\tMinister",
    ]
    summary = import_pair(tmp_path, TEXT, lines, ann_user)
    assert summary.unanchored == [
        "story.ann line 6 (A1): the attribute 'Negated' has no place here; not imported",
        "story.ann line 7 (N1): a reference into 'Wikipedia'; only Speaker is read",
        "story.ann line 3 (E1): an event of type 'Binding'; only attributions are imported",
        "story.ann line 5 (E2): an attribution with no content; not imported",
    ]
    assert Attribution.objects.count() == 0


# --- Bad files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "T1\tQuote 40 90\tOfficials",
            "story.ann line 1 (T1): the piece 40 90 ends past the text, which has 61 characters.",
        ),
        (
            "T1\tQuote 0 12\tThe ministry",
            "story.ann line 1 (T1): the words 'The ministry' are not the text at 0 12, which is "
            "'The minister'.",
        ),
        ("T1\tQuote 0 3;12 4\tThe said", "story.ann line 1 (T1): the piece 12 4 ends before it starts."),
        ("T1\tQuote 4 4\t", "story.ann line 1 (T1): the piece 4 4 is empty."),
        ("T1\tQuote 0 12;4 17\tThe minister minister said", "story.ann line 1 (T1): its pieces overlap."),
        ("T1\tQuote 0 12 The minister", "story.ann line 1 (T1): a text-bound line is"),
        (
            "T1 Quote 0 12\tThe minister",
            "story.ann line 1: 'T1 Quote 0 12\\tThe minister' is not a brat line",
        ),
        (
            "X1\tQuote 0 12\tThe minister",
            "story.ann line 1: 'X1\\tQuote 0 12\\tThe minister' is not a brat line",
        ),
        ("T1\tQuote 39 41\t\n\n", "story.ann line 1 (T1): the words '' are not the text at 39 41"),
        (
            "A1\tKind T1 sarcastic",
            "story.ann line 1 (A1): the kind 'sarcastic' is not one of direct, indirect, mixed.",
        ),
        (
            "N1\tReference T1 Speaker:%ff\tX",
            "story.ann line 1 (N1): the speaker's name must be 1 to 200 characters",
        ),
        ("E1\tAttribution T1", "story.ann line 1 (E1): an event line is"),
    ],
)
def test_a_bad_line_refuses_the_whole_import_naming_file_line_and_id(ann_user, tmp_path, line, message):
    assert message in refusal(tmp_path, TEXT, [line], ann_user)


def test_an_event_naming_a_missing_span_is_refused(ann_user, tmp_path):
    lines = [f"T1\tCue {at(TEXT, 'said')}\tsaid", "E1\tAttribution:T1 Cue:T1 Content:T9"]
    assert (
        refusal(tmp_path, TEXT, lines, ann_user)
        == "story.ann line 2 (E1): names T9, which is not in the file."
    )


def test_a_note_naming_a_missing_id_is_refused(ann_user, tmp_path):
    assert refusal(tmp_path, TEXT, ["#1\tAnnotatorNotes T4\tLost."], ann_user) == (
        "story.ann line 1 (#1): names T4, which is not in the file."
    )


def test_an_id_given_twice_is_refused(ann_user, tmp_path):
    line = f"T1\tQuote {at(TEXT, 'said')}\tsaid"
    assert (
        refusal(tmp_path, TEXT, [line, "", line], ann_user)
        == "story.ann line 3 (T1): T1 is given twice (first on line 1)."
    )


def test_words_that_are_only_whitespace_are_refused(ann_user, tmp_path):
    assert (
        refusal(tmp_path, "A  B", ["T1\tQuote 1 3\t  "], ann_user)
        == "story.ann line 1 (T1): its words are only whitespace."
    )


def test_one_bad_file_refuses_the_whole_collection(ann_user, tmp_path):
    write_pair(tmp_path, "good", TEXT, [f"T1\tQuote {at(TEXT, 'said')}\tsaid"])
    write_pair(tmp_path, "bad", TEXT, ["T1\tQuote 0 99\tnothing"])
    with pytest.raises(formats.ImportRefused, match=r"bad.ann line 1 \(T1\)"):
        brat.import_brat(path=tmp_path, user=ann_user)
    assert Document.objects.count() == 0


def test_an_ann_without_its_txt_is_refused(ann_user, tmp_path):
    (tmp_path / "lonely.ann").write_text("")
    with pytest.raises(formats.ImportRefused, match="lonely.ann has no lonely.txt beside it."):
        brat.import_brat(path=tmp_path, user=ann_user)


@pytest.mark.parametrize("which", ["txt", "ann"])
def test_a_file_that_is_not_utf8_is_refused(ann_user, tmp_path, which):
    text, lines = (b"caf\xe9", []) if which == "txt" else (TEXT, [])
    write_pair(tmp_path, "story", text, lines)
    if which == "ann":
        (tmp_path / "story.ann").write_bytes(b"T1\tQuote 0 3\tcaf\xe9\n")
    message = rf"story.{which}: is not UTF-8 text \(byte \d+ cannot be decoded\)"
    with pytest.raises(formats.ImportRefused, match=message):
        brat.import_brat(path=tmp_path, user=ann_user)


def test_a_file_that_is_not_a_zip_is_refused(ann_user):
    with pytest.raises(
        formats.ImportRefused, match="upload.zip is not a zip archive of brat .txt and .ann files."
    ):
        brat.import_brat(file=io.BytesIO(b"{}"), name="upload.zip", user=ann_user)


def test_a_zip_without_texts_is_refused(ann_user):
    data = b"".join(brat.zip_chunks([("annotation.conf", b"[entities]\n")]))
    with pytest.raises(formats.ImportRefused, match="There is no .txt file"):
        brat.import_brat(file=io.BytesIO(data), user=ann_user)


def test_brat_needs_someone_whose_work_it_is(tmp_path):
    write_pair(tmp_path, "story", TEXT, [])
    with pytest.raises(CommandError, match="brat files name no annotator"):
        call_command("import_annotations", str(tmp_path / "story.txt"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="--document is for W3C files"):
        call_command("import_annotations", str(tmp_path), "--document", "x", stdout=io.StringIO())


# --- Commands and the web -------------------------------------------------------------------------


def test_the_command_writes_a_zip_when_the_output_ends_in_zip(corpus, tmp_path):
    path = tmp_path / "out.zip"
    call_command("export_annotations", "--format", "brat", "--output", str(path), stderr=io.StringIO())
    with zipfile.ZipFile(path) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == files()


def test_the_command_needs_an_output_for_brat(corpus):
    with pytest.raises(CommandError, match="name a folder or a .zip with --output"):
        call_command("export_annotations", "--format", "brat", stdout=io.StringIO())


def test_the_web_download_is_a_streamed_zip_of_the_files(corpus, user_client):
    response = user_client.get("/export/brat.zip", {"comparison": "pair"})
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="close-reader-brat-pair.zip"'
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == files(comparison=corpus.pair)


def test_the_same_data_makes_the_same_zip(corpus):
    assert b"".join(brat.zip_chunks(formats.brat_files())) == b"".join(brat.zip_chunks(formats.brat_files()))


def test_the_web_download_answers_a_bad_filter_with_a_message(user_client):
    response = user_client.get("/export/brat.zip", {"status": "maybe"})
    assert response.status_code == 400
    assert "Unknown status" in response.content.decode()


@pytest.fixture
def curator_client(client):
    client.force_login(CuratorFactory(username="cura"))
    return client


def zipped(name="story", text=TEXT, lines=()):
    return b"".join(
        brat.zip_chunks(
            [
                (f"{name}.txt", text.encode("utf-8")),
                (f"{name}.ann", "".join(f"{line}\n" for line in lines).encode()),
            ]
        )
    )


def test_a_curator_uploads_a_brat_zip_and_the_work_is_theirs(curator_client):
    upload = io.BytesIO(zipped(lines=[f"T1\tQuote {at(TEXT, 'the talks had failed')}\tthe talks had failed"]))
    upload.name = "collection.zip"
    response = curator_client.post("/import/", {"file": upload})
    assert response.status_code == 302
    assert Annotation.objects.get().author.username == "cura"
    assert "annotations</th><td>1</td>" in curator_client.get(response["Location"]).content.decode()


def test_a_bad_brat_upload_answers_400_naming_the_line_and_writes_nothing(curator_client):
    upload = io.BytesIO(zipped(lines=["T1\tQuote 0 99\tnothing"]))
    upload.name = "collection.zip"
    response = curator_client.post("/import/", {"file": upload})
    assert response.status_code == 400
    assert "story.ann line 1 (T1): the piece 0 99 ends past the text" in response.content.decode()
    assert Document.objects.count() == 0


def test_a_brat_upload_with_a_document_to_anchor_on_answers_400(curator_client):
    DocumentFactory(slug="talks")
    upload = io.BytesIO(zipped())
    upload.name = "collection.zip"
    response = curator_client.post("/import/", {"file": upload, "document": "talks"})
    assert response.status_code == 400
    assert "A brat zip brings its own texts" in response.content.decode()


def test_the_form_offers_brat_zips_and_the_downloads(curator_client):
    page = curator_client.get("/import/").content.decode()
    assert 'accept=".json,.jsonld,.zip,' in page
    for url in ("/export/brat.zip", "/export/attributions.csv", "/export/links.csv", "/export/speakers.csv"):
        assert f'href="{url}"' in page


def test_a_large_brat_zip_is_imported_by_a_background_job(curator_client, monkeypatch, settings, tmp_path):
    from reader.formats import jobs

    settings.IMPORT_BACKGROUND_BYTES = 100
    settings.IMPORT_JOBS_DIR = tmp_path / "jobs"
    started = []
    monkeypatch.setattr(jobs, "launch", started.append)  # the test runs the job itself
    upload = io.BytesIO(zipped(lines=[f"T1\tQuote {at(TEXT, 'the talks had failed')}\tthe talks had failed"]))
    upload.name = "collection.zip"
    curator_client.post("/import/", {"file": upload})
    (job,) = started
    assert job.format == "brat"
    call_command("import_annotations", "--job", str(job.pk), stdout=io.StringIO())
    job.refresh_from_db()
    assert job.state == "done"
    assert Annotation.objects.get().author.username == "cura"
