"""W3C Web Annotation out: the presenter, the collection, ids by setting, request or --base-url,
and the W3C test suite's MUSTs.

The suite (tests/conformance/w3c-annotation-model/, copied with its licence) lists its MUST
assertions in annotations/annotationMusts.test. Each is a draft-04 JSON Schema whose $refs
name files in definitions/; a referencing Registry serves those from disk, so nothing is
fetched. Formats ("uri", "date-time") are checked too: that needs rfc3986-validator and
rfc3339-validator (requirements-dev.txt), without which jsonschema skips them silently.
"""

import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from referencing import Registry, Resource

from reader import formats
from reader.formats import w3c
from reader.formats.scope import iso
from reader.models import Annotation, Link, Relation
from tests.factories import (
    EMOJI_NEWS,
    AnnotationFactory,
    DocumentFactory,
    LinkFactory,
    SpeakerFactory,
    rich_corpus,
    span_over,
)

pytestmark = pytest.mark.django_db

SUITE = Path(__file__).resolve().parent / "conformance" / "w3c-annotation-model"
SITE = "https://reader.example"


def _registry():
    resources = []
    for path in sorted((SUITE / "definitions").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


REGISTRY = _registry()
MUSTS = json.loads((SUITE / "annotations" / "annotationMusts.test").read_text(encoding="utf-8"))["assertions"]


def must(assertion):
    """A validator for one MUST assertion of the suite, named as annotationMusts.test names it."""
    schema = json.loads((SUITE / assertion).read_text(encoding="utf-8"))
    validator_class = jsonschema.Draft4Validator
    return validator_class(schema, registry=REGISTRY, format_checker=validator_class.FORMAT_CHECKER)


def failures(annotation):
    """The MUST assertions an annotation fails, with jsonschema's reason."""
    found = {}
    for assertion in MUSTS:
        error = jsonschema.exceptions.best_match(must(assertion).iter_errors(annotation))
        if error is not None:
            found[assertion] = error.message
    return found


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = ""


@pytest.fixture
def collection():
    rich_corpus()
    return json.loads("".join(formats.export_chunks(format="w3c", base_url=SITE)))


# --- The presenter -----------------------------------------------------------------------------


def test_an_annotation_is_presented_with_its_label_speaker_cue_and_note_as_bodies():
    document = DocumentFactory(slug="talks", url="https://news.example/talks")
    annotation = AnnotationFactory(
        span=span_over(document, "the talks had failed"),
        speaker=SpeakerFactory(name="Hassan Rouhani"),
        author__username="ann",
        cue="said",
        note="Reported <b>speech</b>.",
    )
    Annotation.objects.filter(pk=annotation.pk).update(created="2024-01-02T03:04:05.678901Z")
    annotation.refresh_from_db()
    assert w3c.annotation_jsonld(annotation=annotation, base_url=SITE) == {
        "@context": ["http://www.w3.org/ns/anno.jsonld", {"cr": "urn:close-reader:"}],
        "id": f"{SITE}/annotations/{annotation.pk}/",
        "type": "Annotation",
        "motivation": "tagging",
        "creator": {"type": "Person", "nickname": "ann"},
        "created": "2024-01-02T03:04:05.678901Z",
        "modified": iso(annotation.modified),
        "body": [
            {"type": "TextualBody", "value": "Quote", "purpose": "tagging"},
            {
                "type": "SpecificResource",
                "purpose": "identifying",
                "source": "urn:close-reader:speaker:Hassan%20Rouhani",
            },
            {"type": "TextualBody", "value": "said", "purpose": "describing", "cr:role": "cue"},
            {"type": "TextualBody", "value": "Reported <b>speech</b>.", "purpose": "commenting"},
        ],
        "target": {
            "type": "SpecificResource",
            "source": "https://news.example/talks",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": "the talks had failed",
                    "prefix": "The minister said ",
                    "suffix": ".\n\nOfficials denied it on Friday",
                },
                {"type": "TextPositionSelector", "start": 18, "end": 38},
            ],
        },
    }


