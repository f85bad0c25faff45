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

import json
import re
from datetime import UTC, datetime
from itertools import chain
from urllib.parse import quote, unquote, urlencode, urlsplit

from django.db import transaction
from django.urls import reverse

from reader import text as textlib
from reader.formats import importing
from reader.formats.scope import ROWS_PER_QUERY, chunked, dumps, iso, span_key
from reader.models import Document, Label, Relation

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
    return {
        "type": "SpecificResource",
        "source": document_source(span.document, base_url),
        "selector": selectors,
    }


def _creator(user) -> dict:
    return {"type": "Person", "nickname": user.get_username()}


def annotation_jsonld(*, annotation, base_url) -> dict:
    body = [_textual_body(annotation.label.name, "tagging")]
    if annotation.speaker:
        body.append(
            {
                "type": "SpecificResource",
                "purpose": "identifying",
                "source": speaker_iri(annotation.speaker.name),
            }
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
        .only(
            "cue",
            "note",
            "label__name",
            "label__kind",
            "speaker__name",
            *_ITEM,
            *(f"span__{f}" for f in _SPAN),
        )
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
    encoded = json.dumps(head, ensure_ascii=False, indent=indent) if indent else dumps(head)
    cut = encoded.rindex("[]")
    yield encoded[:cut]
    if indent:
        inner = " " * (3 * indent)
        opened = False
        for item in items:
            yield (
                (",\n" if opened else "[\n")
                + inner
                + json.dumps(item, ensure_ascii=False, indent=indent).replace("\n", "\n" + inner)
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


# --- In ----------------------------------------------------------------------------------------
# Annotations of another tool (Hypothesis, Recogito…) or ours, onto documents here. Each target
# is anchored by its TextPositionSelector when the text there is its quote, else by its quote
# (exact, then approximate, position and context deciding: text.reanchor). Tags become labels (a
# tag with no label of its name becomes a new label of kind "other", reported, so a curator can
# rename or merge it: a tag is the annotator's classification, and dropping it would lose it);
# comments become the note; our speaker and cue bodies become speaker and cue; a `linking`
# annotation with two targets becomes a link when both anchor, in two documents. What cannot be
# anchored (or has no tag to make its label) is listed in the summary, never dropped silently.
# The records made are native ones without a review: they go through the same comparison and
# writing as a native file (importing.Writer), so importing twice changes nothing.

USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
DOCUMENT_PATH = re.compile(r"/documents/([-a-zA-Z0-9_]+)/?$")
MAX_W3C_BYTES = 100 * 1024 * 1024  # parsed whole: other tools' files are small


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def annotations_in(data):
    """(where, annotation) of a collection, a page, a list, or one annotation."""
    if isinstance(data, list):
        return [(f"items[{i}]", item) for i, item in enumerate(data)]
    if not isinstance(data, dict):
        raise importing.ImportRefused("The file holds no W3C annotations: expected an object or a list.")
    kinds = set(_as_list(data.get("type")))
    if "AnnotationCollection" in kinds:
        first = data.get("first")
        if not isinstance(first, dict):
            raise importing.ImportRefused(
                "The collection's first page is not in the file (only its address is): "
                "download the pages and import each."
            )
        return [(f"first.items[{i}]", item) for i, item in enumerate(_as_list(first.get("items")))]
    if "AnnotationPage" in kinds:
        return [(f"items[{i}]", item) for i, item in enumerate(_as_list(data.get("items")))]
    if "Annotation" in kinds:
        return [("The annotation", data)]
    if data.get("format") == "close-reader/1":
        raise importing.ImportRefused("This is a close-reader/1 file: import it as native, not W3C.")
    raise importing.ImportRefused(
        "The file holds no W3C annotations: expected an AnnotationCollection, an AnnotationPage, an "
        "Annotation or a list of annotations."
    )


class _Plan:
    """Turns W3C annotations into native records, anchoring each target on a document here."""

    def __init__(self, *, document, user, summary, errors):
        self.document, self.user, self.summary, self.errors = document, user, summary, errors
        self.labels = {name.casefold(): name for name in Label.objects.values_list("name", flat=True)}
        self.new_labels = []
        self.speakers = {}  # name → new (True) or here (False)
        self.users = set()
        self.spans = {}  # key → record
        self.annotations, self.links = {}, {}  # natural key → (where, record)
        self.documents = {}  # slug → Document
        self._by_source = {}

    def document_for(self, source):
        """The document a target's source names here (by its URL or its page here), else the one
        the curator named."""
        if isinstance(source, str) and source:
            if source not in self._by_source:
                found = Document.objects.filter(url=source).first()
                if found is None and (match := DOCUMENT_PATH.search(urlsplit(source).path)):
                    found = Document.objects.filter(slug=match.group(1)).first()
                self._by_source[source] = found
            if self._by_source[source] is not None:
                return self._by_source[source]
        return self.document

    def anchor(self, target):
        """(document, start, end) or a reason it cannot be anchored."""
        if isinstance(target, str):
            return "its target is only an address, with no selector to find the words"
        if not isinstance(target, dict):
            return "its target is not a resource"
        document = self.document_for(target.get("source"))
        if document is None:
            return f"its source {target.get('source')!r} is not a document here, and no document was named"
        selectors = [s for s in _as_list(target.get("selector")) if isinstance(s, dict)]
        quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), None)
        position = next((s for s in selectors if s.get("type") == "TextPositionSelector"), None)
        exact = quote.get("exact") if quote else None
        text = document.text
        if position and type(position.get("start")) is int and type(position.get("end")) is int:
            start, end = position["start"], position["end"]
            if 0 <= start < end <= len(text) and (exact is None or text[start:end] == exact):
                found = _trim(text, start, end)
                if found:
                    return (document, *found)
        if isinstance(exact, str) and exact.strip():
            found = textlib.reanchor(
                text,
                exact=exact,
                prefix=quote.get("prefix") if isinstance(quote.get("prefix"), str) else "",
                suffix=quote.get("suffix") if isinstance(quote.get("suffix"), str) else "",
                start=position["start"] if position and type(position.get("start")) is int else 0,
            )
            if found:
                return (document, *found)
            return f"its quote is not in the text of {document.slug!r}"
        if position:
            return f"its position is outside the text of {document.slug!r}, and it has no quote"
        return "it has no TextQuoteSelector or TextPositionSelector"

    def span(self, document, start, end):
        key = span_key(document_slug=document.slug, start=start, end=end)
        if key not in self.spans:
            prefix, suffix = textlib.context(document.text, start, end)
            self.documents[document.slug] = document
            self.spans[key] = {
                "document": document.slug,
                "start": start,
                "end": end,
                "exact": document.text[start:end],
                "prefix": prefix,
                "suffix": suffix,
                "orphaned": False,
            }
        return key

    def author(self, item):
        creator = _as_list(item.get("creator"))[:1]
        nickname = creator[0].get("nickname") if creator and isinstance(creator[0], dict) else None
        if isinstance(nickname, str) and USERNAME.match(nickname):
            self.users.add(nickname)
            return nickname
        if self.user is not None:
            self.users.add(self.user.get_username())
            return self.user.get_username()
        return None

    def label(self, where, tag):
        tag = " ".join(tag.split())
        if len(tag) > 60:
            self.errors.add(
                where, f"the tag {tag[:40]!r}… is over 60 characters, more than a label's name may be."
            )
            return None
        if tag.casefold() not in self.labels:
            self.labels[tag.casefold()] = tag
            self.new_labels.append(tag)
        return self.labels[tag.casefold()]

    def bodies(self, where, item):
        """The tags, speaker, cue and note its bodies give."""
        tags, speaker, cue, notes = [], None, "", []
        bodies = _as_list(item.get("body"))
        if isinstance(item.get("bodyValue"), str):
            notes.append(item["bodyValue"])
        for index, body in enumerate(bodies):
            at = f"{where}.body[{index}]" if isinstance(item.get("body"), list) else f"{where}.body"
            if isinstance(body, str):
                speaker = speaker_from_iri(body) or speaker
                if not speaker_from_iri(body):
                    notes.append(body)
                continue
            if not isinstance(body, dict):
                continue
            purpose = _as_list(body.get("purpose"))
            value = body.get("value")
            if body.get("type") == "SpecificResource" or "source" in body:
                source = body.get("source")
                source = source.get("id") if isinstance(source, dict) else source
                name = speaker_from_iri(source) if isinstance(source, str) else None
                if name:
                    speaker = name
                elif isinstance(source, str):
                    notes.append(f"{'/'.join(purpose) or 'body'}: {source}")
                continue
            if not isinstance(value, str):
                continue
            if "tagging" in purpose:
                tags.append((at, value))
            elif "identifying" in purpose:
                speaker = " ".join(value.split())  # our exports before the speaker IRI
            elif "describing" in purpose and body.get("cr:role") == "cue":
                cue = value
            else:
                notes.append(value)
        return tags, speaker, cue, "\n\n".join(note for note in notes if note.strip())

    def add(self, where, item):
        if not isinstance(item, dict):
            self.errors.add(where, "is not an annotation (an object).")
            return
        name = item.get("id") if isinstance(item.get("id"), str) else where
        targets = _as_list(item.get("target"))
        anchored = [self.anchor(target) for target in targets]
        quote = _first_quote(targets)
        tags, speaker, cue, note = self.bodies(where, item)
        times = {"created": _time(item.get("created")), "modified": _time(item.get("modified"))}
        author = self.author(item)
        if not targets:
            return self.unanchored(name, quote, "it has no target")
        if author is None:
            return self.unanchored(
                name, quote, "it has no creator nickname; give --author (on the web, you are)"
            )
        if len(cue) > 100:
            self.errors.add(f"{where}: the cue", f"is {len(cue)} characters long; a cue may be at most 100.")
        if len(note) > 100_000:
            self.errors.add(
                f"{where}: the note",
                f"is {len(note):,} characters long; a note may be at most 100,000 characters.",
            )
        if speaker is not None and not 0 < len(speaker) <= 200:
            self.errors.add(f"{where}: the speaker", "must be 1 to 200 characters long.")
        if "linking" in _as_list(item.get("motivation")):
            return self.link(where, name, item, anchored, quote, tags, note, author, times)
        problems = [a for a in anchored if isinstance(a, str)]
        if problems:
            return self.unanchored(name, quote, problems[0])
        if not tags:
            return self.unanchored(name, quote, "it has no tag (a tagging body) to give it a label")
        if speaker is not None:
            self.speakers.setdefault(speaker, None)
        for document, start, end in anchored:
            key = self.span(document, start, end)
            for at, tag in tags:
                label = self.label(at, tag)
                if label is None:
                    continue
                natural = (key, label, author)
                if natural in self.annotations:
                    first = self.annotations[natural][0]
                    self.unanchored(name, quote, f"it repeats {first} (the same words, label and author)")
                    continue
                record = {"span": key, "label": label, "author": author, "speaker": speaker, "cue": cue}
                self.annotations[natural] = (where, {**record, "note": note, **times})

    def link(self, where, name, item, anchored, quote, tags, note, author, times):
        if len(anchored) != 2:
            return self.unanchored(name, quote, f"a link needs two targets, and it has {len(anchored)}")
        problems = [a for a in anchored if isinstance(a, str)]
        if problems:
            return self.unanchored(name, quote, f"a target of the link cannot be anchored: {problems[0]}")
        (source_document, *source), (target_document, *target) = anchored
        if source_document.pk == target_document.pk:
            return self.unanchored(name, quote, "both ends are in one document; a link joins two articles")
        relation = next((tag for _, tag in tags if tag in Relation.values), Relation.COUNTERPART)
        source_key, target_key = self.span(source_document, *source), self.span(target_document, *target)
        natural = (source_key, target_key, relation)
        if natural in self.links:
            return self.unanchored(name, quote, f"it repeats {self.links[natural][0]} (the same link)")
        record = {"source": source_key, "target": target_key, "relation": relation, "author": author}
        self.links[natural] = (where, {**record, "note": note, **times})

    def unanchored(self, name, quote, why):
        shown = f" “{quote[:60]}{'…' if len(quote) > 60 else ''}”" if quote else ""
        self.summary.not_anchored(f"{name}{shown}: {why}")


