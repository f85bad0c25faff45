"""Annotations out (native JSON and W3C Web Annotation JSON-LD) and back in (native JSON).

Exports are generators of str chunks: each section is read with
`.iterator()`, one record is encoded at a time, so memory does not grow with
the number of annotations. The management command and the web view consume
the same generator.

The native format names everything by natural key (slugs, names, usernames,
"document-slug:start-end" for a span), never by database id, so a file moves
between databases. Import checks the whole file before writing anything and
writes it in one transaction: a file is taken whole or refused whole.
"""

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from reader import text as textlib
from reader.models import Annotation, Comparison, Document, Label, Link, Span, Speaker

FORMAT = "close-reader/1"
FORMATS = ("native", "w3c")
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "close-reader-1.schema.json"
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Memory while streaming is about ROWS_PER_QUERY rows plus one chunk, whatever the number of rows,
# so 100,000 annotations cost about what 100 do. Documents come one at a time: a text may be megabytes.
ROWS_PER_QUERY = 100
CHUNK_CHARS = 16 * 1024  # records are joined into chunks of about this size before they are yielded
# Only the columns a record needs: select_related would otherwise fetch every column of every
# joined row (a user's password hash, a document's metadata) once per annotation.
SPAN_FIELDS = ["start", "end", "exact", "prefix", "suffix", "orphaned"]
DOCUMENT_FIELDS = ["slug", "url"]
REVIEW_FIELDS = ["status", "reviewed_at", "created", "modified", "author__username", "reviewed_by__username"]
MAX_REPORTED_ERRORS = 10


