"""Imports: check every record, compare it with what is here, write what the file adds or
changes, in one transaction: a file is taken whole or refused whole (ImportRefused says why,
naming record and field; nothing is written).

Reading streams: `jsonstream` hands over one record at a time, each is checked against its
section's sub-schema (`schemacheck`, jsonschema only for the messages of a bad record) and by
the checks a schema cannot make, then written in batches (`BATCH` records: existing rows are
looked up by natural key in one query per batch, new ones inserted a few hundred to a statement).
So memory holds a batch, the natural keys seen so far and the texts of the file's documents,
not the file; only a file of at most WHOLE_FILE_BYTES is read (and its sections decoded) whole.

Comparing, record by record (the rules the README states):
- new: added (unless its natural key is in `Deletion` with a deletion time after the record's
  `modified`: then it is a conflict, "deleted here on …", and is not added);
- identical: left alone, not even `modified` is touched;
- different: the newer side wins, by `version` when the file has one (and `modified` when the
  versions are equal), else by `modified`; a tie keeps what is here. When the database wins,
  each differing field is a conflict, listed by record and field. A review (status, reviewer,
  time) is compared on its own: the later `reviewed_at` wins; a side that was never reviewed
  wins only when its version is newer (a review may have been reset to pending).
- a speaker whose name is now another speaker's alias (they were merged) resolves to that
  speaker, and is reported, never created again.
`overwrite=True` lets the file win everywhere (and brings deleted records back).

Attributions are named by their content span (there is one attribution per content span): the
one here with the same content is the same attribution, compared as above (its further pieces as
one field). Each of its spans must be in the file and in the attribution's document. Deleting an
attribution leaves no `Deletion` record, so an older file brings a deleted attribution back.
Files made before attributions (and speaker kinds) existed import as they are.
"""

import gc
import json
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from itertools import chain

import jsonschema
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from reader import text as textlib
from reader.formats import jsonstream, native
from reader.formats.schemacheck import compile_check
from reader.formats.scope import iso, span_key
from reader.models import (
    Annotation,
    Attribution,
    Comparison,
    Deletion,
    Document,
    Label,
    Link,
    Span,
    Speaker,
    SpeakerName,
)

MAX_REPORTED_ERRORS = 10
MAX_LISTED = 50  # conflicts (and, for W3C files, annotations not anchored) listed in a summary
BATCH = 1000
# A file up to this size is read at once and its sections decoded whole (jsonstream), which takes
# about half the time of item by item; larger ones stream, so memory holds a batch, not the file.
# Under the 5 MB over which an upload imports in the background, whose progress counts bytes read.
WHOLE_FILE_BYTES = 4 * 1024 * 1024
ROWS_PER_INSERT = 500  # at most; fewer where the backend takes fewer parameters (SQLite: 999)
SECTIONS = native.SECTIONS
COUNTED = ("documents", "comparisons", "labels", "speakers", "spans", "annotations", "links", "attributions")
REVIEW_COLUMNS = ("status", "reviewed_by_id", "reviewed_at")
SURROGATE = re.compile("[\ud800-\udfff]")


class ImportRefused(Exception):
    """The file was refused as a whole and nothing was written; the message says where and why."""

    def __init__(self, message):
        # A message may quote a lone surrogate from the file, which no encoder would write.
        super().__init__(message.encode("utf-8", "backslashreplace").decode("utf-8"))


# --- The summary -------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    counts: dict = field(default_factory=dict)  # section → {added, unchanged, updated, conflicts}
    conflicts: list = field(default_factory=list)  # the first MAX_LISTED, by record and field
    conflict_count: int = 0
    overwrite: bool = False
    new_users: list = field(default_factory=list)
    new_labels: list = field(default_factory=list)
    unanchored: list = field(default_factory=list)  # W3C: what could not be anchored, and why
    unanchored_count: int = 0
    sections: tuple = COUNTED

    def count(self, section, outcome, n=1):
        counts = self.counts.setdefault(
            section, dict.fromkeys(("added", "unchanged", "updated", "conflicts"), 0)
        )
        counts[outcome] += n

    def conflict(self, line):
        self.conflict_count += 1
        if len(self.conflicts) < MAX_LISTED:
            self.conflicts.append(line)

    def not_anchored(self, line):
        self.unanchored_count += 1
        if len(self.unanchored) < MAX_LISTED:
            self.unanchored.append(line)

    def total(self, outcome):
        return sum(counts[outcome] for counts in self.counts.values())

    def section_lines(self):
        lines = []
        for name in self.sections:
            c = self.counts.get(name, dict.fromkeys(("added", "unchanged", "updated", "conflicts"), 0))
            lines.append(
                f"{name}: {c['added']} added, {c['unchanged']} left alone, {c['updated']} updated, "
                f"{c['conflicts']} in conflict"
            )
        return lines

    @property
    def conflict_heading(self):
        if self.overwrite:
            return (
                f"{self.conflict_count} record(s) where what is here was newer or deleted: "
                "the file won (overwrite)."
            )
        return (
            f"{self.conflict_count} conflict(s): what is here is newer (or was deleted or merged here), "
            "so it was kept. To let the file win, import again with --overwrite "
            "(on the web: “Let the file win over newer data here”)."
        )

    def lines(self) -> list[str]:
        lines = self.section_lines()
        if self.conflict_count:
            lines.append(self.conflict_heading)
            lines.extend(f"  {line}" for line in self.conflicts)
            if self.conflict_count > len(self.conflicts):
                lines.append(f"  …and {self.conflict_count - len(self.conflicts)} more.")
        if self.unanchored_count:
            lines.append(
                f"{self.unanchored_count} annotation(s) could not be anchored and were not imported:"
            )
            lines.extend(f"  {line}" for line in self.unanchored)
            if self.unanchored_count > len(self.unanchored):
                lines.append(f"  …and {self.unanchored_count - len(self.unanchored)} more.")
        if self.new_labels:
            lines.append(
                f"Created {len(self.new_labels)} label(s) of kind “other” for new tags: "
                + ", ".join(self.new_labels)
            )
        if self.new_users:
            lines.append(
                f"Created {len(self.new_users)} inactive user(s) with unusable passwords "
                f"(an admin can activate them): {', '.join(self.new_users)}"
            )
        return lines

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "sections"} | {
            "sections": list(self.sections)
        }

    @classmethod
    def from_dict(cls, data) -> "ImportSummary":
        return cls(**{**data, "sections": tuple(data.get("sections", COUNTED))})


# --- Checking one record ------------------------------------------------------------------------


class Errors:
    """The reasons to refuse, in file order; the first MAX_REPORTED_ERRORS are kept."""

    def __init__(self):
        self.shown, self.count = [], 0

    def add(self, where, message):
        self.count += 1
        if len(self.shown) < MAX_REPORTED_ERRORS:
            self.shown.append(f"{where}: {message}")

    def __bool__(self):
        return self.count > 0

    def refuse(self):
        more = self.count - len(self.shown)
        raise ImportRefused("\n".join([*self.shown, f"…and {more} more."] if more else self.shown))


def _shorten(message, limit=300):
    # jsonschema quotes the offending value, which may be a whole article.
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _whole_number(checker, instance):
    return type(instance) is int


# The fast check takes JSON's 1.0 for a number, not an integer (it decodes as a float, which the
# database would take as it is); jsonschema takes it for an integer. Judged alike, a record the
# fast check refuses always gets a message, and is never left out without one.
Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _whole_number),
)


class _Messages:
    """A jsonschema validator made when first asked for: only a bad record needs one."""

    def __init__(self, schema):
        self.schema = schema

    def __getattr__(self, name):
        validator = self.__dict__.get("_validator")
        if validator is None:
            validator = self.__dict__["_validator"] = Validator(self.schema)
        return getattr(validator, name)


