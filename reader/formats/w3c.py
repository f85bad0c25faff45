"""W3C Web Annotation JSON-LD: out (a presenter and a streamed AnnotationCollection) and in
(annotations of other tools, or ours, anchored on documents here).

The presenter works in the manner of Hypothesis's `h/presenters/annotation_jsonld.py`: one model
object in, one standalone JSON-LD annotation out (with its own @context).

Vocabulary. A label is a `TextualBody` with `purpose: tagging`, a note one with
`purpose: commenting`, as every Web Annotation client reads them. Two of our fields have no
W3C term of their own, and used to be told apart only by their purposes, which other tools use
for other things:

- the **speaker** an annotation names or quotes is a `SpecificResource` body with
  `purpose: identifying` whose `source` is an IRI for the speaker,
  `urn:close-reader:speaker:<name, percent-encoded>`. That is how Recogito and Annotorious link a
  span to an entity (a place, a person), so tools that understand entity links understand it;
  the IRI carries the speaker's natural key (its name, as the native format does), so it means
  the same speaker in any Close Reader database, and it is not an address that pretends to be a
  page (there are no speaker pages).
- the **cue** ("said", "alleged") is a `TextualBody` with `purpose: describing` and
  `"cr:role": "cue"`, where `cr:` is a one-term extension of the context,
  `{"cr": "urn:close-reader:"}`. A generic client still shows it as a description; ours (and any
  that reads the context) knows it is the reporting verb.

The @context is therefore `["http://www.w3.org/ns/anno.jsonld", {"cr": "urn:close-reader:"}]`,
which the W3C suite accepts (its value is in the array); every exported annotation passes each
MUST assertion of the suite (tests/test_w3c.py).

Ids are absolute: `base_url` (settings.SITE_URL when DJANGO_SITE_URL is set, else the request's
own origin, else the command's --base-url) joined to the annotation's page here.
"""

from itertools import chain
from urllib.parse import quote, unquote, urlencode

from django.urls import reverse

from reader.formats.scope import ROWS_PER_QUERY, chunked, dumps, iso
from reader.models import Label

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CR_PREFIX = "urn:close-reader:"
CONTEXT = [ANNO_CONTEXT, {"cr": CR_PREFIX}]
SPEAKER_IRI = CR_PREFIX + "speaker:"
DEFAULT_BASE_URL = "http://localhost"


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def speaker_iri(name: str) -> str:
    return SPEAKER_IRI + quote(name, safe="")


def speaker_from_iri(iri: str) -> str | None:
    return unquote(iri.removeprefix(SPEAKER_IRI)) if iri.startswith(SPEAKER_IRI) else None


# --- Out ---------------------------------------------------------------------------------------


def _textual_body(value, purpose) -> dict:
    return {"type": "TextualBody", "value": value, "purpose": purpose}


def document_source(document, base_url) -> str:
    return document.url or absolute(base_url, document.get_absolute_url())


def _span_target(span, base_url) -> dict:
    quote_selector = {"type": "TextQuoteSelector", "exact": span.exact}
    if span.prefix:
        quote_selector["prefix"] = span.prefix
    if span.suffix:
        quote_selector["suffix"] = span.suffix
    selectors = [quote_selector]
    if not span.orphaned:
        # An orphaned span's offsets no longer point at its quote; the quote alone may re-anchor it.
        selectors.append({"type": "TextPositionSelector", "start": span.start, "end": span.end})
    return {"type": "SpecificResource", "source": document_source(span.document, base_url), "selector": selectors}


def _creator(user) -> dict:
    return {"type": "Person", "nickname": user.get_username()}


def annotation_jsonld(*, annotation, base_url) -> dict:
    body = [_textual_body(annotation.label.name, "tagging")]
    if annotation.speaker:
        body.append(
            {"type": "SpecificResource", "purpose": "identifying", "source": speaker_iri(annotation.speaker.name)}
        )
    if annotation.cue:
        body.append({**_textual_body(annotation.cue, "describing"), "cr:role": "cue"})
    if annotation.note:
        body.append(_textual_body(annotation.note, "commenting"))
    # A speaker mention that names someone identifies them; every other annotation tags its span.
    identifies = annotation.label.kind == Label.Kind.SPEAKER and annotation.speaker
    return {
        "@context": CONTEXT,
        "id": absolute(base_url, annotation.get_absolute_url()),
        "type": "Annotation",
        "motivation": "identifying" if identifies else "tagging",
        "creator": _creator(annotation.author),
        "created": iso(annotation.created),
        "modified": iso(annotation.modified),
        "body": body,
        "target": _span_target(annotation.span, base_url),
    }