def test_a_link_is_presented_as_linking_both_spans_with_its_relation_and_note():
    left = DocumentFactory(slug="left", url="https://news.example/left")
    right = DocumentFactory(slug="right", text="Talks failed.")
    link = LinkFactory(
        source=span_over(left, "The minister"),
        target=span_over(right, "Talks failed."),
        relation=Relation.CONTRADICTS,
        author__username="bob",
        note="One says failed, the other not.",
    )
    Link.objects.filter(pk=link.pk).update(created="2024-05-06T07:08:09Z", modified="2024-05-07T00:00:00Z")
    link.refresh_from_db()
    assert w3c.link_jsonld(link=link, base_url=SITE) == {
        "@context": ["http://www.w3.org/ns/anno.jsonld", {"cr": "urn:close-reader:"}],
        "id": f"{SITE}/links/{link.pk}/",
        "type": "Annotation",
        "motivation": "linking",
        "creator": {"type": "Person", "nickname": "bob"},
        "created": "2024-05-06T07:08:09Z",
        "modified": "2024-05-07T00:00:00Z",
        "body": [
            {"type": "TextualBody", "value": "contradicts", "purpose": "tagging"},
            {"type": "TextualBody", "value": "One says failed, the other not.", "purpose": "commenting"},
        ],
        "target": [
            {
                "type": "SpecificResource",
                "source": "https://news.example/left",
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": "The minister",
                        "suffix": " said the talks had failed.\n\nOff",
                    },
                    {"type": "TextPositionSelector", "start": 0, "end": 12},
                ],
            },
            {
                "type": "SpecificResource",
                "source": f"{SITE}/documents/right/",
                "selector": [
                    {"type": "TextQuoteSelector", "exact": "Talks failed."},
                    {"type": "TextPositionSelector", "start": 0, "end": 13},
                ],
            },
        ],
    }


def test_an_annotation_with_no_speaker_cue_or_note_has_only_its_tag():
    annotation = AnnotationFactory()
    assert w3c.annotation_jsonld(annotation=annotation, base_url=SITE)["body"] == [
        {"type": "TextualBody", "value": "Quote", "purpose": "tagging"}
    ]


def test_a_speaker_mention_naming_its_speaker_identifies_them(collection):
    items = [item for item in collection["first"]["items"] if item["motivation"] != "linking"]
    mention = next(item for item in items if item["target"]["selector"][0]["exact"] == "The minister")
    assert mention["motivation"] == "identifying"


def test_a_document_without_a_url_is_the_target_source_by_its_page_here():
    annotation = AnnotationFactory(span__document__slug="no-url", span__document__url="")
    assert (
        w3c.annotation_jsonld(annotation=annotation, base_url=SITE)["target"]["source"]
        == f"{SITE}/documents/no-url/"
    )


def test_an_orphaned_span_is_targeted_by_its_quote_alone(collection):
    (orphan,) = [
        item
        for item in collection["first"]["items"]
        if item["motivation"] != "linking" and item["target"]["selector"][0]["exact"] == "gone text"
    ]
    assert [selector["type"] for selector in orphan["target"]["selector"]] == ["TextQuoteSelector"]


def test_text_positions_count_code_points_in_an_emoji_text(collection):
    emoji_targets = [
        target
        for item in collection["first"]["items"]
        for target in (item["target"] if isinstance(item["target"], list) else [item["target"]])
        if target["source"].endswith("/documents/emoji-doc/") and len(target["selector"]) == 2
    ]
    assert len(emoji_targets) >= 3
    for target in emoji_targets:
        quote, position = target["selector"]
        assert EMOJI_NEWS[position["start"] : position["end"]] == quote["exact"]


# --- The collection ----------------------------------------------------------------------------


def test_the_export_is_an_annotation_collection_with_one_embedded_page(collection):
    page = collection["first"]
    assert collection["@context"] == ["http://www.w3.org/ns/anno.jsonld", {"cr": "urn:close-reader:"}]
    assert collection["type"] == "AnnotationCollection"
    assert collection["id"] == f"{SITE}/export/annotations.json?format=w3c"
    assert page["type"] == "AnnotationPage"
    assert page["partOf"] == collection["id"]
    assert collection["last"] == page["id"]
    assert page["startIndex"] == 0


def test_the_collection_holds_every_annotation_then_every_link(collection):
    items = collection["first"]["items"]
    assert collection["total"] == len(items) == Annotation.objects.count() + Link.objects.count()
    motivations = [item["motivation"] for item in items]
    assert motivations[-Link.objects.count() :] == ["linking"] * Link.objects.count()
    assert "linking" not in motivations[: -Link.objects.count()]


def test_every_item_has_a_distinct_absolute_id(collection):
    ids = [item["id"] for item in collection["first"]["items"]]
    assert len(set(ids)) == len(ids)
    assert all(item_id.startswith(f"{SITE}/") for item_id in ids)


def test_a_comparison_collection_is_named_and_identified_by_its_scope():
    corpus = rich_corpus()
    chunks = formats.export_chunks(format="w3c", comparison=corpus.pair, status="accepted", base_url=SITE)
    collection = json.loads("".join(chunks))
    assert collection["id"] == f"{SITE}/export/annotations.json?format=w3c&comparison=pair&status=accepted"
    assert collection["label"] == "Close Reader annotations of Left and right"


def test_an_empty_collection_is_still_valid_json():
    collection = json.loads("".join(formats.export_chunks(format="w3c", base_url=SITE)))
    assert (collection["total"], collection["first"]["items"]) == (0, [])


# --- The W3C test suite's MUST assertions ------------------------------------------------------


def test_the_suite_is_in_the_repository_with_its_licence():
    assert (SUITE / "license.md").exists()
    assert len(MUSTS) == 54
    assert all((SUITE / assertion).exists() for assertion in MUSTS)