SECTION_DEFINITIONS = {
    "documents": "document",
    "comparisons": "comparison",
    "labels": "label",
    "speakers": "speaker",
    "users": "username",
    "spans": "span",
    "annotations": "annotation",
    "links": "link",
    "attributions": "attribution",
}


@cache
def _native_schema():
    return native.native_schema()  # read only here


@cache
def _section_check(section):
    """The fast yes/no check of a section's records and the jsonschema validator for their
    messages, compiled when a file first holds a record of the section."""
    defs = _native_schema()["$defs"]
    sub = {"$ref": f"#/$defs/{SECTION_DEFINITIONS[section]}", "$defs": defs}
    return compile_check(sub, defs), _Messages(sub)


def _section_checks():
    """section → (fast yes/no check, jsonschema validator for the messages)."""
    return {section: _section_check(section) for section in SECTION_DEFINITIONS}


@cache
def _head_checks():
    schema = _native_schema()
    # The head holds [] for each section, whose records are checked one at a time: its fast
    # check leaves out their schemas (compiling them all again costs more than the check).
    properties = {
        name: {key: value for key, value in sub.items() if not (name in SECTIONS and key == "items")}
        for name, sub in schema["properties"].items()
    }
    return compile_check({**schema, "properties": properties}, schema["$defs"]), _Messages(schema)


def _path(parts):
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def _schema_message(error):
    if error.validator == "maxLength" and isinstance(error.instance, str):
        name = error.absolute_path[-1] if error.absolute_path else ""
        what = {"note": "a note", "description": "a description"}.get(name, "this field")
        return (
            f"is {len(error.instance):,} characters long; {what} may be at most {error.validator_value:,} "
            "characters."
        )
    return _shorten(error.message)


def _order(error):
    # Sorting by path reports problems in field order; ints and strs never meet at one depth.
    return [(0, part) if isinstance(part, int) else (1, part) for part in error.absolute_path]


def schema_errors(validator, value):
    """(path, message) of every way `value` fails `validator`'s schema, in order."""
    return [
        (_path(e.absolute_path), _schema_message(e)) for e in sorted(validator.iter_errors(value), key=_order)
    ]


def bad_strings(value, path=""):
    """(path, message) for each string holding a NUL or a lone surrogate: the database (or the
    encoder writing a page) refuses both."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path, "holds a NUL character (\\u0000), which text may not contain."
        elif (found := SURROGATE.search(value)) is not None:
            code = f"\\u{ord(found.group()):04x}"
            yield path, f"holds a lone surrogate ({code}), half of a UTF-16 pair, which is not text."
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from bad_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from bad_strings(item, f"{path}[{index}]")


URL = URLValidator(schemes=["http", "https"])


def url_problem(url):
    if not url:
        return None
    try:
        URL(url)
    except ValidationError:
        return f"{url!r} is not an http or https address."
    return None


def text_problem(text):
    """What the new-comparison form would say about an article's text, or None."""
    if not text.strip():
        return "is empty or only whitespace."
    size = len(text.encode("utf-8"))
    if size > settings.MAX_DOCUMENT_BYTES:
        return (
            f"is {size / (1024 * 1024):.1f} MB of UTF-8; an article may be at most "
            f"{settings.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB."
        )
    return None


def time_problem(value):
    try:
        parse_time(value)
    except ValueError:
        return f"{value!r} is not a valid date and time."
    return None


def parse_time(value):
    return None if value is None else datetime.fromisoformat(value)


def _show(value):
    if isinstance(value, datetime):
        value = iso(value)
    elif isinstance(value, date):
        value = value.isoformat()
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 80 else shown[:78] + '…"'


def _real_times(created, modified, reviewed_at):
    """Whether these times of a record are real (what NativeImport.times finds no fault with)."""
    try:
        datetime.fromisoformat(created)
        datetime.fromisoformat(modified)
        if reviewed_at is not None:
            datetime.fromisoformat(reviewed_at)
    except ValueError:
        return False
    return True


def _span_parts(key):
    slug, _, offsets = key.rpartition(":")
    start, _, end = offsets.partition("-")
    return slug, int(start), int(end)


# --- Comparing and writing ----------------------------------------------------------------------


