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

from django.utils import timezone

from reader import text as textlib
from reader.formats.scope import (
    COMPACT,
    ROWS_PER_QUERY,
    ForEachDocument,
    Stored,
    chunked,
    iso,
    iso_stored,
    span_key,
)
from reader.models import Attribution, Speaker

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


def username_record(row, names=None) -> str:
    return row[0]


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


WRITTEN_ROWS = 500


class Names:
    """Ids to natural keys: documents, labels, speakers and users are few beside annotations, so
    a dict each costs little and spares a join per row. Their sections come first in the file,
    and fill these as they are read (see _sections): the work is named by them alone."""

    def __init__(self):
        self.documents, self.labels, self.speakers, self.users = {}, {}, {}, {}

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


def _by_label_and_author(chunks, names):
    """One document's annotation rows, in chunks as fetched (in span order), with the rows of each
    span sorted by label name and username: sorting a span's few annotations here spares the
    database joining and sorting them all. The rows of a chunk's last span are held back for
    the next chunk, where that span may go on."""
    labels, users = names.labels, names.users

    def by_span_label_and_author(row):
        return row[1], row[2], labels[row[3]], users[row[4]]

    def arranged(rows):
        # Most spans hold one annotation: a chunk is sorted only when one holds more.
        if len({(row[1], row[2]) for row in rows}) < len(rows):
            rows.sort(key=by_span_label_and_author)
        return rows

    held = []
    for chunk in chunks:
        if held:
            chunk = held + chunk
        last, cut = chunk[-1][1:3], len(chunk) - 1
        while cut and chunk[cut - 1][1:3] == last:
            cut -= 1
        held = chunk[cut:]
        if cut:
            yield arranged(chunk[:cut])
    if held:
        yield arranged(held)