def _trim(text, start, end):
    found = text[start:end]
    start, end = start + len(found) - len(found.lstrip()), end - (len(found) - len(found.rstrip()))
    return (start, end) if start < end else None


def _first_quote(targets):
    for target in targets:
        if isinstance(target, dict):
            for selector in _as_list(target.get("selector")):
                if isinstance(selector, dict) and isinstance(selector.get("exact"), str):
                    return selector["exact"]
    return ""


def _time(value):
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def import_w3c(*, file, document=None, overwrite=False, progress=None, user=None):
    """Import W3C annotations (a collection, a page, a list) onto documents here; see above."""
    raw = file.read(MAX_W3C_BYTES + 1)
    if len(raw) > MAX_W3C_BYTES:
        raise importing.ImportRefused(f"The file is over {MAX_W3C_BYTES // (1024 * 1024)} MB.")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise importing.ImportRefused(
            f"The file is not UTF-8 text (byte {error.start} cannot be decoded)."
        ) from error
    except json.JSONDecodeError as error:
        raise importing.ImportRefused(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    except RecursionError as error:
        raise importing.ImportRefused("The file is not valid JSON: it is nested too deeply.") from error
    errors = importing.Errors()
    for path, message in importing.bad_strings(data):
        errors.add(path.removeprefix(".") or "The file", message)
    if errors:
        errors.refuse()
    summary = importing.ImportSummary(
        overwrite=overwrite, sections=("labels", "speakers", "spans", "annotations", "links")
    )
    plan = _Plan(document=document, user=user, summary=summary, errors=errors)
    items = annotations_in(data)
    for where, item in items:
        plan.add(where, item)
    if errors:
        errors.refuse()
    with transaction.atomic():
        writer = importing.Writer(summary=summary, errors=errors, overwrite=overwrite)
        writer.documents = {slug: document.pk for slug, document in plan.documents.items()}
        for tag in plan.new_labels:
            record = {
                "name": tag,
                "kind": "other",
                "colour": "#999999",
                "shortcut": "",
                "description": "",
                "position": 100,
            }
            writer.label("labels", record)
        summary.new_labels = list(plan.new_labels)
        for name in plan.speakers:
            writer.speakers[name] = writer.speaker_here(name)
            if writer.speakers[name] is None:
                writer.speaker("speakers", {"name": name, "aliases": [], "description": ""})
        writer.users_batch(sorted(plan.users))
        spans = [(key, record) for key, record in plan.spans.items()]
        for start in range(0, len(spans), importing.BATCH):
            writer.spans_batch(spans[start : start + importing.BATCH])
        annotations = list(plan.annotations.values())
        for start in range(0, len(annotations), importing.BATCH):
            writer.annotations_batch(annotations[start : start + importing.BATCH])
        links = list(plan.links.values())
        for start in range(0, len(links), importing.BATCH):
            writer.links_batch(links[start : start + importing.BATCH])
        if errors:
            errors.refuse()
        writer.finish()
    if progress:
        progress(len(items), len(raw))
    return summary