def _insert(model, names, rows, returning=()):
    """Insert rows of database-ready values (`_db_time` for times), as many to a statement as
    the backend takes parameters for. Returns, where the backend can say
    (`can_return_rows_from_bulk_insert`: PostgreSQL, SQLite 3.35+), the `returning` columns of
    each row inserted, in no particular order; else None.

    Not bulk_create: building a model instance and compiling each of its values costs about
    three quarters of a 100,000-annotation import; and bulk_create (like save()) stamps
    `created` and `modified` with the current time, where an import keeps the file's. Not
    executemany: one statement of a hundred rows costs a fifth less than a hundred statements,
    and can hand back the ids. The SQL is built from the model's own table and column names,
    quoted by the backend."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    field = model._meta.get_field
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(field(name).column) for name in names)}) VALUES "
    )
    back = bool(returning) and connection.features.can_return_rows_from_bulk_insert
    tail = f" RETURNING {', '.join(quote(field(name).column) for name in returning)}" if back else ""
    per = max(1, min(ROWS_PER_INSERT, connection.ops.bulk_batch_size(names, rows)))
    found = []
    with connection.cursor() as cursor:
        execute, placeholder = _driver_execute(cursor)
        values = f"({', '.join([placeholder] * len(names))})"
        for first in range(0, len(rows), per):
            chunk = rows[first : first + per]
            execute(head + ", ".join([values] * len(chunk)) + tail, list(chain.from_iterable(chunk)))
            if back:
                found.extend(cursor.fetchall())
    return found if back else None


def _driver_execute(cursor):
    """A function (sql, params) and the placeholder its SQL is written with. On SQLite, Django's
    cursor rewrites each %s as ? with a regular expression, about 150 µs for a statement of 1,000
    values (7 ms of the 2,000-annotation import): there, SQL written with ? goes straight to the
    driver's cursor (its errors still raised as Django's, but not logged with connection.queries
    under DEBUG). Elsewhere %s is the driver's own placeholder, and Django's cursor is used."""
    if connection.vendor != "sqlite":
        return cursor.execute, "%s"
    driver, execute = cursor.cursor, sqlite3.Cursor.execute

    def execute_qmark(sql, params):
        with connection.wrap_database_errors:
            return execute(driver, sql, params)

    return execute_qmark, "?"


def _db_time(moment):
    """A datetime as the backend stores it (what the ORM would hand the driver)."""
    return None if moment is None else connection.ops.adapt_datetimefield_value(moment)


PROBE = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def _file_time_adapter():
    """A function from a file's time (ISO 8601 text) to what the backend stores. Where the
    backend stores UTC times as text (SQLite), the usual "…T04:05:06.789012Z" is rewritten as
    such without parsing it; anything else is parsed and adapted as the ORM would."""

    def adapt(text):
        return None if text is None else connection.ops.adapt_datetimefield_value(parse_time(text))

    if connection.ops.adapt_datetimefield_value(PROBE) != "2001-02-03 04:05:06.789012":
        return adapt

    def rewrite(text):
        # 27 characters: six digits of microseconds, which str(datetime) writes unless all zero.
        if text is not None and len(text) == 27 and text[26] == "Z" and text[20:26] != "000000":
            return f"{text[:10]} {text[11:26]}"
        if text is not None and len(text) == 20 and text[19] == "Z":
            return f"{text[:10]} {text[11:19]}"
        return adapt(text)

    return rewrite


def file_is_newer(here, record):
    version = record.get("version")
    if version is not None and version != here["version"]:
        return version > here["version"]
    modified = parse_time(record.get("modified"))
    return modified is not None and modified > here["modified"]


def review_from_file(here, record):
    """Whose review stands: the later one; a side never reviewed only if its version is newer."""
    ours, theirs = here["reviewed_at"], parse_time(record.get("reviewed_at"))
    if ours and theirs:
        return theirs > ours
    version = record.get("version")
    if theirs:
        return version is None or version >= here["version"]
    if ours:
        return version is not None and version > here["version"]
    return file_is_newer(here, record)


class Writer:
    """Compares each checked record with the row of the same natural key and writes what wins."""

    def __init__(self, *, summary, errors, overwrite):
        self.summary, self.errors, self.overwrite = summary, errors, overwrite
        self.documents = {}  # slug → id; None when the file's document was deleted here
        self.labels = None  # name → id
        self.speakers = {}  # name in the file → id here; None when deleted here
        self.users = {}  # username → id
        self.spans = {}  # document id → {(start, end): span id}
        self.span_pks = {}  # span key in the file ("slug:start-end") → span id
        self.new_spans, self.referenced, self.kept = set(), set(), set()
        self.now = timezone.now()
        self.now_db = _db_time(self.now)
        self.db_time = _file_time_adapter()

    # -- shared rules

    def merge(self, model, section, where, key, here, theirs, record):
        """Compare `theirs` (the file's values) with `here` (the row's, by the same column names)
        and write what wins; report each field where what is here wins (or, with overwrite, lost).
        Returns the names of the fields written."""
        differing = [name for name in theirs if here[name] != theirs[name]]
        if not differing:
            self.summary.count(section, "unchanged")
            return []
        content = [name for name in differing if name not in REVIEW_COLUMNS]
        review = [name for name in differing if name in REVIEW_COLUMNS]
        newer = (content if content and file_is_newer(here, record) else []) + (
            review if review and review_from_file(here, record) else []
        )
        older = [name for name in differing if name not in newer]
        take = differing if self.overwrite else newer
        if take:
            values = {name: theirs[name] for name in take}
            values["version"] = max(here["version"] + 1, record.get("version") or 0)
            if any(name not in REVIEW_COLUMNS for name in take) and "modified" in here:
                values["modified"] = parse_time(record.get("modified")) or timezone.now()
            if "content_more" in values:  # an attribution's further pieces: rows of their own
                self.set_more(here["pk"], values.pop("content_more"))
            model.objects.filter(pk=here["pk"]).update(**values)
        for line in self._conflict_lines(where, key, here, theirs, older):
            self.summary.conflict(line)
        self.summary.count(section, "conflicts" if older and not self.overwrite else "updated")
        return take

    def _conflict_lines(self, where, key, here, theirs, names):
        lines = []
        for name in names:
            if name in ("reviewed_by_id", "reviewed_at") and "status" in names:
                continue  # told with the status
            shown_here, shown_file = self.show(name, here[name]), self.show(name, theirs[name])
            if name == "status":
                shown_here += _reviewed(self.username(here["reviewed_by_id"]), here["reviewed_at"])
                shown_file += _reviewed(
                    self.username(theirs.get("reviewed_by_id")), theirs.get("reviewed_at")
                )
            suffix = " (overwritten)" if self.overwrite else ""
            lines.append(
                f"{where} ({key}): {name.removesuffix('_id')}: here {shown_here}, file {shown_file}{suffix}"
            )
        return lines

    def show(self, name, value):
        if name in ("author_id", "reviewed_by_id"):
            value = self.username(value)
        elif name == "speaker_id":
            value = self.speaker_name(value)
        elif name in ("cue_id", "source_id"):
            value = self.span_name(value)
        elif name == "content_more":
            value = [self.span_name(pk) for pk in value]
        return _show(value)

    def span_name(self, pk):
        """A span's natural key, for a conflict line."""
        if pk is None:
            return None
        names = self.__dict__.setdefault("_span_names", {})
        if pk not in names:
            slug, start, end = Span.objects.filter(pk=pk).values_list("document__slug", "start", "end").get()
            names[pk] = span_key(document_slug=slug, start=start, end=end)
        return names[pk]

    def username(self, pk):
        if pk is None:
            return None
        names = getattr(self, "_usernames", None)
        if names is None or pk not in names:
            names = self._usernames = {v: k for k, v in self.users.items()}
            if pk not in names:
                names[pk] = get_user_model().objects.filter(pk=pk).values_list("username", flat=True).first()
        return names[pk]

    def speaker_name(self, pk):
        if pk is None:
            return None
        self.load_speakers()
        return self._speaker_by_id.get(pk)

    def deleted(self, section, where, key, deletion, record):
        """True when `deletion` (kind, key, deleted, by) keeps the record out; reports it."""
        if deletion is None:
            return False
        modified = parse_time(record.get("modified"))
        if modified is not None and modified > deletion["deleted"]:
            return False  # edited after the deletion: the record is newer
        by = f" by {deletion['deleted_by__username']}" if deletion["deleted_by__username"] else ""
        when = iso(deletion["deleted"])
        if self.overwrite:
            Deletion.objects.filter(kind=deletion["kind"], key=deletion["key"]).delete()
            self.summary.conflict(f"{where} ({key}): deleted here on {when}{by}; added again (overwrite)")
            return False
        self.summary.conflict(f"{where} ({key}): deleted here on {when}{by}; not added again")
        self.summary.count(section, "conflicts")
        return True

    def ever_deleted(self, kind):
        """Whether anything of this kind was ever deleted here (not in a new database): else no
        record of it needs its deletion key."""
        known = self.__dict__.get("_deleted_kinds")
        if known is None:  # one query for every kind
            known = self._deleted_kinds = set(Deletion.objects.values_list("kind", flat=True).distinct())
        return kind in known

    def deletions(self, kind, keys):
        """The deletions here of these natural keys (none asked for when nothing of that kind
        was ever deleted, as in a new database)."""
        if not self.ever_deleted(kind):
            return {}
        keys = list(keys)
        if not keys:
            return {}
        return {
            row["key"]: row
            for row in Deletion.objects.filter(kind=kind, key__in=list(keys)).values(
                "kind", "key", "deleted", "deleted_by__username"
            )
        }

    @staticmethod
    def stamp(model, pk, record):
        """Give a created row the file's version and modified time (save() stamps now)."""
        values = {}
        if record.get("version") is not None:
            values["version"] = record["version"]
        if record.get("modified") is not None:
            values["modified"] = parse_time(record["modified"])
        if values:
            model.objects.filter(pk=pk).update(**values)

    # -- documents, comparisons, labels, speakers: few, one at a time

    DOCUMENT_FIELDS = ("title", "outlet", "published", "published_note", "url", "language")
    # Newer fields, absent from older files: compared only when the file has them.
    DOCUMENT_OPTIONAL = ("outlet_note", "headings")

    def document(self, where, record):
        slug = record["slug"]
        theirs = {name: record[name] for name in self.DOCUMENT_FIELDS}
        theirs.update({name: record[name] for name in self.DOCUMENT_OPTIONAL if name in record})
        theirs["published"] = date.fromisoformat(record["published"]) if record["published"] else None
        here = (
            Document.objects.filter(slug=slug)
            .values("pk", "text", "version", "modified", *self.DOCUMENT_FIELDS, *self.DOCUMENT_OPTIONAL)
            .first()
        )
        if here is not None:
            if here["text"] != record["text"]:
                self.errors.add(
                    f"{where}.text",
                    f"differs from the text of the document {slug!r} already here, so its spans would not "
                    "fit; edit that document's text first, or import this one under another slug.",
                )
                return
            self.documents[slug] = here["pk"]
            self.merge(Document, "documents", where, slug, here, theirs, record)
            return
        deletion = self.deletions(Deletion.Kind.DOCUMENT, [slug]).get(slug)
        if self.deleted("documents", where, slug, deletion, record):
            self.documents[slug] = None
            return
        document = Document(slug=slug, text=record["text"], **theirs)
        document.save()
        self.stamp(Document, document.pk, record)
        self.documents[slug] = document.pk
        self.spans[document.pk] = {}  # a new document has no spans yet: no need to ask
        self.summary.count("documents", "added")

    def comparison(self, where, record):
        slug = record["slug"]
        missing = [record[end] for end in ("left", "right") if self.documents.get(record[end]) is None]
        if missing:
            self.summary.conflict(
                f"{where} ({slug}): its document {missing[0]!r} was deleted here; not added"
            )
            self.summary.count("comparisons", "conflicts")
            return
        theirs = {
            "title": record["title"],
            "note": record["note"],
            "left_id": self.documents[record["left"]],
            "right_id": self.documents[record["right"]],
        }
        here = (
            Comparison.objects.filter(slug=slug)
            .values("pk", "title", "note", "left_id", "right_id", "version", "modified")
            .first()
        )
        if here is not None:
            self.merge(Comparison, "comparisons", where, slug, here, theirs, record)
            return
        comparison = Comparison(
            slug=slug,
            title=record["title"],
            note=record["note"],
            left_id=self.documents[record["left"]],
            right_id=self.documents[record["right"]],
        )
        comparison.save()
        self.stamp(Comparison, comparison.pk, record)
        self.summary.count("comparisons", "added")

    LABEL_FIELDS = ("kind", "colour", "shortcut", "description", "position")

    def label(self, where, record):
        if self.labels is None:
            self.labels = {
                row["name"]: row
                for row in Label.objects.values("pk", "name", "version", "modified", *self.LABEL_FIELDS)
            }
        name = record["name"]
        theirs = {field_name: record[field_name] for field_name in self.LABEL_FIELDS}
        theirs["shortcut"] = theirs["shortcut"].lower()  # Label.save() lowercases it
        here = self.labels.get(name)
        if theirs["shortcut"] and (here is None or here["shortcut"] != theirs["shortcut"]):
            holder = next(
                (row["name"] for row in self.labels.values() if row["shortcut"] == theirs["shortcut"]), None
            )
            if holder is not None and holder != name:
                self.errors.add(
                    f"{where}.shortcut",
                    f"{theirs['shortcut']!r} is already the shortcut of the label {holder!r} here; "
                    "change one of them first.",
                )
                return
        if here is not None and all(here[field_name] == value for field_name, value in theirs.items()):
            self.summary.count("labels", "unchanged")  # as merge() would, without a savepoint
            return
        try:
            with transaction.atomic():
                if here is not None:
                    self.merge(Label, "labels", where, name, here, theirs, record)
                else:
                    label = Label(name=name, **theirs)
                    label.save()
                    self.stamp(Label, label.pk, record)
                    self.labels[name] = {"pk": label.pk, "name": name, **theirs}
                    self.summary.count("labels", "added")
        except IntegrityError as error:
            self.errors.add(where, f"the database refused it ({error}).")

    def label_id(self, name):
        if self.labels is None:
            self.labels = {
                row["name"]: row
                for row in Label.objects.values("pk", "name", "version", "modified", *self.LABEL_FIELDS)
            }
        return self.labels[name]["pk"]

    def load_speakers(self):
        if getattr(self, "_speaker_rows", None) is None:
            rows = list(
                Speaker.objects.values("pk", "name", "kind", "aliases", "description", "version", "modified")
            )
            self._speaker_rows = {row["name"]: row for row in rows}
            self._speaker_by_id = {row["pk"]: row["name"] for row in rows}
            self._speaker_names = {}
            for row in rows:
                for name in [row["name"], *Speaker(aliases=row["aliases"]).alias_list]:
                    self._speaker_names.setdefault(name.casefold(), row)
        return self._speaker_rows

    def speaker(self, where, record):
        rows = self.load_speakers()
        name = record["name"]
        theirs = {"aliases": record["aliases"], "description": record["description"]}
        if "kind" in record:  # files made before speakers had a kind leave it as it is here
            theirs["kind"] = record["kind"]
        here = rows.get(name)
        if here is not None:
            self.speakers[name] = here["pk"]
            here = {**here, "aliases": "\n".join(Speaker(aliases=here["aliases"]).alias_list)}
            theirs["aliases"] = "\n".join(record["aliases"])
            if "aliases" in self.merge(Speaker, "speakers", where, name, here, theirs, record):
                SpeakerName.objects.index([here["pk"]])
            return
        owner = self._speaker_names.get(name.casefold())
        if owner is not None:
            self.speakers[name] = owner["pk"]
            how = "is named" if owner["name"].casefold() == name.casefold() else "was merged into"
            self.summary.conflict(
                f"{where} ({name}): {how} {owner['name']!r} here; what names it goes to {owner['name']!r}"
            )
            self.summary.count("speakers", "conflicts")
            return
        deletion = self.deletions(Deletion.Kind.SPEAKER, [name]).get(name)
        if self.deleted("speakers", where, name, deletion, record):
            self.speakers[name] = None
            return
        speaker = Speaker(
            name=name,
            kind=record.get("kind", Speaker.Kind.PERSON),
            aliases="\n".join(record["aliases"]),
            description=record["description"],
        )
        speaker.save()
        self.stamp(Speaker, speaker.pk, record)
        self.speakers[name] = speaker.pk
        self._speaker_by_id[speaker.pk] = name
        self._speaker_names.setdefault(name.casefold(), {"pk": speaker.pk, "name": name})
        self.summary.count("speakers", "added")

    def speaker_here(self, name):
        """The id of the speaker here a W3C body names (by name or alias), or None."""
        self.load_speakers()
        row = self._speaker_rows.get(name) or self._speaker_names.get(name.casefold())
        return row["pk"] if row else None

    def users_batch(self, usernames):
        users = get_user_model()
        wanted = [name for name in usernames if name not in self.users]
        found = dict(users.objects.filter(username__in=wanted).values_list("username", "pk"))
        self.users.update(found)
        missing = [name for name in dict.fromkeys(wanted) if name not in found]
        if missing:
            # Their work comes with the file, but they cannot log in until an admin lets them.
            made = users.objects.bulk_create(
                [users(username=name, is_active=False, password=make_password(None)) for name in missing]
            )
            if all(user.pk is not None for user in made):  # where the insert returns their ids
                self.users.update((user.username, user.pk) for user in made)
            else:
                self.users.update(users.objects.filter(username__in=missing).values_list("username", "pk"))
            self.summary.new_users.extend(missing)

    # -- spans, annotations, links: many, a batch at a time

    def span_ids(self, document):
        if document not in self.spans:
            self.spans[document] = {
                (start, end): pk
                for pk, start, end in Span.objects.filter(document=document).values_list("pk", "start", "end")
            }
        return self.spans[document]

    SPAN_FIELDS = ("exact", "prefix", "suffix", "orphaned")

    def spans_batch(self, batch):
        existing, new, new_keys = [], [], {}
        documents, span_pks, now, spans = self.documents, self.span_pks, self.now_db, self.spans
        for where, record in batch:
            slug, start, end = record["document"], record["start"], record["end"]
            document = documents.get(slug)
            key = span_key(document_slug=slug, start=start, end=end)
            if document is None:
                self.summary.conflict(f"{where} ({key}): its document was deleted here; not added")
                self.summary.count("spans", "conflicts")
                continue
            pk = (spans[document] if document in spans else self.span_ids(document)).get((start, end))
            if pk is None:
                new.append(
                    (
                        document,
                        start,
                        end,
                        record["exact"],
                        record["prefix"],
                        record["suffix"],
                        record["orphaned"],
                        now,
                    )
                )
                new_keys[document, start, end] = key
            else:
                span_pks[key] = pk
                existing.append((where, key, pk, record))
        if existing:
            rows = Span.objects.in_bulk([pk for _, _, pk, _ in existing])
            for where, key, pk, record in existing:
                here = {name: getattr(rows[pk], name) for name in self.SPAN_FIELDS}
                differing = [name for name in self.SPAN_FIELDS if here[name] != record[name]]
                if not differing:
                    self.summary.count("spans", "unchanged")
                elif self.overwrite:
                    Span.objects.filter(pk=pk).update(**{name: record[name] for name in differing})
                    self.summary.count("spans", "updated")
                else:
                    # Spans have no version: the span here stays as it is.
                    for name in differing:
                        self.summary.conflict(
                            f"{where} ({key}): {name}: here {_show(here[name])}, file {_show(record[name])}"
                        )
                    self.summary.count("spans", "conflicts")
        if new:
            made = _insert(
                Span,
                ["document", "start", "end", *self.SPAN_FIELDS, "created"],
                new,
                returning=("id", "document", "start", "end"),
            )
            if made is None:
                self._learn_new_spans(new)
                return
            for pk, document, start, end in made:
                spans[document][start, end] = pk
                span_pks[new_keys[document, start, end]] = pk
            self.new_spans.update(pk for pk, *_ in made)
            self.summary.count("spans", "added", len(made))

    def _learn_new_spans(self, new):
        """Read back the ids of spans just inserted, where the insert could not return them."""
        for document in {row[0] for row in new}:
            wanted = {(row[1], row[2]) for row in new if row[0] == document}
            starts = [start for start, _ in wanted]
            known = self.span_ids(document)
            found = Span.objects.filter(document_id=document, start__gte=min(starts), start__lte=max(starts))
            for pk, start, end in found.values_list("pk", "start", "end"):
                if (start, end) in wanted:
                    known[(start, end)] = pk
                    self.new_spans.add(pk)
                    self.summary.count("spans", "added")

    def span_of(self, key):
        """The id of the span a record names, or None when its document was deleted here."""
        pk = self.span_pks.get(key)  # the spans of this file, by the key they are named with
        if pk is None:
            slug, start, end = _span_parts(key)
            document = self.documents.get(slug)
            if document is None:
                return None
            pk = self.span_ids(document).get((start, end))
        if pk is not None:
            self.referenced.add(pk)
        return pk

    def _lost_span(self, section, where, key):
        self.summary.conflict(f"{where} ({key}): its span's document was deleted here; not added")
        self.summary.count(section, "conflicts")

    ANNOTATION_HERE = (
        "pk", "span_id", "label_id", "author_id", "speaker_id", "cue", "note", "status", "reviewed_by_id",
        "reviewed_at", "version", "modified",
    )  # fmt: skip

    def annotations_batch(self, batch):
        resolved = []
        span_of, label_id, speakers, users = self.span_of, self.label_id, self.speakers, self.users
        for where, record in batch:
            span, speaker_name = span_of(record["span"]), record["speaker"]
            if span is None:
                self._lost_span("annotations", where, _annotation_key(record))
                continue
            speaker = speakers.get(speaker_name) if speaker_name is not None else None
            if speaker_name is not None and speaker is None:
                key = _annotation_key(record)
                self.summary.conflict(
                    f"{where} ({key}): speaker: {speaker_name!r} was deleted here; left out"
                )
            resolved.append(
                (where, (span, label_id(record["label"]), users[record["author"]]), speaker, record)
            )
        # A span this import added holds no annotations yet: only the others are looked up.
        older = {r[1][0] for r in resolved} - self.new_spans
        here = (
            {
                (row["span_id"], row["label_id"], row["author_id"]): row
                for row in Annotation.objects.filter(span_id__in=older).values(*self.ANNOTATION_HERE)
            }
            if older
            else {}
        )
        deletions = self.deletions(
            Deletion.Kind.ANNOTATION, (_annotation_deletion_key(r[3]) for r in resolved if r[1] not in here)
        )
        inserts, kept, new_row = [], self.kept, self._new_row
        for where, natural, speaker, record in resolved:
            row = here.get(natural) if here else None
            if row is not None:
                key = _annotation_key(record)
                theirs = {
                    "speaker_id": speaker,
                    "cue": record["cue"],
                    "note": record["note"],
                    **self._review(record),
                }
                self.kept.add(natural[0])
                if record["speaker"] is not None and speaker is None:
                    theirs["speaker_id"] = row["speaker_id"]  # deleted here: nothing to propose
                self.merge(Annotation, "annotations", where, key, row, theirs, record)
                continue
            if deletions and self.deleted(
                "annotations",
                where,
                _annotation_key(record),
                deletions.get(_annotation_deletion_key(record)),
                record,
            ):
                continue
            kept.add(natural[0])
            inserts.append((*natural, speaker, record["cue"], record["note"], *new_row(record)))
        if inserts:
            self.summary.count("annotations", "added", len(inserts))
        _insert(Annotation, ANNOTATION_COLUMNS, inserts)

    def _review(self, record):
        """The review fields a record gives (a W3C annotation gives none)."""
        if "status" not in record:
            return {}
        return {
            "status": record["status"],
            "reviewed_by_id": self.users[record["reviewed_by"]] if record["reviewed_by"] else None,
            "reviewed_at": parse_time(record["reviewed_at"]),
        }

    def _review_row(self, record):
        """status, reviewed_by, reviewed_at of a new row, as the database takes them."""
        if "status" not in record:
            return ("pending", None, None)
        reviewer = record["reviewed_by"]
        return (
            record["status"],
            self.users[reviewer] if reviewer else None,
            self.db_time(record["reviewed_at"]),
        )

    def _stamps_row(self, record):
        """created, modified, version of a new row (the file's, else now and 1)."""
        created, modified = record.get("created"), record.get("modified")
        return (
            self.db_time(created) if created else self.now_db,
            self.db_time(modified) if modified else self.now_db,
            record.get("version") or 1,
        )

    def _new_row(self, record):
        """_review_row and _stamps_row at once: the end of each new annotation's and link's row."""
        if "status" not in record:
            return ("pending", None, None, *self._stamps_row(record))
        db_time, now = self.db_time, self.now_db
        reviewer, reviewed_at = record["reviewed_by"], record["reviewed_at"]
        created, modified = record.get("created"), record.get("modified")
        return (
            record["status"],
            self.users[reviewer] if reviewer else None,
            db_time(reviewed_at) if reviewed_at is not None else None,
            db_time(created) if created else now,
            db_time(modified) if modified else now,
            record.get("version") or 1,
        )

    LINK_HERE = (
        "pk", "source_id", "target_id", "relation", "note", "author_id", "status", "reviewed_by_id",
        "reviewed_at",
        "version", "modified",
    )  # fmt: skip

    def links_batch(self, batch):
        resolved = []
        span_of = self.span_of
        for where, record in batch:
            source, target = span_of(record["source"]), span_of(record["target"])
            if source is None or target is None:
                self._lost_span("links", where, _link_key(record))
                continue
            resolved.append((where, (source, target, record["relation"]), record))
        # A span this import added is the source of no link yet: only the others are looked up.
        older = {r[1][0] for r in resolved} - self.new_spans
        here = (
            {
                (row["source_id"], row["target_id"], row["relation"]): row
                for row in Link.objects.filter(source_id__in=older).values(*self.LINK_HERE)
            }
            if older
            else {}
        )
        deletions = self.deletions(
            Deletion.Kind.LINK, (_link_deletion_key(r[2]) for r in resolved if r[1] not in here)
        )
        inserts, kept, users, new_row = [], self.kept, self.users, self._new_row
        for where, natural, record in resolved:
            row = here.get(natural) if here else None
            if row is not None:
                theirs = {
                    "note": record["note"],
                    "author_id": users[record["author"]],
                    **self._review(record),
                }
                kept.update(natural[:2])
                self.merge(Link, "links", where, _link_key(record), row, theirs, record)
                continue
            if deletions and self.deleted(
                "links", where, _link_key(record), deletions.get(_link_deletion_key(record)), record
            ):
                continue
            kept.update(natural[:2])
            inserts.append((*natural, record["note"], users[record["author"]], *new_row(record)))
        if inserts:
            self.summary.count("links", "added", len(inserts))
        _insert(Link, LINK_COLUMNS, inserts)

    ATTRIBUTION_HERE = (
        "pk", "content_id", "cue_id", "source_id", "kind", "speaker_id", "author_id", "origin", "proposal",
        "note", "status", "reviewed_by_id", "reviewed_at", "version", "modified",
    )  # fmt: skip

    def attributions_batch(self, batch):
        resolved = []
        for where, record in batch:
            key = record["content"]
            parts = [record["content"], *record["content_more"], record["cue"], record["source"]]
            ids = [self.span_of(part) if part is not None else None for part in parts]
            if any(pk is None for pk, part in zip(ids, parts, strict=True) if part is not None):
                self._lost_span("attributions", where, key)
                continue
            content, *more, cue, source = ids
            speaker = self.speakers.get(record["speaker"]) if record["speaker"] is not None else None
            if record["speaker"] is not None and speaker is None:
                self.summary.conflict(
                    f"{where} ({key}): speaker: {record['speaker']!r} was deleted here; left out"
                )
            theirs = {
                "cue_id": cue,
                "source_id": source,
                "kind": record["kind"],
                "speaker_id": speaker,
                "author_id": self.users[record["author"]] if record["author"] else None,
                "origin": record["origin"],
                "proposal": record["proposal"],
                "note": record["note"],
                "content_more": tuple(sorted(more)),
                **self._review(record),
            }
            resolved.append((where, key, content, theirs, record))
        contents = {r[2] for r in resolved} - self.new_spans  # a span added now is nobody's content yet
        here = {
            row["content_id"]: row
            for row in Attribution.objects.filter(content_id__in=contents).values(*self.ATTRIBUTION_HERE)
        }
        if here:
            pieces = Attribution.content_more.through.objects.filter(
                attribution_id__in=[r["pk"] for r in here.values()]
            )
            more_here = {}
            for attribution, span in pieces.values_list("attribution_id", "span_id"):
                more_here.setdefault(attribution, []).append(span)
            for row in here.values():
                row["content_more"] = tuple(sorted(more_here.get(row["pk"], [])))
        inserts, pieces_of = [], {}
        for where, key, content, theirs, record in resolved:
            self.kept.update(
                pk for pk in (content, *theirs["content_more"], theirs["cue_id"], theirs["source_id"]) if pk
            )
            row = here.get(content)
            if row is not None:
                if record["speaker"] is not None and theirs["speaker_id"] is None:
                    theirs["speaker_id"] = row["speaker_id"]  # deleted here: nothing to propose
                self.merge(Attribution, "attributions", where, key, row, theirs, record)
                continue
            inserts.append(
                (
                    self.documents[record["document"]], content, theirs["cue_id"], theirs["source_id"],
                    record["kind"], theirs["speaker_id"], theirs["author_id"], record["origin"],
                    record["proposal"], record["note"], *self._review_row(record), *self._stamps_row(record),
                )
            )  # fmt: skip
            pieces_of[content] = theirs["content_more"]
            self.summary.count("attributions", "added")
        _insert(Attribution, ATTRIBUTION_COLUMNS, inserts)
        if any(pieces_of.values()):
            made = Attribution.objects.filter(content_id__in=[c for c, more in pieces_of.items() if more])
            through = Attribution.content_more.through
            through.objects.bulk_create(
                [
                    through(attribution_id=pk, span_id=span)
                    for pk, content in made.values_list("pk", "content_id")
                    for span in pieces_of[content]
                ]
            )

    def set_more(self, attribution, spans):
        through = Attribution.content_more.through
        through.objects.filter(attribution_id=attribution).delete()
        through.objects.bulk_create([through(attribution_id=attribution, span_id=span) for span in spans])

    def finish(self):
        # Spans this import added only for records it then kept out (deleted here) hold nothing.
        unused = (self.new_spans & self.referenced) - self.kept
        if unused:
            Span.objects.filter(pk__in=unused).delete()
            self.summary.counts["spans"]["added"] -= len(unused)


