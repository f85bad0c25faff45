"""The native export (`close-reader/1`): every section streamed, and the record presenters.

The format names everything by natural key (slugs, names, usernames, "document-slug:start-end"
for a span), never by database id, so a file moves between databases. Editable records carry
their `version` and `modified`, so an import can tell which side is newer. By default the file
is compact (no spaces, one line); `indent` gives what `json.dumps(..., indent=indent)` would.

Rows are read as tuples (`values_list`), not model instances: building 100,000 instances costs
most of the export's time. Ids of documents, labels, speakers and users are turned into names
through small dicts read once per export.
"""

import functools
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from reader import text as textlib
from reader.formats.scope import (
    COMPACT,
    ROWS_PER_QUERY,
    Stored,
    chunked,
    iso,
    iso_stored,
    raw_rows,
    span_key,
)
from reader.models import Attribution, Document, Label, Speaker

FORMAT = "close-reader/1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "close-reader-1.schema.json"
SECTIONS = (
    "documents", "comparisons", "labels", "speakers", "users", "spans", "annotations", "links",
    "attributions",
)  # fmt: skip


@functools.cache
def native_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# --- Record presenters: one row in, one record out -----------------------------------------------

DOCUMENT_COLUMNS = (
    "slug", "title", "outlet", "outlet_note", "published", "published_note", "url", "language", "text",
    "headings", "version", "modified",
)  # fmt: skip


def document_record(row, names=None) -> dict:
    (
        slug,
        title,
        outlet,
        outlet_note,
        published,
        published_note,
        url,
        language,
        text,
        headings,
        version,
        modified,
    ) = row
    return {
        "slug": slug,
        "title": title,
        "outlet": outlet,
        "outlet_note": outlet_note,
        "published": published.isoformat() if published else None,
        "published_note": published_note,
        "url": url,
        "language": language,
        "text": text,
        # Computed afresh: the stored digest could be stale after a queryset update of the text.
        "text_sha256": textlib.sha256(text),
        "headings": headings or [],
        "version": version,
        "modified": iso(modified),
    }


COMPARISON_COLUMNS = ("slug", "title", "left_id", "right_id", "note", "version", "modified")


def comparison_record(row, names) -> dict:
    slug, title, left, right, note, version, modified = row
    return {
        "slug": slug,
        "title": title,
        "left": names.documents[left],
        "right": names.documents[right],
        "note": note,
        "version": version,
        "modified": iso(modified),
    }


LABEL_COLUMNS = ("name", "kind", "colour", "shortcut", "description", "position", "version", "modified")


def label_record(row, names=None) -> dict:
    name, kind, colour, shortcut, description, position, version, modified = row
    return {
        "name": name,
        "kind": kind,
        "colour": colour,
        "shortcut": shortcut,
        "description": description,
        "position": position,
        "version": version,
        "modified": iso(modified),
    }


SPEAKER_COLUMNS = ("name", "kind", "aliases", "description", "version", "modified")


def speaker_record(row, names=None) -> dict:
    name, kind, aliases, description, version, modified = row
    return {
        "name": name,
        "kind": kind,
        "aliases": Speaker(aliases=aliases).alias_list,
        "description": description,
        "version": version,
        "modified": iso(modified),
    }


# A span is named by its key everywhere else; its own record needs no key: it is its
# document, start and end.
SPAN_COLUMNS = ("document_id", "start", "end", "exact", "prefix", "suffix", "orphaned")


def span_record(row, names) -> dict:
    document, start, end, exact, prefix, suffix, orphaned = row
    return {
        "document": names.documents[document],
        "start": start,
        "end": end,
        "exact": exact,
        "prefix": prefix,
        "suffix": suffix,
        "orphaned": bool(orphaned),  # SQLite hands over 0 or 1
    }


