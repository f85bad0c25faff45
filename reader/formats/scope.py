"""What an export holds, and the small pieces every streamed format shares.

Exports are generators of str chunks: each section is read with `.iterator()` in batches of
ROWS_PER_QUERY rows, records are encoded a batch at a time and joined into chunks of about
CHUNK_CHARS, so memory does not grow with the number of rows (tests/test_exports.py guards it).
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import DateTimeField, F, Func, Q

from reader.models import (
    Annotation,
    Attribution,
    Comparison,
    Document,
    Label,
    Link,
    Span,
    Speaker,
    span_natural_key,
)

ROWS_PER_QUERY = 2000
CHUNK_CHARS = 64 * 1024  # records are joined into chunks of about this size before they are yielded

span_key = span_natural_key


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_stored(value) -> str | None:
    """`iso` of a time as the database driver hands it over without Django's converters: an
    aware datetime (PostgreSQL), or a naive one or the text Django stores (SQLite, always UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat() + "Z" if value.tzinfo is None else iso(value)
    if isinstance(value, str):
        if len(value) in (19, 26) and value[10] == " ":  # "YYYY-MM-DD HH:MM:SS[.ffffff]", UTC
            return value[:10] + "T" + value[11:] + "Z"
        moment = datetime.fromisoformat(value)
        return iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return iso(value)


class ForEachDocument:
    """A values_list() queryset filtered on one document (`field`), compiled once and run for
    one document after another, its rows as raw_chunks hands them over: on a small project,
    compiling a query costs Django more than the database spends running it."""

    MARK = -2_000_000_001  # no row's id: where the document goes among the compiled parameters

    def __init__(self, queryset, field):
        self.queryset, self.field, self.db = queryset, field, queryset.db
        self.compiled = None

    def _compile(self):
        marked = self.queryset.filter(**{self.field: self.MARK})
        try:
            sql, params = marked.query.get_compiler(using=self.db).as_sql()
        except EmptyResultSet:
            return None, None, None
        params = list(params)
        # Found exactly once, or the query is compiled again for each document.
        at = params.index(self.MARK) if params.count(self.MARK) == 1 else None
        return sql, params, at

    def chunks(self, document, chunk_size):
        if self.compiled is None:
            self.compiled = self._compile()
        sql, params, at = self.compiled
        if sql is None:
            return
        if at is None:
            yield from raw_chunks(self.queryset.filter(**{self.field: document}), chunk_size)
            return
        params = params.copy()
        params[at] = document
        cursor = connections[self.db].chunked_cursor()
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(chunk_size):
                yield rows
        finally:
            cursor.close()


def raw_chunks(queryset, chunk_size):
    """The rows of a values_list() queryset as the driver returns them, in lists of at most
    `chunk_size` (lazy: the query runs when the first is asked for). Django's converters (a
    datetime parsed and made aware, per value) cost half of a large export's time, and the
    presenters need only text (`iso_stored`), so they are skipped."""
    from django.db.models.sql.constants import MULTI

    compiler = queryset.query.get_compiler(using=queryset.db)
    yield from compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk_size) or ()


class Stored(Func):
    """A time column as the database stores it, for `iso_stored`. On SQLite, the stored text:
    Python's sqlite3 module would parse every value of a column declared `datetime` into a
    datetime (Django registers the converter), only for the export to write it back as text
    (100,000 annotations: 1.43 s of CPU with the parsing, 1.03 s without, medians of three);
    an expression has no declared type, so it is left alone. Elsewhere, the column as it is."""

    template = "%(expressions)s"
    output_field = DateTimeField()

    def __init__(self, name):
        super().__init__(F(name))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)", **extra_context)


def parse_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


# ensure_ascii=False keeps texts readable (and the file smaller); the file is UTF-8.
COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value) -> str:
    return COMPACT.encode(value)


def chunked(pieces, size=None):
    """Join small pieces into chunks of about CHUNK_CHARS: one write per record is slow to send."""
    size = size or CHUNK_CHARS
    buffer, length = [], 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