ANNOTATION_COLUMNS = (
    "span", "label", "author", "speaker", "cue", "note", "status", "reviewed_by", "reviewed_at", "created",
    "modified", "version",
)  # fmt: skip
LINK_COLUMNS = (
    "source", "target", "relation", "note", "author", "status", "reviewed_by", "reviewed_at", "created",
    "modified", "version",
)  # fmt: skip
ATTRIBUTION_COLUMNS = (
    "document", "content", "cue", "source", "kind", "speaker", "author", "origin", "proposal", "note",
    "status", "reviewed_by", "reviewed_at", "created", "modified", "version",
)  # fmt: skip


def _reviewed(reviewer, reviewed_at):
    if not reviewer and not reviewed_at:
        return ""
    when = f" {reviewed_at:%Y-%m-%d}" if reviewed_at else ""
    return f" (reviewed by {reviewer or 'someone'}{when})"


def _annotation_key(record):
    """How a conflict line names an annotation."""
    return f"{record['span']} | {record['label']} | {record['author']}"


def _link_key(record):
    return f"{record['source']} | {record['target']} | {record['relation']}"


def _annotation_deletion_key(record):
    return Deletion.annotation_key(span_key=record["span"], label=record["label"], author=record["author"])


def _link_deletion_key(record):
    return Deletion.link_key(source=record["source"], target=record["target"], relation=record["relation"])