def test_the_suite_checks_formats_so_a_uri_must_be_a_uri():
    checker = jsonschema.Draft4Validator.FORMAT_CHECKER
    assert {"uri", "date-time"} <= set(checker.checkers)


@pytest.mark.parametrize("assertion", MUSTS, ids=[Path(a).stem for a in MUSTS])
def test_every_exported_annotation_passes_the_must_assertion(collection, assertion):
    validator = must(assertion)
    items = collection["first"]["items"]
    assert len(items) == 15
    failed = {
        item["id"]: jsonschema.exceptions.best_match(validator.iter_errors(item)).message
        for item in items
        if not validator.is_valid(item)
    }
    assert failed == {}


def test_the_kinds_of_item_checked_cover_every_label_kind_and_relation(collection):
    bodies = [body for item in collection["first"]["items"] for body in item["body"]]
    tags = {body["value"] for body in bodies if body["purpose"] == "tagging"}
    assert {"Quote", "Speaker", "Claim", "Hedge", *Relation.values} <= tags
    assert {body["purpose"] for body in bodies} == {"tagging", "identifying", "describing", "commenting"}


def test_speaker_and_cue_bodies_are_told_apart_from_tags_and_notes(collection):
    bodies = [body for item in collection["first"]["items"] for body in item["body"]]
    speakers = [body for body in bodies if body["purpose"] == "identifying"]
    cues = [body for body in bodies if body["purpose"] == "describing"]
    assert speakers
    assert all(b["type"] == "SpecificResource" for b in speakers)
    assert {w3c.speaker_from_iri(b["source"]) for b in speakers} == {
        "Hassan Rouhani",
        "Iran's Foreign Ministry",
    }
    assert cues
    assert all(b["type"] == "TextualBody" and b["cr:role"] == "cue" for b in cues)
    assert all("cr:role" not in b for b in bodies if b["purpose"] in ("tagging", "commenting"))


@pytest.mark.parametrize(
    ("break_it", "assertion"),
    [
        (lambda item: item.pop("target"), "annotations/3.1-targetKeyFound.json"),
        (lambda item: item.update(id="not a uri"), "annotations/3.1-annotationIdValidated.json"),
        (lambda item: item.update(created="yesterday"), "annotations/3.3.1-annotationCreatedValidated.json"),
        (lambda item: item.update(bodyValue="x"), "annotations/3.2.5-notBodyBodyValue.json"),
        (
            lambda item: item["target"]["selector"][1].update(start=-1),
            "annotations/specificResource/4.2-TextDataPositionSelectorValid.json",
        ),
    ],
    ids=["no target", "id not a uri", "created not a time", "body and bodyValue", "negative position"],
)
def test_a_broken_annotation_fails_the_must_assertion_it_breaks(break_it, assertion):
    item = w3c.annotation_jsonld(annotation=AnnotationFactory(), base_url=SITE)
    assert failures(item) == {}
    break_it(item)
    assert assertion in failures(item)


# --- Where ids point ---------------------------------------------------------------------------


def web_collection(client, **extra):
    response = client.get("/export/annotations.json", {"format": "w3c"}, **extra)
    return json.loads(b"".join(response.streaming_content))


def test_web_ids_use_the_site_url_when_it_is_set(user_client, settings):
    settings.SITE_URL = "https://reader.example.org"
    AnnotationFactory()
    collection = web_collection(user_client, HTTP_HOST="localhost:8123")
    assert collection["id"].startswith("https://reader.example.org/export/")
    assert collection["first"]["items"][0]["id"].startswith("https://reader.example.org/annotations/")


def test_web_ids_use_the_address_asked_at_when_no_site_url_is_set(user_client, settings):
    settings.ALLOWED_HOSTS = ["reader.internal"]
    annotation = AnnotationFactory()
    collection = web_collection(user_client, HTTP_HOST="reader.internal:8443", secure=True)
    assert (
        collection["first"]["items"][0]["id"] == f"https://reader.internal:8443/annotations/{annotation.pk}/"
    )


def command_collection(*args):
    out = io.StringIO()
    call_command("export_annotations", "--format", "w3c", *args, stdout=out)
    return json.loads(out.getvalue())


def test_command_ids_use_base_url(settings):
    settings.SITE_URL = "https://from.settings"
    annotation = AnnotationFactory()
    item = command_collection("--base-url", "https://given.example/")["first"]["items"][0]
    assert item["id"] == f"https://given.example/annotations/{annotation.pk}/"


def test_command_ids_default_to_the_site_url_then_localhost(settings):
    annotation = AnnotationFactory()
    assert command_collection()["first"]["items"][0]["id"] == f"http://localhost/annotations/{annotation.pk}/"
    settings.SITE_URL = "https://from.settings"
    assert (
        command_collection()["first"]["items"][0]["id"]
        == f"https://from.settings/annotations/{annotation.pk}/"
    )