def span_key(*, document_slug, start, end) -> str:
    return f"{document_slug}:{start}-{end}"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _dumps(value) -> str:
    # ensure_ascii=False keeps texts readable (and the file smaller); the file is UTF-8.
    return json.dumps(value, ensure_ascii=False)


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- What an export covers -------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which rows an export holds: everything, or one comparison's two documents, optionally
    only annotations and links of one status (and then only the spans they use)."""

    comparison: Comparison | None = None
    status: str | None = None
    # A curator's selection in the admin: these annotations, the links between their
    # spans, and the documents (and comparisons) they need.
    annotation_ids: tuple | None = None

    def documents(self):
        documents = Document.objects.order_by("slug")
        if self.comparison:
            documents = documents.filter(pk__in=[self.comparison.left_id, self.comparison.right_id])
        if self.annotation_ids is not None:
            documents = documents.filter(pk__in=self._annotations().values("span__document"))
        return documents

    def comparisons(self):
        comparisons = Comparison.objects.select_related("left", "right").defer("left__text", "right__text")
        if self.comparison:
            comparisons = comparisons.filter(pk=self.comparison.pk)
        if self.annotation_ids is not None:
            held = self.documents().values("pk")
            comparisons = comparisons.filter(left__in=held, right__in=held)
        return comparisons.order_by("slug")

    def labels(self):
        # Labels and speakers are shared vocabularies: exported whole, like a codebook.
        return Label.objects.order_by("position", "name")

    def speakers(self):
        return Speaker.objects.order_by("name")

    def _annotations(self):
        annotations = Annotation.objects.all()
        if self.comparison:
            annotations = annotations.filter(span__document__in=self._document_ids)
        if self.status:
            annotations = annotations.filter(status=self.status)
        if self.annotation_ids is not None:
            annotations = annotations.filter(pk__in=self.annotation_ids)
        return annotations

    def _links(self):
        links = Link.objects.all()
        if self.comparison:
            # Both ends inside, or the file would name a span it does not hold.
            links = links.filter(
                source__document__in=self._document_ids, target__document__in=self._document_ids
            )
        if self.status:
            links = links.filter(status=self.status)
        if self.annotation_ids is not None:
            spans = self._annotations().order_by().values("span")
            links = links.filter(source__in=spans, target__in=spans)
        return links

    @property
    def _document_ids(self):
        return [self.comparison.left_id, self.comparison.right_id]

    def users(self):
        annotations, links = self._annotations().order_by(), self._links().order_by()
        used = (
            Q(pk__in=annotations.values("author"))
            | Q(pk__in=annotations.values("reviewed_by"))
            | Q(pk__in=links.values("author"))
            | Q(pk__in=links.values("reviewed_by"))
        )
        return get_user_model().objects.filter(used).order_by("username").values_list("username", flat=True)

    def spans(self):
        spans = Span.objects.select_related("document").only(
            *SPAN_FIELDS, *(f"document__{name}" for name in DOCUMENT_FIELDS)
        )
        if self.comparison:
            spans = spans.filter(document__in=self._document_ids)
        if self.status or self.annotation_ids is not None:
            annotations, links = self._annotations().order_by(), self._links().order_by()
            spans = spans.filter(
                Q(pk__in=annotations.values("span"))
                | Q(pk__in=links.values("source"))
                | Q(pk__in=links.values("target"))
            )
        return spans.order_by("document__slug", "start", "end")

    def annotations(self):
        return (
            self._annotations()
            .select_related("span__document", "label", "author", "speaker", "reviewed_by")
            .only(
                "cue",
                "note",
                "label__name",
                "label__kind",
                "speaker__name",
                *REVIEW_FIELDS,
                *(f"span__{name}" for name in SPAN_FIELDS),
                *(f"span__document__{name}" for name in DOCUMENT_FIELDS),
            )
            .order_by("span__document__slug", "span__start", "span__end", "label__name", "author__username")
        )

    def links(self):
        return (
            self._links()
            .select_related("source__document", "target__document", "author", "reviewed_by")
            .only(
                "relation",
                "note",
                *REVIEW_FIELDS,
                *(f"{end}__{name}" for end in ("source", "target") for name in SPAN_FIELDS),
                *(f"{end}__document__{name}" for end in ("source", "target") for name in DOCUMENT_FIELDS),
            )
            .order_by(
                "source__document__slug",
                "source__start",
                "source__end",
                "target__document__slug",
                "target__start",
                "target__end",
                "relation",
            )
        )


def _rows(queryset):
    return queryset.iterator(chunk_size=1 if queryset.model is Document else ROWS_PER_QUERY)


def _chunked(pieces):
    """Join small pieces into chunks of about CHUNK_CHARS: one write per record is slow to send."""
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _json_array(records, *, indent):
    """A JSON array with one record per line, streamed."""
    opened = False
    for record in records:
        yield (",\n" if opened else "[\n") + indent + "  " + _dumps(record)
        opened = True
    yield ("\n" + indent + "]") if opened else "[]"


def export_chunks(*, format="native", comparison=None, status=None, annotation_ids=None):
    """The whole export as str chunks, for a file, stdout or a streaming response."""
    scope = Scope(
        comparison=comparison,
        status=status,
        annotation_ids=tuple(annotation_ids) if annotation_ids is not None else None,
    )
    pieces = _w3c_pieces(scope) if format == "w3c" else _native_pieces(scope, exported=timezone.now())
    return _chunked(pieces)


# --- Native JSON out -------------------------------------------------------------------------


def document_record(document) -> dict:
    return {
        "slug": document.slug,
        "title": document.title,
        "outlet": document.outlet,
        "published": document.published.isoformat() if document.published else None,
        "published_note": document.published_note,
        "url": document.url,
        "language": document.language,
        "text": document.text,
        # Computed afresh: the stored digest could be stale after a queryset update of the text.
        "text_sha256": textlib.sha256(document.text),
    }


def comparison_record(comparison) -> dict:
    return {
        "slug": comparison.slug,
        "title": comparison.title,
        "left": comparison.left.slug,
        "right": comparison.right.slug,
        "note": comparison.note,
    }


def label_record(label) -> dict:
    return {
        "name": label.name,
        "kind": label.kind,
        "colour": label.colour,
        "shortcut": label.shortcut,
        "description": label.description,
        "position": label.position,
    }


def speaker_record(speaker) -> dict:
    return {"name": speaker.name, "aliases": speaker.alias_list, "description": speaker.description}


def _key(span) -> str:
    return span_key(document_slug=span.document.slug, start=span.start, end=span.end)


def span_record(span) -> dict:
    return {
        "key": _key(span),
        "document": span.document.slug,
        "start": span.start,
        "end": span.end,
        "exact": span.exact,
        "prefix": span.prefix,
        "suffix": span.suffix,
        "orphaned": span.orphaned,
    }


def _review(item) -> dict:
    return {
        "status": item.status,
        "reviewed_by": item.reviewed_by.username if item.reviewed_by else None,
        "reviewed_at": _iso(item.reviewed_at),
        "created": _iso(item.created),
        "modified": _iso(item.modified),
    }


def annotation_record(annotation) -> dict:
    return {
        "span": _key(annotation.span),
        "label": annotation.label.name,
        "author": annotation.author.username,
        "speaker": annotation.speaker.name if annotation.speaker else None,
        "cue": annotation.cue,
        "note": annotation.note,
        **_review(annotation),
    }


def link_record(link) -> dict:
    return {
        "source": _key(link.source),
        "target": _key(link.target),
        "relation": link.relation,
        "note": link.note,
        "author": link.author.username,
        **_review(link),
    }


def _native_pieces(scope, *, exported):
    sections = [
        ("documents", scope.documents(), document_record),
        ("comparisons", scope.comparisons(), comparison_record),
        ("labels", scope.labels(), label_record),
        ("speakers", scope.speakers(), speaker_record),
        ("users", scope.users(), str),
        ("spans", scope.spans(), span_record),
        ("annotations", scope.annotations(), annotation_record),
        ("links", scope.links(), link_record),
    ]
    yield f'{{\n  "format": {_dumps(FORMAT)},\n  "exported": {_dumps(_iso(exported))}'
    for name, queryset, record in sections:
        yield f',\n  "{name}": '
        yield from _json_array(map(record, _rows(queryset)), indent="  ")
    yield "\n}\n"


# --- W3C Web Annotation out ------------------------------------------------------------------
# A presenter in the manner of Hypothesis's h/presenters/annotation_jsonld.py: one model
# object in, one JSON-LD annotation out, standalone (with its own @context).


def _textual_body(value, purpose) -> dict:
    return {"type": "TextualBody", "value": value, "purpose": purpose}


def _source(document) -> str:
    return document.url or _site_url(document.get_absolute_url())


def _span_target(span) -> dict:
    selectors = [{"type": "TextQuoteSelector", "exact": span.exact}]
    if span.prefix:
        selectors[0]["prefix"] = span.prefix
    if span.suffix:
        selectors[0]["suffix"] = span.suffix
    if not span.orphaned:
        # An orphaned span's offsets no longer point at its quote; the quote alone may re-anchor it.
        selectors.append({"type": "TextPositionSelector", "start": span.start, "end": span.end})
    return {"type": "SpecificResource", "source": _source(span.document), "selector": selectors}


def _creator(user) -> dict:
    return {"type": "Person", "nickname": user.get_username()}


def annotation_jsonld(*, annotation) -> dict:
    body = [_textual_body(annotation.label.name, "tagging")]
    if annotation.speaker:
        body.append(_textual_body(annotation.speaker.name, "identifying"))
    if annotation.cue:
        body.append(_textual_body(annotation.cue, "describing"))
    if annotation.note:
        body.append(_textual_body(annotation.note, "commenting"))
    # A speaker mention that names someone identifies them; every other annotation tags its span.
    identifies = annotation.label.kind == Label.Kind.SPEAKER and annotation.speaker
    return {
        "@context": W3C_CONTEXT,
        "id": _site_url(annotation.get_absolute_url()),
        "type": "Annotation",
        "motivation": "identifying" if identifies else "tagging",
        "creator": _creator(annotation.author),
        "created": _iso(annotation.created),
        "modified": _iso(annotation.modified),
        "body": body,
        "target": _span_target(annotation.span),
    }


def link_jsonld(*, link) -> dict:
    body = [_textual_body(link.relation, "tagging")]
    if link.note:
        body.append(_textual_body(link.note, "commenting"))
    return {
        "@context": W3C_CONTEXT,
        "id": _site_url(link.get_absolute_url()),
        "type": "Annotation",
        "motivation": "linking",
        "creator": _creator(link.author),
        "created": _iso(link.created),
        "modified": _iso(link.modified),
        "body": body,
        "target": [_span_target(link.source), _span_target(link.target)],
    }


def _collection_id(scope) -> str:
    query = {"format": "w3c"}
    if scope.comparison:
        query["comparison"] = scope.comparison.slug
    if scope.status:
        query["status"] = scope.status
    return _site_url(reverse("export_annotations") + "?" + urlencode(query))


def _w3c_pieces(scope):
    annotations, links = scope.annotations(), scope.links()
    collection_id = _collection_id(scope)
    page_id = collection_id + "#page-1"
    head = {
        "@context": W3C_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Close Reader annotations{f' of {scope.comparison.title}' if scope.comparison else ''}",
        "total": annotations.count() + links.count(),
        "last": page_id,
    }
    page_head = {"id": page_id, "type": "AnnotationPage", "partOf": collection_id, "startIndex": 0}
    yield "{\n" + "".join(f"  {_dumps(name)}: {_dumps(value)},\n" for name, value in head.items())
    yield '  "first": {\n' + "".join(f"    {_dumps(k)}: {_dumps(v)},\n" for k, v in page_head.items())
    yield '    "items": '
    items = chain(
        (annotation_jsonld(annotation=annotation) for annotation in _rows(annotations)),
        (link_jsonld(link=link) for link in _rows(links)),
    )
    yield from _json_array(items, indent="    ")
    yield "\n  }\n}\n"


# --- Native JSON in --------------------------------------------------------------------------


class ImportRefused(Exception):
    """The file was refused as a whole and nothing was written; the message says where and why."""


@dataclass
class ImportSummary:
    created: dict = field(default_factory=dict)  # section → how many records were new
    existing: dict = field(default_factory=dict)  # section → how many matched a row already here
    new_users: list = field(default_factory=list)

    def count(self, section, created):
        target = self.created if created else self.existing
        target[section] = target.get(section, 0) + 1

    def lines(self) -> list[str]:
        sections = ["documents", "comparisons", "labels", "speakers", "spans", "annotations", "links"]
        lines = [
            f"{name}: {self.created.get(name, 0)} new, {self.existing.get(name, 0)} already here (updated)"
            for name in sections
        ]
        if self.new_users:
            lines.append(
                f"Created {len(self.new_users)} inactive user(s) with unusable passwords "
                f"(an admin can activate them): {', '.join(self.new_users)}"
            )
        return lines


@functools.cache
def native_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _schema_validator():
    schema = native_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _shorten(message, limit=300):
    # jsonschema quotes the offending value, which may be a whole article.
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _refuse(errors):
    shown = errors[:MAX_REPORTED_ERRORS]
    more = len(errors) - len(shown)
    lines = [*shown, f"…and {more} more."] if more else shown
    raise ImportRefused("\n".join(lines))


def parse_native(raw: bytes | str) -> dict:
    """The file's JSON, checked against the schema; ImportRefused names the first problems."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRefused(
                f"The file is not UTF-8 text (byte {error.start} cannot be decoded)."
            ) from error
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    except RecursionError as error:
        raise ImportRefused("The file is not valid JSON: it is nested too deeply.") from error

    def position(error):
        # Sorting by path reports problems in file order; ints and strs never meet at one depth.
        return [(0, part) if isinstance(part, int) else (1, part) for part in error.absolute_path]

    errors = sorted(_schema_validator().iter_errors(data), key=position)
    if errors:
        _refuse([f"{_where(error.json_path)}: {_shorten(error.message)}" for error in errors])
    return data