# --- A native file, record by record --------------------------------------------------------------


class NativeImport:
    """Feed it the items of a native file in order; it checks each and hands it to the Writer."""

    def __init__(self, *, overwrite=False, progress=None):
        self.summary = ImportSummary(overwrite=overwrite)
        self.errors = Errors()
        self.writer = Writer(summary=self.summary, errors=self.errors, overwrite=overwrite)
        self.progress = progress
        self.head = {}  # the file's top level, with [] for each section
        self.section = None
        self.batch = []
        self.keys = {name: {} for name in SECTIONS}  # section → natural key → index
        self.texts = {}  # document slug → text, for checking spans
        self.shortcuts = {}
        self.done = 0
        self.index = None
        # The current section's checks and writer, looked up once per section, not per record.
        self.fast_check = self.validator = self.check_record = self.write = None

    def feed(self, key, index, value, escapes):
        if not index:  # a new member of the top level: a value, an empty array or an array's first item
            self.start(key, value if index is None else [])
        if index is None:
            if key in SECTIONS and isinstance(value, list):
                return  # an empty section
            self.head[key] = value
            return
        if key not in SECTION_DEFINITIONS:
            return  # reported by the check of the top level
        self.index = index
        self.record(key, f"{key}[{index}]", value, escapes)

    def start(self, key, value):
        self.flush()
        if key in self.head:
            self.errors.add(key, "appears twice in the file.")
        self.head[key] = [] if key in SECTIONS and isinstance(value, list) else value
        if key in SECTIONS:
            missing = [name for name in SECTIONS[: SECTIONS.index(key)] if name not in self.head]
            if missing:
                # What it names would not be known yet: no use reading on.
                self.errors.add(
                    key,
                    f"comes before {missing[0]} (or {missing[0]} is missing): "
                    "the sections must come in the order "
                    f"the export writes them ({', '.join(SECTIONS)}).",
                )
                self.errors.refuse()
            self.fast_check = self.validator = None  # compiled with the section's first record
            self.check_record = getattr(self, f"check_{key}")
            # Documents, comparisons, labels and speakers are few: written one at a time; the
            # others in batches.
            writer = self.writer
            self.write = {
                "documents": writer.document,
                "comparisons": writer.comparison,
                "labels": writer.label,
                "speakers": writer.speaker,
            }.get(key)
        self.section = key

    def record(self, section, where, record, escapes):
        if escapes:
            problems = list(bad_strings(record))
            for path, message in problems:
                self.errors.add(where + path, message)
            if problems:
                return
        if self.fast_check is None:
            self.fast_check, self.validator = _section_check(section)
        if not self.fast_check(record):
            # Should the two checks ever disagree, the record is refused all the same, not left out.
            problems = schema_errors(self.validator, record) or [
                ("", "does not fit the close-reader/1 schema.")
            ]
            for path, message in problems:
                self.errors.add(where + path, message)
            return
        if not self.check_record(where, record):
            return
        self.done += 1
        if self.errors.count:
            return  # the file will be refused: no need to write any more of it
        if self.write is not None:
            self.write(where, record)
        else:  # users, spans, annotations, links, attributions
            self.batch.append((where, record))
            if len(self.batch) >= BATCH:
                self.flush()
        if self.progress and self.done % BATCH == 0:
            self.progress(self.done)

    def flush(self):
        batch, self.batch = self.batch, []
        if not batch or self.errors:
            return
        if self.section == "users":
            self.writer.users_batch([username for _, username in batch])
        else:
            getattr(self.writer, f"{self.section}_batch")(batch)

    # -- what a schema cannot check; each returns whether the record is fine

    def unique(self, section, where, key, what):
        seen = self.keys[section]
        if key in seen:
            self.errors.add(where, f"repeats {section}[{seen[key]}] (the same {what}).")
            return False
        seen[key] = self.index
        return True

    def known(self, where, value, section, what):
        if value is not None and value not in self.keys[section]:
            self.errors.add(where, f"names the {what} {value!r}, which is not in the file.")
            return False
        return True

    def times(self, where, record, names):
        fine = True
        for name in names:
            value = record.get(name)
            if value is None:
                continue
            try:
                datetime.fromisoformat(value)  # what time_problem tries, without a call per time
            except ValueError:
                self.errors.add(f"{where}.{name}", time_problem(value))
                fine = False
        return fine

    def not_blank(self, where, record, names):
        fine = True
        for name in names:
            if not record[name].strip():
                self.errors.add(f"{where}.{name}", "is blank.")
                fine = False
        return fine

    def check_documents(self, where, record):
        fine = self.unique("documents", where, record["slug"], "slug")
        fine &= self.not_blank(where, record, ["title"])
        if problem := text_problem(record["text"]):
            self.errors.add(f"{where}.text", problem)
            return False
        digest = textlib.sha256(record["text"])
        if digest != record["text_sha256"]:
            self.errors.add(f"{where}.text_sha256", f"does not match the text, whose SHA-256 is {digest}.")
            fine = False
        if problem := url_problem(record["url"]):
            self.errors.add(f"{where}.url", problem)
            fine = False
        if record["published"] is not None:
            try:
                date.fromisoformat(record["published"])
            except ValueError:
                self.errors.add(f"{where}.published", f"{record['published']!r} is not a valid date.")
                fine = False
        for index, pair in enumerate(record.get("headings", [])):
            start, end = pair
            if not start < end <= len(record["text"]):
                self.errors.add(
                    f"{where}.headings[{index}]",
                    f"{start}–{end} is not a stretch of the text ({len(record['text'])} characters).",
                )
                fine = False
        fine &= self.times(where, record, ["modified"])
        if fine:
            self.texts[record["slug"]] = record["text"]
        return fine

    def check_comparisons(self, where, record):
        fine = self.unique("comparisons", where, record["slug"], "slug")
        fine &= self.not_blank(where, record, ["title"])
        fine &= self.known(f"{where}.left", record["left"], "documents", "document")
        fine &= self.known(f"{where}.right", record["right"], "documents", "document")
        if record["left"] == record["right"]:
            self.errors.add(f"{where}.right", "is the same document as left; a comparison needs two.")
            fine = False
        return fine & self.times(where, record, ["modified"])

    def check_labels(self, where, record):
        fine = self.unique("labels", where, record["name"], "name")
        fine &= self.not_blank(where, record, ["name"])
        shortcut = record["shortcut"].lower()  # Label.save() lowercases it
        if shortcut:
            if shortcut in self.shortcuts:
                self.errors.add(
                    f"{where}.shortcut",
                    f"{shortcut!r} is already the shortcut of labels[{self.shortcuts[shortcut]}].",
                )
                fine = False
            self.shortcuts.setdefault(shortcut, self.keys["labels"].get(record["name"]))
        return fine & self.times(where, record, ["modified"])

    def check_speakers(self, where, record):
        fine = self.unique("speakers", where, record["name"], "name")
        fine &= self.not_blank(where, record, ["name"])
        return fine & self.times(where, record, ["modified"])

    def check_users(self, where, username):
        return self.unique("users", where, username, "username")

    # Spans, annotations and links are most of a file, and nearly always fine: each has a fast
    # path for the usual record, which says yes (and notes its natural key) without a message's
    # path per field or a call per check. Anything else goes the full way (check_*_fully), which
    # says what is wrong; both say yes to exactly the same records (tests/test_import_fast_checks.py).

    def check_spans(self, where, record):
        slug, start, end = record["document"], record["start"], record["end"]
        text, key, seen = (
            self.texts.get(slug),
            span_key(document_slug=slug, start=start, end=end),
            self.keys["spans"],
        )
        if (
            text is not None
            and start < end
            and key not in seen
            and "key" not in record
            and (
                record["orphaned"]
                or (
                    end <= len(text)
                    and text[start:end] == (exact := record["exact"])
                    and exact.strip() == exact
                )
            )
        ):
            seen[key] = self.index
            return True
        return self.check_spans_fully(where, record)

    def check_spans_fully(self, where, record):
        start, end, slug = record["start"], record["end"], record["document"]
        key = span_key(document_slug=slug, start=start, end=end)
        fine = True
        if "key" in record and record["key"] != key:
            self.errors.add(f"{where}.key", f"should be {key!r}, from its document, start and end.")
            fine = False
        if slug not in self.texts:
            if slug not in self.keys["documents"]:
                self.errors.add(
                    f"{where}.document", f"names the document {slug!r}, which is not in the file."
                )
            return False
        if end <= start:
            self.errors.add(f"{where}.end", f"{end} is not after the start, {start}.")
            return False
        if not record["orphaned"]:  # an orphaned span lost its place in a text edit: no check
            fine &= self.check_quote(where, record, self.texts[slug])
        return fine and self.unique("spans", where, key, "document, start and end")

    def check_quote(self, where, record, text):
        start, end, exact = record["start"], record["end"], record["exact"]
        if end > len(text):
            self.errors.add(f"{where}.end", f"{end} lies outside the text, which has {len(text)} characters.")
        elif text[start:end] != exact:
            found = _shorten(repr(text[start:end]), 80)
            self.errors.add(
                f"{where}.exact", f"is not the text at {start}–{end} of its document, which is {found}."
            )
        elif exact != exact.strip():
            self.errors.add(f"{where}.exact", "begins or ends with whitespace, but spans are trimmed.")
        else:
            return True
        return False

    def check_annotations(self, where, record):
        keys, speaker, reviewer, reviewed_at = (
            self.keys,
            record["speaker"],
            record["reviewed_by"],
            record["reviewed_at"],
        )
        natural, seen = (record["span"], record["label"], record["author"]), keys["annotations"]
        if (
            natural[0] in keys["spans"]
            and natural[1] in keys["labels"]
            and natural[2] in keys["users"]
            and (speaker is None or speaker in keys["speakers"])
            and (reviewer is None or reviewer in keys["users"])
            and natural not in seen
            and _real_times(record["created"], record["modified"], reviewed_at)
        ):
            seen[natural] = self.index
            return True
        return self.check_annotations_fully(where, record)

    def check_annotations_fully(self, where, record):
        fine = self.known(f"{where}.span", record["span"], "spans", "span")
        fine &= self.known(f"{where}.label", record["label"], "labels", "label")
        fine &= self.known(f"{where}.speaker", record["speaker"], "speakers", "speaker")
        fine &= self.known(f"{where}.author", record["author"], "users", "user")
        fine &= self.known(f"{where}.reviewed_by", record["reviewed_by"], "users", "user")
        fine &= self.times(where, record, ["reviewed_at", "created", "modified"])
        key = (record["span"], record["label"], record["author"])
        return fine and self.unique("annotations", where, key, "span, label and author")

    def check_links(self, where, record):
        keys, source, target, reviewer = self.keys, record["source"], record["target"], record["reviewed_by"]
        natural, seen = (source, target, record["relation"]), keys["links"]
        if (
            source in keys["spans"]
            and target in keys["spans"]
            and record["author"] in keys["users"]
            and (reviewer is None or reviewer in keys["users"])
            and natural not in seen
            and source.rpartition(":")[0] != target.rpartition(":")[0]
            and _real_times(record["created"], record["modified"], record["reviewed_at"])
        ):
            seen[natural] = self.index
            return True
        return self.check_links_fully(where, record)

    def check_links_fully(self, where, record):
        fine = self.known(f"{where}.source", record["source"], "spans", "span")
        fine &= self.known(f"{where}.target", record["target"], "spans", "span")
        fine &= self.known(f"{where}.author", record["author"], "users", "user")
        fine &= self.known(f"{where}.reviewed_by", record["reviewed_by"], "users", "user")
        fine &= self.times(where, record, ["reviewed_at", "created", "modified"])
        if fine and _span_parts(record["source"])[0] == _span_parts(record["target"])[0]:
            self.errors.add(
                f"{where}.target", "is in the same document as the source; a link joins two articles."
            )
            fine = False
        key = (record["source"], record["target"], record["relation"])
        return fine and self.unique("links", where, key, "source, target and relation")

    def check_attributions(self, where, record):
        slug = record["document"]
        fine = self.known(f"{where}.document", slug, "documents", "document")
        roles = [
            ("content", record["content"]),
            *((f"content_more[{i}]", key) for i, key in enumerate(record["content_more"])),
            ("cue", record["cue"]),
            ("source", record["source"]),
        ]
        seen = {}
        for role, key in roles:
            if key is None:
                continue
            if not self.known(f"{where}.{role}", key, "spans", "span"):
                fine = False
            elif _span_parts(key)[0] != slug:
                self.errors.add(
                    f"{where}.{role}",
                    f"{key!r} lies in another document than the attribution's, {slug!r}; an attribution's "
                    "parts are all in one document.",
                )
                fine = False
            if key in seen:
                self.errors.add(f"{where}.{role}", f"is {key!r}, the same words as its {seen[key]}.")
                fine = False
            seen.setdefault(key, role)
        fine &= self.known(f"{where}.speaker", record["speaker"], "speakers", "speaker")
        fine &= self.known(f"{where}.author", record["author"], "users", "user")
        fine &= self.known(f"{where}.reviewed_by", record["reviewed_by"], "users", "user")
        fine &= self.times(where, record, ["reviewed_at", "created", "modified"])
        person = record["origin"] == "person"
        if person and record["proposal"]:
            self.errors.add(
                f"{where}.proposal",
                f'is {record["proposal"]!r}, but an attribution a person made is no proposal (give "").',
            )
            fine = False
        elif not person and not record["proposal"]:
            self.errors.add(
                f"{where}.proposal",
                f"is empty, but {record['origin']!r} is an extractor: say whether its proposal is proposed, "
                "taken or declined.",
            )
            fine = False
        return fine and self.unique(
            "attributions", where, record["content"], "content span: one attribution per content"
        )

    def finish(self):
        self.flush()
        if "format" not in self.head and ("@context" in self.head or "type" in self.head):
            self.errors.add(
                "The file", "looks like W3C Web Annotation JSON-LD: import it as W3C onto a document."
            )
        check, messages = _head_checks()
        if not check(self.head):
            for path, message in schema_errors(messages, self.head):
                self.errors.add(path.removeprefix(".") or "The file", message)
        if self.errors:
            self.errors.refuse()
        self.writer.finish()
        if self.progress:
            self.progress(self.done)
        return self.summary