def link_jsonld(*, link, base_url) -> dict:
    body = [_textual_body(link.relation, "tagging")]
    if link.note:
        body.append(_textual_body(link.note, "commenting"))
    return {
        "@context": CONTEXT,
        "id": absolute(base_url, link.get_absolute_url()),
        "type": "Annotation",
        "motivation": "linking",
        "creator": _creator(link.author),
        "created": iso(link.created),
        "modified": iso(link.modified),
        "body": body,
        "target": [_span_target(link.source, base_url), _span_target(link.target, base_url)],
    }


# Only the columns a presenter needs: select_related would otherwise fetch every column of every
# joined row (a user's password hash, a document's text) once per annotation.
_SPAN = ["start", "end", "exact", "prefix", "suffix", "orphaned", "document__slug", "document__url"]
_ITEM = ["created", "modified", "author__username"]


def _annotations(scope):
    return (
        scope.annotations()
        .select_related("span__document", "label", "author", "speaker")
        .only("cue", "note", "label__name", "label__kind", "speaker__name", *_ITEM, *(f"span__{f}" for f in _SPAN))
        .order_by("span__document__slug", "span__start", "span__end", "label__name", "author__username")
    )


def _links(scope):
    return (
        scope.links()
        .select_related("source__document", "target__document", "author")
        .only("relation", "note", *_ITEM, *(f"{end}__{f}" for end in ("source", "target") for f in _SPAN))
        .order_by(
            "source__document__slug", "source__start", "source__end",
            "target__document__slug", "target__start", "target__end", "relation",
        )
    )  # fmt: skip


def collection_id(scope, base_url) -> str:
    query = {"format": "w3c"}
    if scope.comparison:
        query["comparison"] = scope.comparison.slug
    if scope.status:
        query["status"] = scope.status
    return absolute(base_url, reverse("export_annotations") + "?" + urlencode(query))


def w3c_pieces(scope, *, base_url=DEFAULT_BASE_URL, indent=None):
    annotations, links = _annotations(scope), _links(scope)
    collection = collection_id(scope, base_url)
    page = collection + "#page-1"
    head = {
        "@context": CONTEXT,
        "id": collection,
        "type": "AnnotationCollection",
        "label": f"Close Reader annotations{f' of {scope.comparison.title}' if scope.comparison else ''}",
        "total": annotations.count() + links.count(),
        "last": page,
        "first": {"id": page, "type": "AnnotationPage", "partOf": collection, "startIndex": 0, "items": []},
    }
    items = chain(
        (annotation_jsonld(annotation=a, base_url=base_url) for a in annotations.iterator(ROWS_PER_QUERY)),
        (link_jsonld(link=link, base_url=base_url) for link in links.iterator(ROWS_PER_QUERY)),
    )
    # The head is written by the encoder with an empty list of items, cut open where the list is.
    import json

    encoded = json.dumps(head, ensure_ascii=False, indent=indent) if indent else dumps(head)
    cut = encoded.rindex("[]")
    yield encoded[:cut]
    if indent:
        inner = " " * (3 * indent)
        opened = False
        for item in items:
            yield (",\n" if opened else "[\n") + inner + json.dumps(item, ensure_ascii=False, indent=indent).replace(
                "\n", "\n" + inner
            )
            opened = True
        yield ("\n" + " " * (2 * indent) + "]") if opened else "[]"
    else:
        opened = False
        for item in items:
            yield ("," if opened else "[") + dumps(item)
            opened = True
        yield "]" if opened else "[]"
    yield encoded[cut + 2 :] + "\n"


def w3c_chunks(scope, *, base_url=DEFAULT_BASE_URL, indent=None):
    return chunked(w3c_pieces(scope, base_url=base_url, indent=indent))