def _where(json_path):
    return json_path.removeprefix("$.") if json_path != "$" else "The file"


def _parse_datetime(value):
    return None if value is None else datetime.fromisoformat(value)


class _Checker:
    """Everything that can be wrong with a schema-valid file, found before anything is written."""

    def __init__(self, data):
        self.data = data
        self.errors = []
        self.keys = {}  # section → {natural key: index of its record}

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")

    def check(self):
        for section, key_of, what in [
            ("documents", lambda r: r["slug"], "slug"),
            ("comparisons", lambda r: r["slug"], "slug"),
            ("labels", lambda r: r["name"], "name"),
            ("speakers", lambda r: r["name"], "name"),
            ("users", lambda r: r, "username"),
            ("spans", lambda r: r["key"], "key"),
            ("annotations", lambda r: (r["span"], r["label"], r["author"]), "span, label and author"),
            ("links", lambda r: (r["source"], r["target"], r["relation"]), "source, target and relation"),
        ]:
            self.keys[section] = self.unique(section, key_of, what)
        self.check_shortcuts()
        self.check_documents()
        self.check_comparisons()
        self.check_spans()
        self.check_annotations()
        self.check_links()
        if self.errors:
            _refuse(self.errors)

    def unique(self, section, key_of, what):
        seen = {}
        for index, record in enumerate(self.data[section]):
            key = key_of(record)
            if key in seen:
                self.error(f"{section}[{index}]", f"repeats {section}[{seen[key]}] (the same {what}).")
            seen.setdefault(key, index)
        return seen

    def known(self, where, value, section, what):
        if value is not None and value not in self.keys[section]:
            self.error(where, f"names the {what} {value!r}, which is not in the file.")

    def check_times(self, where, record, names):
        for name in names:
            try:
                _parse_datetime(record[name])
            except ValueError:
                self.error(f"{where}.{name}", f"{record[name]!r} is not a valid date and time.")

    def check_shortcuts(self):
        seen = {}
        for index, record in enumerate(self.data["labels"]):
            shortcut = record["shortcut"].lower()  # Label.save() lowercases it
            if shortcut and shortcut in seen:
                self.error(
                    f"labels[{index}].shortcut",
                    f"{shortcut!r} is already the shortcut of labels[{seen[shortcut]}].",
                )
            seen.setdefault(shortcut, index)

    def check_documents(self):
        records = self.data["documents"]
        here = dict(Document.objects.filter(slug__in=self.keys["documents"]).values_list("slug", "text"))
        for index, record in enumerate(records):
            where = f"documents[{index}]"
            digest = textlib.sha256(record["text"])
            if digest != record["text_sha256"]:
                self.error(f"{where}.text_sha256", f"does not match the text, whose SHA-256 is {digest}.")
            if record["slug"] in here and here[record["slug"]] != record["text"]:
                self.error(
                    f"{where}.text",
                    f"differs from the text of the document {record['slug']!r} already here, so its spans "
                    "would not fit; edit that document's text first, or import this one under another slug.",
                )
            if record["published"] is not None:
                try:
                    date.fromisoformat(record["published"])
                except ValueError:
                    self.error(f"{where}.published", f"{record['published']!r} is not a valid date.")

    def check_comparisons(self):
        for index, record in enumerate(self.data["comparisons"]):
            where = f"comparisons[{index}]"
            self.known(f"{where}.left", record["left"], "documents", "document")
            self.known(f"{where}.right", record["right"], "documents", "document")
            if record["left"] == record["right"]:
                self.error(f"{where}.right", "is the same document as left; a comparison needs two.")

    def check_spans(self):
        texts = {record["slug"]: record["text"] for record in self.data["documents"]}
        for index, record in enumerate(self.data["spans"]):
            where = f"spans[{index}]"
            start, end, slug = record["start"], record["end"], record["document"]
            key = span_key(document_slug=slug, start=start, end=end)
            if record["key"] != key:
                self.error(f"{where}.key", f"should be {key!r}, from its document, start and end.")
            if slug not in texts:
                self.error(f"{where}.document", f"names the document {slug!r}, which is not in the file.")
            elif end <= start:
                self.error(f"{where}.end", f"{end} is not after the start, {start}.")
            elif not record["orphaned"]:  # an orphaned span lost its place in a text edit: no check
                self.check_quote(where, record, texts[slug])

    def check_quote(self, where, record, text):
        start, end, exact = record["start"], record["end"], record["exact"]
        if end > len(text):
            self.error(f"{where}.end", f"{end} lies outside the text, which has {len(text)} characters.")
        elif text[start:end] != exact:
            found = _shorten(repr(text[start:end]), 80)
            self.error(
                f"{where}.exact", f"is not the text at {start}–{end} of its document, which is {found}."
            )
        elif exact != exact.strip():
            self.error(f"{where}.exact", "begins or ends with whitespace, but spans are trimmed.")

    def check_annotations(self):
        for index, record in enumerate(self.data["annotations"]):
            where = f"annotations[{index}]"
            self.known(f"{where}.span", record["span"], "spans", "span")
            self.known(f"{where}.label", record["label"], "labels", "label")
            self.known(f"{where}.speaker", record["speaker"], "speakers", "speaker")
            self.known(f"{where}.author", record["author"], "users", "user")
            self.known(f"{where}.reviewed_by", record["reviewed_by"], "users", "user")
            self.check_times(where, record, ["reviewed_at", "created", "modified"])

    def check_links(self):
        spans = self.data["spans"]
        for index, record in enumerate(self.data["links"]):
            where = f"links[{index}]"
            self.known(f"{where}.source", record["source"], "spans", "span")
            self.known(f"{where}.target", record["target"], "spans", "span")
            self.known(f"{where}.author", record["author"], "users", "user")
            self.known(f"{where}.reviewed_by", record["reviewed_by"], "users", "user")
            self.check_times(where, record, ["reviewed_at", "created", "modified"])
            ends = [self.keys["spans"].get(record[end]) for end in ("source", "target")]
            if None not in ends and spans[ends[0]]["document"] == spans[ends[1]]["document"]:
                self.error(
                    f"{where}.target", "is in the same document as the source; a link joins two articles."
                )