@dataclass(frozen=True)
class Scope:
    """Which rows an export holds: everything, or one comparison's two documents, optionally
    only annotations, attributions and links of one status, or by one annotator (and then only
    the spans they use)."""

    comparison: Comparison | None = None
    status: str | None = None
    # A curator's selection in the admin: these annotations, the links between their
    # spans, and the documents (and comparisons) they need; no attributions.
    annotation_ids: tuple | None = None
    # A user's id: only their annotations, attributions and links (the CSV and brat downloads).
    annotator: int | None = None

    @property
    def _document_ids(self):
        return [self.comparison.left_id, self.comparison.right_id]

    def documents(self):
        documents = Document.objects.all()
        if self.comparison:
            documents = documents.filter(pk__in=self._document_ids)
        if self.annotation_ids is not None:
            documents = documents.filter(pk__in=self.annotations().values("span__document"))
        return documents

    def comparisons(self):
        comparisons = Comparison.objects.all()
        if self.comparison:
            comparisons = comparisons.filter(pk=self.comparison.pk)
        if self.annotation_ids is not None:
            held = self.documents().values("pk")
            comparisons = comparisons.filter(left__in=held, right__in=held)
        return comparisons

    def labels(self):
        # Labels and speakers are shared vocabularies: exported whole, like a codebook.
        return Label.objects.all()

    def speakers(self):
        return Speaker.objects.all()

    def annotations(self):
        annotations = Annotation.objects.all()
        if self.comparison:
            annotations = annotations.filter(span__document__in=self._document_ids)
        if self.status:
            annotations = annotations.filter(status=self.status)
        if self.annotation_ids is not None:
            annotations = annotations.filter(pk__in=self.annotation_ids)
        if self.annotator is not None:
            annotations = annotations.filter(author=self.annotator)
        return annotations

    def attributions(self):
        """Every attribution in scope, machine proposals (undecided, taken or declined) too: the
        native file rebuilds the database. Downloads of the work alone add `.taken()`."""
        attributions = Attribution.objects.all()
        if self.comparison:
            attributions = attributions.filter(document__in=self._document_ids)
        if self.status:
            attributions = attributions.filter(status=self.status)
        if self.annotation_ids is not None:
            attributions = attributions.none()
        if self.annotator is not None:
            attributions = attributions.filter(author=self.annotator)
        return attributions

    def links(self):
        links = Link.objects.all()
        if self.comparison:
            # Both ends inside, or the file would name a span it does not hold.
            links = links.filter(
                source__document__in=self._document_ids, target__document__in=self._document_ids
            )
        if self.status:
            links = links.filter(status=self.status)
        if self.annotation_ids is not None:
            spans = self.annotations().order_by().values("span")
            links = links.filter(source__in=spans, target__in=spans)
        if self.annotator is not None:
            links = links.filter(author=self.annotator)
        return links

    def users(self):
        annotations, links = self.annotations().order_by(), self.links().order_by()
        attributions = self.attributions().order_by()
        used = (
            Q(pk__in=annotations.values("author"))
            | Q(pk__in=annotations.values("reviewed_by"))
            | Q(pk__in=links.values("author"))
            | Q(pk__in=links.values("reviewed_by"))
            | Q(pk__in=attributions.values("author"))
            | Q(pk__in=attributions.values("reviewed_by"))
        )
        return get_user_model().objects.filter(used)

    def spans(self):
        spans = Span.objects.all()
        if self.comparison:
            spans = spans.filter(document__in=self._document_ids)
        if self.status or self.annotation_ids is not None or self.annotator is not None:
            annotations, links = self.annotations().order_by(), self.links().order_by()
            attributions = self.attributions().order_by()
            spans = spans.filter(
                Q(pk__in=annotations.values("span"))
                | Q(pk__in=links.values("source"))
                | Q(pk__in=links.values("target"))
                | Q(pk__in=attributions.values("content"))
                | Q(pk__in=attributions.values("cue"))
                | Q(pk__in=attributions.values("source"))
                | Q(
                    pk__in=Attribution.content_more.through.objects.filter(
                        attribution__in=attributions.values("pk")
                    ).values("span")
                )
            )
        return spans