# Times as stored (scope.Stored): iso_stored writes them without parsing them first.
REVIEW_COLUMNS = (
    "status",
    "reviewed_by_id",
    Stored("reviewed_at"),
    Stored("created"),
    Stored("modified"),
    "version",
)
ANNOTATION_COLUMNS = (
    "span__document_id", "span__start", "span__end", "label_id", "author_id", "speaker_id", "cue", "note",
    *REVIEW_COLUMNS,
)  # fmt: skip


def annotation_record(row, names) -> dict:
    document, start, end, label, author, speaker, cue, note, *review = row
    return {
        "span": span_key(document_slug=names.documents[document], start=start, end=end),
        "label": names.labels[label],
        "author": names.users[author],
        "speaker": names.speakers[speaker] if speaker else None,
        "cue": cue,
        "note": note,
        **_review(review, names),
    }


LINK_COLUMNS = (
    "source__document_id", "source__start", "source__end", "target__document_id", "target__start",
    "target__end", "relation", "note", "author_id", *REVIEW_COLUMNS,
)  # fmt: skip


def link_record(row, names) -> dict:
    source_document, source_start, source_end, target_document, target_start, target_end, *rest = row
    relation, note, author, *review = rest
    return {
        "source": span_key(
            document_slug=names.documents[source_document], start=source_start, end=source_end
        ),
        "target": span_key(
            document_slug=names.documents[target_document], start=target_start, end=target_end
        ),
        "relation": relation,
        "note": note,
        "author": names.users[author],
        **_review(review, names),
    }


ATTRIBUTION_COLUMNS = (
    "pk", "document_id", "content__start", "content__end", "cue__start", "cue__end", "source__start",
    "source__end", "kind", "speaker_id", "author_id", "origin", "proposal", "note", *REVIEW_COLUMNS,
)  # fmt: skip


def attribution_record(row, names) -> dict:
    """An attribution, named by its content span (one attribution per content); `row` ends with
    the (start, end) of its further content pieces, in text order."""
    _, document, start, end, cue_start, cue_end, source_start, source_end, *rest = row
    kind, speaker, author, origin, proposal, note, *review, more = rest
    slug = names.documents[document]

    def key(start, end):
        return None if start is None else span_key(document_slug=slug, start=start, end=end)

    return {
        "document": slug,
        "content": key(start, end),
        "content_more": [key(*piece) for piece in more],
        "cue": key(cue_start, cue_end),
        "source": key(source_start, source_end),
        "kind": kind,
        "speaker": names.speakers[speaker] if speaker else None,
        "author": names.users[author] if author else None,
        "origin": origin,
        "proposal": proposal,
        "note": note,
        **_review(review, names),
    }


def _review(review, names) -> dict:
    status, reviewer, reviewed_at, created, modified, version = review
    return {
        "status": status,
        "reviewed_by": names.users[reviewer] if reviewer else None,
        "reviewed_at": iso_stored(reviewed_at),
        "created": iso_stored(created),
        "modified": iso_stored(modified),
        "version": version,
    }


class Names:
    """Ids to natural keys, read once per export: documents, labels, speakers and users are few
    beside annotations, so a dict each costs little and spares a join per row."""

    @functools.cached_property
    def documents(self):
        return dict(Document.objects.values_list("pk", "slug"))

    @functools.cached_property
    def labels(self):
        return dict(Label.objects.values_list("pk", "name"))

    @functools.cached_property
    def speakers(self):
        return dict(Speaker.objects.values_list("pk", "name"))

    @functools.cached_property
    def users(self):
        return dict(get_user_model().objects.values_list("pk", "username"))

    def json(self, kind, pk):
        """A name as JSON text ("null" for none), encoded once per name."""
        return self.json_of(kind)[pk]

    def json_of(self, kind):
        """id → the name as JSON text, with None → "null": each name encoded once per export."""
        key = f"_json_{kind}"
        if key not in self.__dict__:
            self.__dict__[key] = {pk: COMPACT.encode(name) for pk, name in getattr(self, kind).items()}
            self.__dict__[key][None] = "null"
        return self.__dict__[key]