def _open(source):
    """A binary file from bytes, str, a path or an open binary file."""
    import io
    from pathlib import Path

    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, str):
        return io.BytesIO(source.encode("utf-8", "surrogatepass"))
    if isinstance(source, Path):
        return source.open("rb")
    return source


@contextmanager
def _collector_paused():
    """Python's cycle collector off for the while: an import makes tens of thousands of dicts and
    tuples that live until it ends (records, natural keys), which the collector would otherwise
    walk again and again, finding no cycles (what an import drops, reference counting frees)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def import_native(*, raw=None, file=None, overwrite=False, progress=None) -> ImportSummary:
    """Import a native export (bytes, str, or a binary `file`): all of it, or none of it
    (ImportRefused says why). Importing the same file again changes nothing."""
    source = _open(file if file is not None else raw)
    items = jsonstream.Items(
        source, max_item_chars=4 * settings.MAX_DOCUMENT_BYTES + 1024 * 1024, whole_bytes=WHOLE_FILE_BYTES
    )

    def report(done):
        if progress:
            progress(done, items.bytes_read)

    run = NativeImport(overwrite=overwrite, progress=report)
    try:
        with _collector_paused(), transaction.atomic():
            for key, index, value, escapes in items:
                run.feed(key, index, value, escapes)
            return run.finish()
    except jsonstream.NotUTF8 as error:
        raise ImportRefused(f"The file is not UTF-8 text (byte {error.byte} cannot be decoded).") from error
    except jsonstream.JSONError as error:
        raise ImportRefused(f"The file is not valid JSON: {error}.") from error
    except jsonstream.TooLarge as error:
        raise ImportRefused(
            f"{error.key}[{error.index}]: the record is over {error.limit // (1024 * 1024)} MB, "
            "more than any "
            "record may be (a document's text is at most "
            f"{settings.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB)."
        ) from error


def import_file(*, file, format="native", document=None, overwrite=False, progress=None, user=None):
    """Import a file of any format (see import_native, w3c.import_w3c and brat.import_brat: a zip)."""
    if format == "brat":
        from reader.formats import brat  # brat builds on this module

        return brat.import_brat(file=file, user=user, overwrite=overwrite, progress=progress)
    if format == "w3c":
        from reader.formats import w3c  # w3c builds on this module

        return w3c.import_w3c(file=file, document=document, overwrite=overwrite, progress=progress, user=user)
    return import_native(file=file, overwrite=overwrite, progress=progress)