class _Writer:
    """Writes a checked file, finding every row by its natural key (so a second import changes nothing)."""

    def __init__(self, data):
        self.data = data
        self.summary = ImportSummary()
        self.documents, self.labels, self.speakers, self.users, self.spans = {}, {}, {}, {}, {}

    def write(self):
        self.each("documents", self.document)
        self.each("comparisons", self.comparison)
        self.each("labels", self.label)
        self.each("speakers", self.speaker)
        self.create_users()
        self.each("spans", self.span)
        self.each("annotations", self.annotation)
        self.each("links", self.link)
        return self.summary

    def each(self, section, write):
        for index, record in enumerate(self.data[section]):
            try:
                created = write(record)
            except IntegrityError as error:
                # What the checks cannot see, e.g. a label shortcut taken by a label not in the file.
                raise ImportRefused(f"{section}[{index}]: the database refused it ({error}).") from error
            self.summary.count(section, created)

    def document(self, record):
        fields = {
            name: record[name] for name in ("title", "outlet", "published_note", "url", "language", "text")
        }
        fields["published"] = date.fromisoformat(record["published"]) if record["published"] else None
        fields["text_sha256"] = record["text_sha256"]  # save() recomputes it; update_or_create must write it
        document, created = Document.objects.update_or_create(slug=record["slug"], defaults=fields)
        self.documents[document.slug] = document
        return created

    def comparison(self, record):
        _, created = Comparison.objects.update_or_create(
            slug=record["slug"],
            defaults={
                "title": record["title"],
                "note": record["note"],
                "left": self.documents[record["left"]],
                "right": self.documents[record["right"]],
            },
        )
        return created

    def label(self, record):
        fields = {name: record[name] for name in ("kind", "colour", "shortcut", "description", "position")}
        label, created = Label.objects.update_or_create(name=record["name"], defaults=fields)
        self.labels[label.name] = label
        return created

    def speaker(self, record):
        speaker, created = Speaker.objects.update_or_create(
            name=record["name"],
            defaults={"aliases": "\n".join(record["aliases"]), "description": record["description"]},
        )
        self.speakers[speaker.name] = speaker
        return created

    def create_users(self):
        users = get_user_model()
        self.users = {
            user.get_username(): user for user in users.objects.filter(username__in=self.data["users"])
        }
        for username in self.data["users"]:
            if username not in self.users:
                # Their work comes with the file, but they cannot log in until an admin lets them.
                user = users(username=username, is_active=False)
                user.set_unusable_password()
                user.save()
                self.users[username] = user
                self.summary.new_users.append(username)

    def span(self, record):
        span, created = Span.objects.update_or_create(
            document=self.documents[record["document"]],
            start=record["start"],
            end=record["end"],
            defaults={name: record[name] for name in ("exact", "prefix", "suffix", "orphaned")},
        )
        self.spans[record["key"]] = span
        return created

    def annotation(self, record):
        annotation, created = Annotation.objects.update_or_create(
            span=self.spans[record["span"]],
            label=self.labels[record["label"]],
            author=self.users[record["author"]],
            defaults={
                "speaker": self.speakers[record["speaker"]] if record["speaker"] else None,
                "cue": record["cue"],
                "note": record["note"],
                **self.review(record),
            },
        )
        self.restore_times(Annotation, annotation, record)
        return created

    def link(self, record):
        link, created = Link.objects.update_or_create(
            source=self.spans[record["source"]],
            target=self.spans[record["target"]],
            relation=record["relation"],
            defaults={"note": record["note"], "author": self.users[record["author"]], **self.review(record)},
        )
        self.restore_times(Link, link, record)
        return created

    def review(self, record):
        return {
            "status": record["status"],
            "reviewed_by": self.users[record["reviewed_by"]] if record["reviewed_by"] else None,
            "reviewed_at": _parse_datetime(record["reviewed_at"]),
        }

    @staticmethod
    def restore_times(model, row, record):
        # save() overwrites auto_now_add and auto_now fields whatever they hold; update() does not.
        model.objects.filter(pk=row.pk).update(
            created=_parse_datetime(record["created"]), modified=_parse_datetime(record["modified"])
        )


def import_native(*, raw: bytes | str) -> ImportSummary:
    """Import a native export: all of it, or none of it (ImportRefused says why). Importing the
    same file again changes nothing, since every record is found by its natural key."""
    data = parse_native(raw)
    with transaction.atomic():
        _Checker(data).check()
        return _Writer(data).write()