def _by_label_and_author(rows, names):
    """Rows of one span (they come together, in span order) sorted by label name and username:
    sorting a span's few annotations here spares the database joining and sorting them all."""
    labels, users = names.labels, names.users

    def by_label_and_author(row):
        return labels[row[3]], users[row[4]]

    group, span = [], None
    for row in rows:
        if row[:3] != span:
            if len(group) > 1:
                group.sort(key=by_label_and_author)
            yield from group
            group, span = [], row[:3]
        group.append(row)
    if len(group) > 1:
        group.sort(key=by_label_and_author)
    yield from group


def _sections(scope, names):
    """(name, rows, presenter) for each section, in the file's order; rows are lazy."""

    def rows(queryset, columns, order, chunk_size=ROWS_PER_QUERY):
        return queryset.order_by(*order).values_list(*columns).iterator(chunk_size=chunk_size)

    def per_document(queryset, document_field, columns, order):
        """The rows of each document in turn, in slug order: within one document the span
        index (document, start, end) gives the order, so the database need not sort them all."""
        for document in Document.objects.order_by("slug").values_list("pk", flat=True):
            ordered = queryset.filter(**{document_field: document}).order_by(*order).values_list(*columns)
            yield from raw_rows(ordered, ROWS_PER_QUERY)

    def attributions():
        """A document's attributions in content order, each with its further pieces appended
        (one query for the pieces of the document's attributions: they are few beside its text)."""
        pieces = Attribution.content_more.through.objects
        for document in Document.objects.order_by("slug").values_list("pk", flat=True):
            here = scope.attributions().filter(document=document)
            more, rows = (
                {},
                list(here.order_by("content__start", "content__end").values_list(*ATTRIBUTION_COLUMNS)),
            )
            if rows:
                found = pieces.filter(attribution__in=here.values("pk")).values_list(
                    "attribution_id", "span__start", "span__end"
                )
                for attribution, start, end in found.order_by("span__start", "span__end"):
                    more.setdefault(attribution, []).append((start, end))
            for row in rows:
                yield (*row, more.get(row[0], []))

    users = scope.users().order_by("username").values_list("username", flat=True)
    return [
        # Documents come a few at a time: a text may be megabytes.
        ("documents", rows(scope.documents(), DOCUMENT_COLUMNS, ["slug"], chunk_size=4), document_record),
        ("comparisons", rows(scope.comparisons(), COMPARISON_COLUMNS, ["slug"]), comparison_record),
        ("labels", rows(scope.labels(), LABEL_COLUMNS, ["position", "name"]), label_record),
        ("speakers", rows(scope.speakers(), SPEAKER_COLUMNS, ["name"]), speaker_record),
        ("users", users.iterator(chunk_size=ROWS_PER_QUERY), None),
        ("spans", per_document(scope.spans(), "document", SPAN_COLUMNS, ["start", "end"]), span_record),
        (
            "annotations",
            _by_label_and_author(
                per_document(
                    scope.annotations(), "span__document", ANNOTATION_COLUMNS, ["span__start", "span__end"]
                ),
                names,
            ),
            annotation_record,
        ),
        (
            "links",
            per_document(
                scope.links(),
                "source__document",
                LINK_COLUMNS,
                [
                    "source__start", "source__end",
                    "target__document__slug", "target__start", "target__end", "relation",
                ],
            ),
            link_record,
        ),
        ("attributions", attributions(), attribution_record),
    ]  # fmt: skip


def _batches(rows, size):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _compact_array(records, batch_size):
    """A JSON array, encoded a batch of records at a time (one call into the C encoder each)."""
    yield "["
    first = True
    for batch in _batches(records, batch_size):
        encoded = COMPACT.encode(batch)[1:-1]
        yield encoded if first else "," + encoded
        first = False
    yield "]"