def _sections(scope, names):
    """(name, chunks, presenter) for each section, in the file's order: chunks are lists of
    rows, lazy. Documents come one to a chunk (a text may be megabytes)."""

    def rows(queryset, columns, order, chunk_size=ROWS_PER_QUERY, names_of=None):
        """Rows in batches; with `names_of`, the rows start with the id and the name, which go
        into that dict as they pass (and leave the row)."""
        if names_of is None:
            rows = queryset.order_by(*order).values_list(*columns).iterator(chunk_size=chunk_size)
        else:
            rows = _learn(queryset.order_by(*order).values_list("pk", *columns), chunk_size, names_of)
        return _batches(rows, 1 if chunk_size < 200 else 200)

    def per_document(queryset, document_field, columns, order, arrange=None):
        """The rows of each document in turn, in slug order, in chunks as fetched: within one
        document the span index (document, start, end) gives the order, so the database need
        not sort them all."""
        query = ForEachDocument(queryset.order_by(*order).values_list(*columns), document_field)
        for document in names.documents:
            chunks = query.chunks(document, ROWS_PER_QUERY)
            yield from arrange(chunks, names) if arrange else chunks

    def attributions():
        """A document's attributions in content order, each with its further pieces appended
        (one query for the pieces of the document's attributions: they are few beside its text)."""
        ordered = scope.attributions().order_by("content__start", "content__end")
        query = ForEachDocument(ordered.values_list(*ATTRIBUTION_COLUMNS), "document")
        pieces = ForEachDocument(
            Attribution.content_more.through.objects.filter(attribution__in=scope.attributions().values("pk"))
            .order_by("span__start", "span__end")
            .values_list("attribution_id", "span__start", "span__end"),
            "attribution__document",
        )
        for document in names.documents:
            rows = [row for chunk in query.chunks(document, ROWS_PER_QUERY) for row in chunk]
            if not rows:
                continue
            more = {}
            for chunk in pieces.chunks(document, ROWS_PER_QUERY):
                for attribution, start, end in chunk:
                    more.setdefault(attribution, []).append((start, end))
            yield [(*row, more.get(row[0], [])) for row in rows]

    return [
        # Documents come a few at a time: a text may be megabytes.
        (
            "documents",
            rows(scope.documents(), DOCUMENT_COLUMNS, ["slug"], chunk_size=4, names_of=names.documents),
            document_record,
        ),
        ("comparisons", rows(scope.comparisons(), COMPARISON_COLUMNS, ["slug"]), comparison_record),
        (
            "labels",
            rows(scope.labels(), LABEL_COLUMNS, ["position", "name"], names_of=names.labels),
            label_record,
        ),
        (
            "speakers",
            rows(scope.speakers(), SPEAKER_COLUMNS, ["name"], names_of=names.speakers),
            speaker_record,
        ),
        ("users", rows(scope.users(), ["username"], ["username"], names_of=names.users), username_record),
        ("spans", per_document(scope.spans(), "document", SPAN_COLUMNS, ["start", "end"]), span_record),
        (
            "annotations",
            per_document(
                scope.annotations(),
                "span__document",
                ANNOTATION_COLUMNS,
                ["span__start", "span__end"],
                arrange=_by_label_and_author,
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


def _learn(queryset, chunk_size, names_of):
    for pk, *row in queryset.iterator(chunk_size=chunk_size):
        names_of[pk] = row[0]
        yield row


def _batches(rows, size):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _compact_array(chunks, write):
    """A JSON array, written WRITTEN_ROWS rows at a time (`write`: rows → their records, joined
    by commas): a fetched chunk's text whole would hold several times its rows' memory."""
    yield "["
    first = True
    for chunk in chunks:
        for at in range(0, len(chunk), WRITTEN_ROWS):
            encoded = write(chunk[at : at + WRITTEN_ROWS] if len(chunk) > WRITTEN_ROWS else chunk)
            yield encoded if first else "," + encoded
            first = False
    yield "]"


def _encoder(present, names):
    """rows → their records, joined by commas: one call into the C encoder a chunk."""
    if present is None:
        return lambda rows: COMPACT.encode(rows)[1:-1]
    return lambda rows: COMPACT.encode([present(row, names) for row in rows])[1:-1]


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
    for name, chunks, present in _sections(scope, names):
        if indent:
            rows = (row for chunk in chunks for row in chunk)
            yield f',\n{pad}"{name}": '
            yield from _indented_array(
                rows if present is None else (present(row, names) for row in rows), indent
            )
        else:
            yield f',"{name}":'
            yield from _compact_array(chunks, FAST[name](names) if name in FAST else _encoder(present, names))
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


def _span_writer(names):
    documents = names.json_of("documents")

    def write(rows):
        return ",".join(
            [
                f'{{"document":{documents[document]},"start":{start},"end":{end},"exact":{_text(exact)},'
                f'"prefix":{_text(prefix)},"suffix":{_text(suffix)},'
                f'"orphaned":{"true" if orphaned else "false"}}}'
                for document, start, end, exact, prefix, suffix, orphaned in rows
            ]
        )

    return write


def _annotation_writer(names):
    documents, labels = names.documents, names.json_of("labels")
    users, speakers = names.json_of("users"), names.json_of("speakers")

    def write(rows):
        return ",".join(
            [
                f'{{"span":"{documents[document]}:{start}-{end}","label":{labels[label]},'
                f'"author":{users[author]},"speaker":{speakers[speaker]},"cue":{_text(cue)},'
                f'"note":{_text(note)},"status":"{status}","reviewed_by":{users[reviewer]},'
                f'"reviewed_at":{_json_time(reviewed_at)},"created":{_json_time(created)},'
                f'"modified":{_json_time(modified)},"version":{version}}}'
                for (
                    document, start, end, label, author, speaker, cue, note,
                    status, reviewer, reviewed_at, created, modified, version,
                ) in rows
            ]
        )  # fmt: skip

    return write


def _link_writer(names):
    documents, users = names.documents, names.json_of("users")

    def write(rows):
        return ",".join(
            [
                f'{{"source":"{documents[source_document]}:{source_start}-{source_end}",'
                f'"target":"{documents[target_document]}:{target_start}-{target_end}",'
                f'"relation":"{relation}","note":{_text(note)},"author":{users[author]},'
                f'"status":"{status}","reviewed_by":{users[reviewer]},'
                f'"reviewed_at":{_json_time(reviewed_at)},"created":{_json_time(created)},'
                f'"modified":{_json_time(modified)},"version":{version}}}'
                for (
                    source_document, source_start, source_end, target_document, target_start, target_end,
                    relation, note, author, status, reviewer, reviewed_at, created, modified, version,
                ) in rows
            ]
        )  # fmt: skip

    return write


# section → names → a function of a chunk of rows: their records, joined by commas
FAST = {"spans": _span_writer, "annotations": _annotation_writer, "links": _link_writer}
