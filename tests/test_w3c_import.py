"""W3C Web Annotation in: annotations of other tools (Hypothesis-, Recogito-style) or our own
export, anchored onto documents here by position when the text there is the quote, else by
quote (exact, then approximate, context and position deciding); tags become labels, comments
notes; linking annotations become links; what cannot be anchored is listed, never dropped.

The bad inputs: text that is not JSON, JSON that holds no annotations, a close-reader/1 file
imported as W3C, a NUL in a comment, a cue over 100 characters, a tag over 60, an annotation with
no target, no selector, a quote not in the text, no tag, no creator (and no --author), a link
with one target or both ends in one document, a target whose source is no document here when
none is named.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from reader import formats
from reader.formats import importing
from reader.models import Annotation, Label, Link, Span
from tests.factories import CuratorFactory, DocumentFactory, UserFactory, rich_corpus

pytestmark = pytest.mark.django_db

TEXT = (
    "The minister said the talks had failed.\n\n"
    "Officials denied it on Friday, calling the report “baseless.”\n\n"
    "Nobody else commented."
)


@pytest.fixture
def document():
    return DocumentFactory(slug="talks", text=TEXT)


@pytest.fixture
def ann():
    return UserFactory(username="ann")


def hypothesis_annotation(exact, *, start=None, tags=("Quote",), comment="", prefix="", suffix="", id="h1"):
    selectors = [{"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}]
    if start is not None:
        selectors.append({"type": "TextPositionSelector", "start": start, "end": start + len(exact)})
    body = [{"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in tags]
    if comment:
        body.append({"type": "TextualBody", "value": comment, "format": "text/markdown"})
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"https://hypothes.is/a/{id}",
        "type": "Annotation",
        "creator": {"type": "Person", "nickname": "ann"},
        "body": body,
        "target": {"source": "https://elsewhere.example/article", "selector": selectors},
    }


def import_w3c(data, document=None, user=None, **options):
    raw = json.dumps(data).encode("utf-8")
    return importing.import_file(file=io.BytesIO(raw), format="w3c", document=document, user=user, **options)


def annotated():
    return sorted(
        (a.span.document.slug, a.span.start, a.span.end, a.label.name, a.author.username, a.note)
        for a in Annotation.objects.select_related("span__document", "label", "author")
    )


def test_an_annotation_is_anchored_by_its_position_when_the_text_there_is_its_quote(document, ann):
    start = TEXT.index("the talks had failed")
    summary = import_w3c(
        [hypothesis_annotation("the talks had failed", start=start, comment="Big if true.")], document
    )
    assert annotated() == [("talks", start, start + 20, "Quote", "ann", "Big if true.")]
    assert summary.counts["annotations"]["added"] == 1


def test_moved_text_is_found_by_its_quote(document, ann):
    start = TEXT.index("Officials denied it")
    summary = import_w3c([hypothesis_annotation("Officials denied it", start=3)], document)
    assert annotated() == [("talks", start, start + 19, "Quote", "ann", "")]
    assert summary.unanchored == []


def test_a_quote_that_changed_a_little_is_found_approximately_with_its_context(document, ann):
    item = hypothesis_annotation(
        "Officals denied it on Fridy", prefix="the talks had failed.\n\n", suffix=", calling the report"
    )
    import_w3c([item], document)
    start = TEXT.index("Officials denied it on Friday")
    assert annotated() == [("talks", start, start + len("Officials denied it on Friday"), "Quote", "ann", "")]


def test_what_cannot_be_anchored_is_listed_with_its_id_quote_and_why(document, ann):
    items = [
        hypothesis_annotation("words that are nowhere in it", id="gone"),
        {**hypothesis_annotation("x", id="bare"), "target": "https://elsewhere.example/article"},
        hypothesis_annotation("the talks had failed", tags=(), id="untagged"),
    ]
    summary = import_w3c(items, document)
    assert Annotation.objects.count() == 0
    assert summary.unanchored == [
        "https://hypothes.is/a/gone “words that are nowhere in it”: its quote is not in the text of 'talks'",
        "https://hypothes.is/a/bare: its target is only an address, with no selector to find the words",
        "https://hypothes.is/a/untagged “the talks had failed”: "
        "it has no tag (a tagging body) to give it a label",
    ]
    assert "3 annotation(s) could not be anchored and were not imported:" in summary.lines()


def test_an_unknown_tag_becomes_a_new_label_of_kind_other_and_is_reported(document, ann):
    summary = import_w3c([hypothesis_annotation("the talks", tags=("quote", "Rumour"))], document)
    assert sorted(a[3] for a in annotated()) == ["Quote", "Rumour"]  # known tags match ignoring case
    assert Label.objects.get(name="Rumour").kind == "other"
    assert summary.new_labels == ["Rumour"]


def test_an_annotation_without_a_creator_is_by_the_importing_user(document):
    item = hypothesis_annotation("the talks")
    del item["creator"]
    import_w3c([item], document, user=CuratorFactory(username="cura"))
    assert annotated()[0][4] == "cura"
    Annotation.objects.all().delete()
    summary = import_w3c([item], document)
    assert summary.unanchored == [
        "https://hypothes.is/a/h1 “the talks”: "
        "it has no creator nickname; give --author (on the web, you are)"
    ]


def test_a_linking_annotation_with_two_anchored_targets_becomes_a_link(document, ann):
    other = DocumentFactory(
        slug="other", text="The talks failed, the minister said.", url="https://news.example/other"
    )
    item = {
        "type": "Annotation",
        "id": "urn:x:link",
        "motivation": "linking",
        "creator": {"nickname": "ann"},
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "paraphrase"}],
        "target": [
            {
                "source": "https://elsewhere.example/a",
                "selector": {"type": "TextQuoteSelector", "exact": "the talks had failed"},
            },
            {
                "source": "https://news.example/other",
                "selector": {"type": "TextQuoteSelector", "exact": "The talks failed"},
            },
        ],
    }
    import_w3c([item], document)
    link = Link.objects.get()
    assert (link.source.document, link.source.exact, link.target.document, link.target.exact) == (
        document,
        "the talks had failed",
        other,
        "The talks failed",
    )
    assert link.relation == "paraphrase"


def test_a_link_within_one_document_is_listed(document, ann):
    item = {
        "type": "Annotation",
        "id": "urn:x:self",
        "motivation": "linking",
        "creator": {"nickname": "ann"},
        "target": [
            {"selector": {"type": "TextQuoteSelector", "exact": "the talks had failed"}},
            {"selector": {"type": "TextQuoteSelector", "exact": "Nobody else"}},
        ],
    }
    summary = import_w3c([item], document)
    assert Link.objects.count() == 0
    assert summary.unanchored == [
        "urn:x:self “the talks had failed”: both ends are in one document; a link joins two articles"
    ]


def test_importing_the_same_w3c_file_twice_changes_nothing(document, ann):
    items = [hypothesis_annotation("the talks", comment="c")]
    import_w3c(items, document)
    before = list(Annotation.objects.values_list("pk", "modified", "version"))
    summary = import_w3c(items, document)
    assert list(Annotation.objects.values_list("pk", "modified", "version")) == before
    assert summary.counts["annotations"] == {"added": 0, "unchanged": 1, "updated": 0, "conflicts": 0}


def our_export():
    return json.loads("".join(formats.export_chunks(format="w3c", base_url="https://reader.example")))


def test_our_own_w3c_export_imported_onto_the_same_documents_recreates_its_annotations():
    corpus = rich_corpus()
    exported = our_export()

    def state():
        annotations = sorted(
            (a.span.document.slug, a.span.start, a.span.end, a.label.name, a.author.username,
             a.speaker.name if a.speaker else None, a.cue, a.note)
            for a in Annotation.objects.filter(span__orphaned=False)
        )  # fmt: skip
        links = sorted(
            (k.source.document.slug, k.source.start, k.target.document.slug, k.target.start, k.relation,
             k.author.username, k.note)
            for k in Link.objects.all()
        )  # fmt: skip
        return annotations, links

    before = state()
    Link.objects.all().delete()
    Annotation.objects.all().delete()
    Span.objects.all().delete()
    summary = import_w3c(exported, corpus.documents[0])
    assert state() == before
    # The orphaned span's annotation has only a quote that is no longer in its text.
    assert summary.unanchored == [
        "https://reader.example/annotations/" + summary.unanchored[0].split("/annotations/")[1]
    ]
    assert "“gone text”: its quote is not in the text of 'emoji-doc'" in summary.unanchored[0]


def test_the_command_imports_w3c_onto_a_named_document(document, ann, tmp_path):
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps({"type": "AnnotationPage", "items": [hypothesis_annotation("the talks")]}))
    out = io.StringIO()
    call_command("import_annotations", str(path), "--format", "w3c", "--document", "talks", stdout=out)
    assert "annotations: 1 added, 0 left alone, 0 updated, 0 in conflict" in out.getvalue()
    with pytest.raises(CommandError, match="There is no document 'nope'"):
        call_command("import_annotations", str(path), "--format", "w3c", "--document", "nope", stdout=out)
    with pytest.raises(CommandError, match="--document and --author are for W3C files"):
        call_command("import_annotations", str(path), "--document", "talks", stdout=out)


def test_the_upload_form_imports_w3c_onto_the_chosen_document(client, document, ann):
    client.force_login(CuratorFactory(username="cura"))
    file = io.BytesIO(json.dumps([hypothesis_annotation("the talks")]).encode())
    file.name = "hypothesis.json"
    response = client.post("/import/", {"file": file, "document": "talks"})
    assert response.status_code == 302
    assert annotated()[0][:4] == ("talks", 18, 27, "Quote")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[{oops", "not valid JSON"),
        (b'{"hello": 1}', "holds no W3C annotations"),
        (b'{"format": "close-reader/1"}', "import it as native"),
    ],
)
def test_a_file_that_is_not_w3c_annotations_is_refused(document, content, message):
    with pytest.raises(importing.ImportRefused, match=message):
        importing.import_file(file=io.BytesIO(content), format="w3c", document=document)


def test_bad_values_refuse_the_whole_file(document, ann):
    fine = hypothesis_annotation("the talks", id="fine")
    nul = hypothesis_annotation("the talks", comment="a\x00b", id="nul")
    long_tag = hypothesis_annotation("the talks", tags=("t" * 61,), id="long")
    with pytest.raises(importing.ImportRefused) as refused:
        import_w3c([fine, nul, long_tag], document)
    assert "[1].body[1].value: holds a NUL character" in str(refused.value)
    with pytest.raises(importing.ImportRefused, match=r"items\[1\].body\[0\]: the tag 'tttt"):
        import_w3c([fine, long_tag], document)
    cue = {
        **fine,
        "body": [
            *fine["body"],
            {"type": "TextualBody", "purpose": "describing", "cr:role": "cue", "value": "s" * 101},
        ],
    }
    with pytest.raises(importing.ImportRefused, match="a cue may be at most 100"):
        import_w3c([cue], document)
    assert Annotation.objects.count() == 0


def test_a_source_that_is_no_document_here_needs_a_named_document(ann):
    DocumentFactory(slug="talks", text=TEXT)
    summary = import_w3c([hypothesis_annotation("the talks")])
    assert summary.unanchored == [
        "https://hypothes.is/a/h1 “the talks”: its source 'https://elsewhere.example/article' is not a "
        "document here, and no document was named"
    ]