def _indented_array(records, indent):
    """A JSON array as json.dumps(..., indent=indent) writes it two levels deep."""
    inner = " " * (2 * indent)
    opened = False
    for record in records:
        encoded = json.dumps(record, ensure_ascii=False, indent=indent).replace("\n", "\n" + inner)
        yield (",\n" if opened else "[\n") + inner + encoded
        opened = True
    yield ("\n" + " " * indent + "]") if opened else "[]"


def native_pieces(scope, *, exported=None, indent=None):
    names = Names()
    exported = iso(exported or timezone.now())
    if indent:
        pad = " " * indent
        yield f'{{\n{pad}"format": "{FORMAT}",\n{pad}"exported": "{exported}"'
    else:
        yield f'{{"format":"{FORMAT}","exported":"{exported}"'
    for name, rows, present in _sections(scope, names):
        records = rows if present is None else (present(row, names) for row in rows)
        if indent:
            yield f',\n{pad}"{name}": '
            yield from _indented_array(records, indent)
        elif name in FAST:
            yield f',"{name}":'
            yield from _fast_array(rows, FAST[name], names)
        else:
            yield f',"{name}":'
            # One document at a time: a text may be megabytes.
            yield from _compact_array(records, 1 if name == "documents" else 200)
    yield "\n}\n" if indent else "}\n"


def native_chunks(scope, *, exported=None, indent=None):
    return chunked(native_pieces(scope, exported=exported, indent=indent))


# --- The compact file's large sections, written straight from rows ---------------------------------
# What COMPACT.encode(present(row)) would write, without building a dict per row: names are
# encoded once (Names.json), times and slugs need no escaping, so only free text (quotes,
# contexts, cues, notes) goes through the encoder. tests/test_exports.py checks both agree.

_text = json.encoder.encode_basestring  # the C encoder of a str, as ensure_ascii=False writes it


def _json_time(value):
    if type(value) is str and len(value) == 26 and value[10] == " ":  # SQLite's text, UTC: most times
        return f'"{value[:10]}T{value[11:]}Z"'
    shown = iso_stored(value)
    return "null" if shown is None else f'"{shown}"'


def _span_json(row, names):
    document, start, end, exact, prefix, suffix, orphaned = row
    return (
        f'{{"document":{names.json_of("documents")[document]},"start":{start},"end":{end},'
        f'"exact":{_text(exact)},"prefix":{_text(prefix)},"suffix":{_text(suffix)},'
        f'"orphaned":{"true" if orphaned else "false"}}}'
    )


def _review_json(review, users):
    status, reviewer, reviewed_at, created, modified, version = review
    return (
        f'"status":"{status}","reviewed_by":{users[reviewer]},'
        f'"reviewed_at":{_json_time(reviewed_at)},"created":{_json_time(created)},'
        f'"modified":{_json_time(modified)},"version":{version}}}'
    )


def _annotation_json(row, names):
    document, start, end, label, author, speaker, cue, note, *review = row
    users = names.json_of("users")
    return (
        f'{{"span":"{names.documents[document]}:{start}-{end}","label":{names.json_of("labels")[label]},'
        f'"author":{users[author]},"speaker":{names.json_of("speakers")[speaker]},'
        f'"cue":{_text(cue)},"note":{_text(note)},{_review_json(review, users)}'
    )


def _link_json(row, names):
    source_document, source_start, source_end, target_document, target_start, target_end, *rest = row
    relation, note, author, *review = rest
    users = names.json_of("users")
    return (
        f'{{"source":"{names.documents[source_document]}:{source_start}-{source_end}",'
        f'"target":"{names.documents[target_document]}:{target_start}-{target_end}",'
        f'"relation":"{relation}","note":{_text(note)},"author":{users[author]},'
        f"{_review_json(review, users)}"
    )


FAST = {"spans": _span_json, "annotations": _annotation_json, "links": _link_json}


def _fast_array(rows, write, names):
    yield "["
    first = True
    for batch in _batches(rows, 500):
        encoded = ",".join([write(row, names) for row in batch])
        yield encoded if first else "," + encoded
        first = False
    yield "]"
