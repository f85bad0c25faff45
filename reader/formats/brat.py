"""brat standoff out and in: the format of brat (https://brat.nlplab.org/standoff.html), which
INCEpTION reads and writes and PolNeAR is published in. Each document is a pair of files with one
name: `<slug>.txt`, the text exactly as stored (UTF-8, `\\n` line ends, no byte order mark), and
`<slug>.ann`, one annotation a line, fields separated by tabs.

Offsets are character offsets into the .txt: Python string indices of the text read as UTF-8, that
is code points, as everywhere in Close Reader. brat's own server reads the .txt the same way
(`codecs.open(..., encoding="utf8")`, then `text[start:end]`, in server/src/annotation.py), and on
PolNeAR's 88,051 text-bound lines the words of every line but three (lines broken by a newline in
their words) are the text at its offsets counted so, 6,402 of them with curly quotes or other
characters beyond ASCII. (A brat run by a Python 2 "narrow" build counted an emoji as two; brat
today runs on Python 3.)

What a .ann holds, as PolNeAR writes attributions:

    T1	Quote 18 38	the talks had failed              a span of a label (spaces in a label's name are _)
    #1	AnnotatorNotes T1	Reported speech.           its note
    N1	Reference T1 Speaker:Hassan%20Rouhani	Hassan Rouhani   the speaker an annotation names
    A1	CueWords T1 said                                 an annotation's cue words (as typed)
    T2	Source 0 12	The minister
    T3	Cue 13 17	said
    T4	Content 18 38;41 50	the talks had failed and so on     (pieces: "start end;start end")
    T5	Attribution 13 17	said                      the event's trigger, on the cue
    E1	Attribution:T5 Source:T2 Cue:T3 Content:T4      the attribution, tying its parts
    A2	Kind E1 indirect                                 direct, indirect or mixed
    N2	Reference E1 Speaker:Hassan%20Rouhani	Hassan Rouhani
    #2	AnnotatorNotes E1	A note.

- An attribution is an `E` (event) line, as in PolNeAR: its trigger is a text-bound `Attribution`
  on the cue's words (`Attribution-no-source` when it has no source, as PolNeAR has it; on the
  content when it has no cue either), its arguments the `Source`, `Cue` and `Content` spans. A
  discontinuous content is one `Content` span in pieces, as PolNeAR writes 3,506 of its contents
  (it also writes 64 as further `Content2` arguments: both are read).
- brat's lines cannot hold a line break, so a span across one is written in pieces, one per line
  of the text (as brat itself must, and PolNeAR does); pieces separated by nothing but whitespace
  are joined again when read. Content pieces that overlap (the app does not forbid it) are written
  as their union: brat refuses overlapping fragments. Notes and cue words escape `\\`, line
  breaks and tabs as `\\\\`, `\\n`, `\\r` and `\\t`.
- A speaker is a normalisation (`N`) into the database `Speaker`, its id the percent-encoded name.
- Only work is exported: annotations, and attributions made by a person or proposals a person
  took; several annotators' annotations of one span with one label are one `T` line (the first
  annotator's, by username: brat has no annotators). Orphaned spans (lost in a text edit) are
  left out. Links join two documents, which brat cannot, and are not exported.

Reading (`import_brat`): a zip, a folder, or one .txt/.ann pair. Each pair becomes a document (an
existing one with the same text, else a new one named after the file, titled by its first line);
`T` lines of a label become annotations (an unknown label is made, of kind "other"; a name is
matched as written, then with `_` as spaces, ignoring case), attribution events become
attributions (origin "person"), all by the importing user (`--author`). Every line is checked
first: one that is malformed, whose offsets are reversed, overlap or run past the text, or whose
words are not the text at its offsets, or that names an id the file does not have, refuses the
whole import, with the file, line and id in the message; nothing is written. What is well formed
but has no place here (relations, other events, other attributes, an attribution without content)
is listed in the summary as not imported. Line ends `\\r\\n` and a leading byte order mark in a
.txt count as brat counts them, and are then dropped (offsets moved with them). Records then go
through `importing.Writer` like a native file's: importing the same files twice changes nothing.
"""

import bisect
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from reader import text as textlib
from reader.formats import importing
from reader.formats.scope import span_key
from reader.models import Attribution, Document, Label

ROLES = ("Source", "Cue", "Content")
TRIGGER, TRIGGER_NO_SOURCE = "Attribution", "Attribution-no-source"
SPEAKER_DB = "Speaker"
KINDS = tuple(Attribution.Kind.values)
MAX_FILES = 10_000
MAX_ANN_BYTES = 64 * 1024 * 1024


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


_ESCAPES = {"\\\\": "\\", "\\n": "\n", "\\r": "\r", "\\t": "\t"}


def unescape(value: str) -> str:
    return re.sub(r"\\[\\nrt]", lambda m: _ESCAPES[m.group()], value)


def label_type(name: str) -> str:
    """A label's name as a brat type (one word)."""
    return "_".join(name.split())


def fragments(text, pieces):
    """brat fragments of spans (start, end): each cut at line breaks, each part trimmed; pieces
    that overlap or touch are one fragment (brat refuses overlapping fragments)."""
    found = []
    for start, end in pieces:
        for match in re.finditer(r"[^\n\r]+", text[start:end]):
            words = match.group()
            left = len(words) - len(words.lstrip())
            right = len(words) - len(words.rstrip())
            if left + right < len(words):
                found.append((start + match.start() + left, start + match.end() - right))
    merged = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# --- Out ---------------------------------------------------------------------------------------


class _Ann:
    """A .ann being written: numbers each kind of id in order."""

    def __init__(self, text):
        self.text, self.lines, self.counts = text, [], {}

    def next(self, kind):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{kind}{self.counts[kind]}"

    def span(self, kind, pieces):
        found = fragments(self.text, pieces)
        ident = self.next("T")
        offsets = ";".join(f"{start} {end}" for start, end in found)
        words = " ".join(self.text[start:end] for start, end in found)
        self.lines.append(f"{ident}\t{kind} {offsets}\t{words}")
        return ident

    def extras(self, target, *, speaker=None, cue=None, note=None, kind=None):
        if kind:
            self.lines.append(f"{self.next('A')}\tKind {target} {kind}")
        if cue:
            self.lines.append(f"{self.next('A')}\tCueWords {target} {escape(cue)}")
        if speaker:
            shown = " ".join(speaker.split())
            self.lines.append(
                f"{self.next('N')}\tReference {target} {SPEAKER_DB}:{quote(speaker, safe='')}\t{shown}"
            )
        if note:
            self.lines.append(f"{self.next('#')}\tAnnotatorNotes {target}\t{escape(note)}")

    def finish(self):
        return "".join(f"{line}\n" for line in self.lines)


def ann_text(document, scope) -> str:
    text = document.text
    ann = _Ann(text)
    annotations = (
        scope.annotations()
        .filter(span__document=document, span__orphaned=False)
        .order_by("span__start", "span__end", "label__name", "author__username", "pk")
        .values_list("span__start", "span__end", "label__name", "speaker__name", "cue", "note")
    )
    seen = set()
    for start, end, label, speaker, cue, note in annotations.iterator():
        if (start, end, label) in seen:
            continue  # another annotator's: brat has no annotators
        seen.add((start, end, label))
        ident = ann.span(label_type(label), [(start, end)])
        ann.extras(ident, speaker=speaker, cue=cue, note=note)
    attributions = (
        scope.attributions()
        .taken()
        .filter(document=document, content__orphaned=False)
        .select_related("content", "cue", "source", "speaker")
        .prefetch_related("content_more")
        .order_by("content__start", "content__end", "pk")
    )
    for row in attributions:
        parts = {}
        if row.source and not row.source.orphaned:
            parts["Source"] = ann.span("Source", [(row.source.start, row.source.end)])
        if row.cue and not row.cue.orphaned:
            parts["Cue"] = ann.span("Cue", [(row.cue.start, row.cue.end)])
        pieces = sorted((s.start, s.end) for s in [row.content, *row.content_more.all()] if not s.orphaned)
        parts["Content"] = ann.span("Content", pieces)
        trigger_type = TRIGGER if "Source" in parts else TRIGGER_NO_SOURCE
        trigger_at = [(row.cue.start, row.cue.end)] if "Cue" in parts else pieces[:1]
        trigger = ann.span(trigger_type, trigger_at)
        event = ann.next("E")
        arguments = " ".join(f"{role}:{parts[role]}" for role in ROLES if role in parts)
        ann.lines.append(f"{event}\t{trigger_type}:{trigger} {arguments}")
        ann.extras(event, kind=row.kind, speaker=row.speaker.name if row.speaker else None, note=row.note)
    return ann.finish()


def brat_files(scope):
    """(file name, bytes) for each document of the scope in slug order: its .txt, then its .ann.
    A document at a time: a text may be megabytes."""
    documents = scope.documents().order_by("slug").only("slug", "text")
    for document in documents.iterator(chunk_size=4):
        yield f"{document.slug}.txt", document.text.encode("utf-8")
        yield f"{document.slug}.ann", ann_text(document, scope).encode("utf-8")


class _Sink(io.RawIOBase):
    """A write-only stream that keeps what is written until it is taken: zipfile writes a zip to
    it (without seeking: each entry's sizes follow its data), and the response sends each piece."""

    def __init__(self):
        self.pieces = []

    def writable(self):
        return True

    def write(self, data):
        self.pieces.append(bytes(data))
        return len(data)

    def take(self):
        data, self.pieces = b"".join(self.pieces), []
        return data


def zip_chunks(files):
    """A zip of (name, bytes) files, as bytes chunks, one file at a time."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            # A fixed time, so the same files make the same zip; read and write for everyone.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
            yield sink.take()
    yield sink.take()


# --- In: reading the files ---------------------------------------------------------------------


@dataclass
class Pair:
    name: str  # the name both files share, without suffix (and the folders within the zip)
    text: bytes
    ann: bytes | None


def _limit_error(name, limit):
    return importing.ImportRefused(
        f"{name} is over {limit // (1024 * 1024)} MB, more than a brat file may be."
    )


def _pairs(named):
    """Pairs from (path within the collection, read function) entries."""
    texts, anns = {}, {}
    for name, read in named:
        path = PurePosixPath(name)
        if path.name.startswith(".") or "__MACOSX" in path.parts:
            continue
        if path.suffix == ".txt":
            texts[str(path.with_suffix(""))] = read
        elif path.suffix == ".ann":
            anns[str(path.with_suffix(""))] = read
    if len(texts) > MAX_FILES:
        raise importing.ImportRefused(
            f"The collection has {len(texts)} texts; at most {MAX_FILES} are read at once."
        )
    lonely = sorted(set(anns) - set(texts))
    if lonely:
        raise importing.ImportRefused(
            f"{lonely[0]}.ann has no {PurePosixPath(lonely[0]).name}.txt beside it."
        )
    if not texts:
        raise importing.ImportRefused("There is no .txt file (with its .ann) to import.")
    text_limit = settings.MAX_DOCUMENT_BYTES
    for name in sorted(texts):
        text = texts[name](text_limit + 1)
        if len(text) > text_limit:
            raise importing.ImportRefused(
                f"{name}.txt is over {text_limit / (1024 * 1024):.0f} MB; an article may be at most that."
            )
        ann = anns[name](MAX_ANN_BYTES + 1) if name in anns else None
        if ann is not None and len(ann) > MAX_ANN_BYTES:
            raise _limit_error(f"{name}.ann", MAX_ANN_BYTES)
        yield Pair(name, text, ann)


def read_collection(*, path=None, file=None, name=""):
    """The .txt/.ann pairs of a zip (a path or a binary file), a folder, or one .txt or .ann."""
    if path is not None and Path(path).is_dir():
        root = Path(path)
        entries = sorted(p for p in root.rglob("*") if p.is_file())
        return list(_pairs((p.relative_to(root).as_posix(), _file_reader(p)) for p in entries))
    if path is not None and Path(path).suffix in (".txt", ".ann"):
        stem = Path(path).with_suffix("")
        entries = [
            (p.name, _file_reader(p))
            for p in (stem.with_suffix(".txt"), stem.with_suffix(".ann"))
            if p.exists()
        ]
        return list(_pairs(entries))
    source = file if file is not None else Path(path).open("rb")  # noqa: SIM115 - closed below
    try:
        try:
            archive = zipfile.ZipFile(source)
        except zipfile.BadZipFile as error:
            raise importing.ImportRefused(
                f"{name or 'The file'} is not a zip archive of brat .txt and .ann files."
            ) from error
        with archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]

            def reader(info):
                def read(limit):
                    with archive.open(info) as member:
                        return member.read(limit)

                return read

            return list(_pairs((info.filename, reader(info)) for info in infos))
    finally:
        if file is None:
            source.close()


def _file_reader(path):
    def read(limit):
        with path.open("rb") as file:
            return file.read(limit)

    return read


# --- In: parsing a .ann ------------------------------------------------------------------------

ID = re.compile(r"^(?:([TERAMN#])\d+|(\*))$")
OFFSETS = re.compile(r"^\d+ \d+(?:;\d+ \d+)*$")


@dataclass
class TextBound:
    ident: str
    type: str
    pieces: list  # (start, end) as in the file
    line: int


@dataclass
class Event:
    ident: str
    type: str
    trigger: str
    arguments: list  # (role, id)
    line: int


@dataclass
class Parsed:
    spans: dict = field(default_factory=dict)  # id → TextBound
    events: dict = field(default_factory=dict)  # id → Event
    kinds: dict = field(default_factory=dict)  # event id → kind
    cues: dict = field(default_factory=dict)  # id → cue words (an annotation's)
    speakers: dict = field(default_factory=dict)  # id → speaker name
    notes: dict = field(default_factory=dict)  # id → note
    skipped: list = field(default_factory=list)  # lines read but not imported, and why


class _Reader:
    """Reads one .ann against its text; problems go to `errors`, named by file, line and id."""

    def __init__(self, name, text, errors):
        self.name, self.text, self.errors = name, text, errors
        self.parsed = Parsed()
        self.seen = {}  # id → line
        self.references = []  # (line, ident, what names it)

    def error(self, number, ident, message):
        where = f"{self.name}.ann line {number}" + (f" ({ident})" if ident else "")
        self.errors.add(where, message)

    def read(self, content: str):
        for number, raw in enumerate(content.split("\n"), start=1):
            line = raw.removesuffix("\r")
            if not line.strip():
                continue
            ident, tab, rest = line.partition("\t")
            match = ID.match(ident)
            if not tab or match is None:
                shown = line if len(line) <= 60 else line[:57] + "…"
                self.error(
                    number,
                    None,
                    f"{shown!r} is not a brat line: it should start with an id (T1, E1, R1, A1, N1, #1 or *) "
                    "and a tab.",
                )
                continue
            if ident != "*":
                if ident in self.seen:
                    self.error(number, ident, f"{ident} is given twice (first on line {self.seen[ident]}).")
                    continue
                self.seen[ident] = number
            handlers = {
                "T": self.line_T, "E": self.line_E, "R": self.line_R, "A": self.line_A, "M": self.line_A,
                "N": self.line_N, "#": self.line_note, "*": self.line_equiv,
            }  # fmt: skip
            handlers[match.group(1) or match.group(2)](number, ident, rest)
        for number, ident, named in self.references:
            if named not in self.seen:
                self.error(number, ident, f"names {named}, which is not in the file.")
        return self.parsed

    def refer(self, number, ident, named):
        self.references.append((number, ident, named))

    def line_T(self, number, ident, rest):
        head, tab, words = rest.partition("\t")
        kind, _, offsets = head.partition(" ")
        if not tab or not kind or not OFFSETS.match(offsets):
            self.error(
                number, ident, "a text-bound line is 'T1<tab>Type START END[;START END…]<tab>the words'."
            )
            return
        pieces = [tuple(int(n) for n in piece.split(" ")) for piece in offsets.split(";")]
        length = len(self.text)
        for start, end in pieces:
            if end < start:
                self.error(number, ident, f"the piece {start} {end} ends before it starts.")
                return
            if end == start:
                self.error(number, ident, f"the piece {start} {end} is empty.")
                return
            if end > length:
                self.error(
                    number,
                    ident,
                    f"the piece {start} {end} ends past the text, which has {length} characters.",
                )
                return
        ordered = sorted(pieces)
        for (_, first_end), (second_start, _) in zip(ordered, ordered[1:], strict=False):
            if second_start < first_end:
                self.error(number, ident, "its pieces overlap.")
                return
        expected = " ".join(self.text[start:end] for start, end in pieces)
        if words != expected and not (words.startswith(expected) and not words[len(expected) :].strip()):
            self.error(number, ident, _mismatch(words, expected, offsets))
            return
        self.parsed.spans[ident] = TextBound(ident, kind, pieces, number)

    def line_E(self, number, ident, rest):
        parts = rest.split()
        if not parts or any(
            part.count(":") != 1 or part.startswith(":") or part.endswith(":") for part in parts
        ):
            self.error(number, ident, "an event line is 'E1<tab>Type:T1 Role:T2 …'.")
            return
        kind, trigger = parts[0].split(":")
        arguments = [tuple(part.split(":")) for part in parts[1:]]
        for named in [trigger, *(target for _, target in arguments)]:
            self.refer(number, ident, named)
        self.parsed.events[ident] = Event(ident, kind, trigger, arguments, number)

    def line_R(self, number, ident, rest):
        parts = rest.split()
        if len(parts) != 3 or any(part.count(":") != 1 for part in parts[1:]):
            self.error(number, ident, "a relation line is 'R1<tab>Type Arg1:T1 Arg2:T2'.")
            return
        for part in parts[1:]:
            self.refer(number, ident, part.split(":")[1])
        self.parsed.skipped.append(
            f"{self.name}.ann line {number} ({ident}): a relation; relations are not imported"
        )

    def line_equiv(self, number, ident, rest):
        parts = rest.split()
        if len(parts) < 3:
            self.error(number, ident, "an equivalence line is '*<tab>Type T1 T2 …'.")
            return
        for named in parts[1:]:
            self.refer(number, ident, named)
        self.parsed.skipped.append(f"{self.name}.ann line {number} (*): an equivalence; not imported")

    def line_A(self, number, ident, rest):
        kind, _, rest = rest.partition(" ")
        target, _, value = rest.partition(" ")
        if not kind or not target:
            self.error(number, ident, "an attribute line is 'A1<tab>Type ID [Value]'.")
            return
        self.refer(number, ident, target)
        if kind == "Kind":
            if value not in KINDS:
                self.error(number, ident, f"the kind {value!r} is not one of {', '.join(KINDS)}.")
                return
            self.parsed.kinds[target] = value
        elif kind == "CueWords":
            cue = unescape(value)
            if len(cue) > 100:
                self.error(number, ident, f"the cue words are {len(cue)} characters long; at most 100.")
                return
            self.parsed.cues[target] = cue
        else:
            self.parsed.skipped.append(
                f"{self.name}.ann line {number} ({ident}): the attribute {kind!r} has no place here; "
                "not imported"
            )

    def line_N(self, number, ident, rest):
        head, _, shown = rest.partition("\t")
        parts = head.split(" ")
        if len(parts) != 3 or ":" not in parts[2]:
            self.error(number, ident, "a normalisation line is 'N1<tab>Reference ID Database:Id<tab>Text'.")
            return
        _, target, reference = parts
        self.refer(number, ident, target)
        database, _, key = reference.partition(":")
        if database != SPEAKER_DB:
            self.parsed.skipped.append(
                f"{self.name}.ann line {number} ({ident}): a reference into {database!r}; "
                f"only {SPEAKER_DB} is read"
            )
            return
        name = " ".join(unquote(key, errors="strict").split()) if _decodes(key) else ""
        if not 0 < len(name) <= 200:
            self.error(number, ident, "the speaker's name must be 1 to 200 characters, percent-encoded.")
            return
        self.parsed.speakers[target] = name

    def line_note(self, number, ident, rest):
        head, tab, note = rest.partition("\t")
        kind, _, target = head.partition(" ")
        if not tab or not target:
            self.error(number, ident, "a note line is '#1<tab>AnnotatorNotes ID<tab>the note'.")
            return
        self.refer(number, ident, target)
        if kind != "AnnotatorNotes":
            self.parsed.skipped.append(
                f"{self.name}.ann line {number} ({ident}): a {kind!r} comment; not imported"
            )
            return
        note = unescape(note)
        if target in self.parsed.notes:
            note = self.parsed.notes[target] + "\n\n" + note
        self.parsed.notes[target] = note


def _decodes(key):
    try:
        unquote(key, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def _short(words):
    shown = repr(words)
    return shown if len(shown) <= 80 else shown[:78] + "…'"


def _mismatch(words, expected, offsets):
    """Where a line's words part from the text at its offsets, shown around the first difference."""
    if len(words) <= 60 and len(expected) <= 60:
        return f"the words {words!r} are not the text at {offsets}, which is {expected!r}."
    at = next((i for i, (a, b) in enumerate(zip(words, expected, strict=False)) if a != b), None)
    at = min(len(words), len(expected)) if at is None else at
    start = max(0, at - 20)
    return (
        f"the words are not the text at {offsets}: from character {at} of them the line has "
        f"{_short(words[start : at + 30])}, the text {_short(expected[start : at + 30])}."
    )


# --- In: from parsed lines to records -----------------------------------------------------------


def _normalised(raw: str):
    """(text, move): the text as a document stores it (no byte order mark, `\\n` line ends), and a
    function moving an offset of the raw text onto it."""
    removed = []
    if raw.startswith("\ufeff"):
        removed.append(0)
    removed.extend(m.start() for m in re.finditer("\r\n", raw))
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text, lambda offset: offset - bisect.bisect_left(removed, offset)


def _joined(text, pieces):
    """Pieces in text order, those with only whitespace between them joined, each trimmed."""
    joined = []
    for start, end in sorted(pieces):
        if joined and not text[joined[-1][1] : start].strip():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    trimmed = []
    for start, end in joined:
        words = text[start:end]
        start, end = start + len(words) - len(words.lstrip()), end - (len(words) - len(words.rstrip()))
        if start < end:
            trimmed.append((start, end))
    return trimmed


class _Labels:
    def __init__(self):
        self.names = {name: name for name in Label.objects.values_list("name", flat=True)}
        self.loose = {" ".join(name.split("_")).casefold(): name for name in self.names}
        self.loose.update({name.casefold(): name for name in self.names})
        self.new = []

    def of(self, kind):
        if kind in self.names:
            return self.names[kind]
        loose = " ".join(kind.split("_")).casefold()
        if loose in self.loose:
            return self.loose[loose]
        self.names[kind] = kind
        self.loose[loose] = kind
        self.new.append(kind)
        return kind


@dataclass
class Planned:
    """What one pair brings: its document, and native records on it."""

    name: str
    text: str
    document: Document | None
    spans: dict = field(default_factory=dict)  # (start, end) → record
    annotations: dict = field(default_factory=dict)  # (key, label) → (where, record)
    attributions: dict = field(default_factory=dict)  # content key → (where, record)


class _Plan:
    def __init__(self, *, author, summary, errors):
        self.author, self.summary, self.errors = author, summary, errors
        self.labels = _Labels()
        self.speakers = {}
        self.slugs = set()
        self.documents = []

    def skip(self, line):
        self.summary.not_anchored(line)

    def pair(self, pair):
        decoded = {}
        for suffix, data in ((".txt", pair.text), (".ann", pair.ann or b"")):
            try:
                decoded[suffix] = data.decode("utf-8")
            except UnicodeDecodeError as error:
                self.errors.add(
                    f"{pair.name}{suffix}", f"is not UTF-8 text (byte {error.start} cannot be decoded)."
                )
        if len(decoded) < 2:
            return
        raw, content = decoded[".txt"], decoded[".ann"].removeprefix("\ufeff")
        text, move = _normalised(raw)
        if problem := importing.text_problem(text):
            self.errors.add(f"{pair.name}.txt", problem)
            return
        if "\x00" in text or importing.SURROGATE.search(text):
            self.errors.add(f"{pair.name}.txt", "holds a NUL character, which text may not contain.")
            return
        parsed = _Reader(pair.name, raw, self.errors).read(content)
        if self.errors:
            return
        for line in parsed.skipped:
            self.skip(line)
        plan = Planned(pair.name, text, _same_text(text))
        self.documents.append(plan)

        def pieces_of(bound):
            return _joined(text, [(move(start), move(end)) for start, end in bound.pieces])

        used = self.attributions(plan, parsed, pieces_of)
        for ident, bound in parsed.spans.items():
            if ident in used:
                continue
            pieces = pieces_of(bound)
            if not pieces:
                self.error_whitespace(pair.name, bound)
                continue
            label = self.labels.of(bound.type)
            speaker = self.speaker(parsed.speakers.get(ident))
            for start, end in pieces:
                key = self.span(plan, start, end)
                natural = (key, label)
                where = f"{pair.name}.ann line {bound.line} ({ident})"
                if natural in plan.annotations:
                    self.skip(f"{where}: repeats {plan.annotations[natural][0]} (the same words and label)")
                    continue
                record = {
                    "span": key,
                    "label": label,
                    "author": self.author,
                    "speaker": speaker,
                    "cue": parsed.cues.get(ident, ""),
                    "note": parsed.notes.get(ident, ""),
                }
                plan.annotations[natural] = (where, record)

    def error_whitespace(self, name, bound):
        self.errors.add(f"{name}.ann line {bound.line} ({bound.ident})", "its words are only whitespace.")

    def speaker(self, name):
        if name is not None:
            self.speakers.setdefault(name, None)
        return name

    def span(self, plan, start, end):
        if (start, end) not in plan.spans:
            prefix, suffix = textlib.context(plan.text, start, end)
            plan.spans[(start, end)] = {
                "start": start, "end": end, "exact": plan.text[start:end], "prefix": prefix, "suffix": suffix,
                "orphaned": False,
            }  # fmt: skip
        return (start, end)

    def attributions(self, plan, parsed, pieces_of):
        """The attribution events as records; returns the ids of the spans they use."""
        used = set()
        for ident, event in parsed.events.items():
            where = f"{plan.name}.ann line {event.line} ({ident})"
            if not event.type.casefold().startswith("attribution"):
                self.skip(f"{where}: an event of type {event.type!r}; only attributions are imported")
                continue
            roles = {}
            for role, target in event.arguments:
                base = role.rstrip("0123456789").capitalize()
                bound = parsed.spans.get(target)
                if base not in ROLES or bound is None:
                    self.skip(
                        f"{where}: its argument {role}:{target} has no place in an attribution; left out"
                    )
                    continue
                roles.setdefault(base, []).append(bound)
            if parsed.spans.get(event.trigger) is not None:
                used.add(event.trigger)
            used.update(bound.ident for bounds in roles.values() for bound in bounds)
            content = [piece for bound in roles.get("Content", []) for piece in pieces_of(bound)]
            content = _joined(plan.text, content)
            if not content:
                self.skip(f"{where}: an attribution with no content; not imported")
                continue
            parts = {}
            for role in ("Cue", "Source"):
                bounds = roles.get(role, [])
                if len(bounds) > 1:
                    self.skip(
                        f"{where}: a second {role} ({bounds[1].ident}) left out: an attribution has one"
                    )
                if bounds:
                    pieces = pieces_of(bounds[0])
                    if not pieces:
                        self.error_whitespace(plan.name, bounds[0])
                        continue
                    if len(pieces) > 1:
                        self.skip(
                            f"{where}: its {role} {bounds[0].ident} is in {len(pieces)} pieces; "
                            f"taken as one span from {pieces[0][0]} to {pieces[-1][1]}"
                        )
                    parts[role] = (pieces[0][0], pieces[-1][1])
            if any(part in content for part in parts.values()):
                self.skip(f"{where}: its cue or source is its content; not imported")
                continue
            content_key = self.span(plan, *content[0])
            if content_key in plan.attributions:
                self.skip(
                    f"{where}: its content is that of {plan.attributions[content_key][0]} already; "
                    "not imported"
                )
                continue
            kind = parsed.kinds.get(ident) or textlib.quotation_kind(
                " ".join(plan.text[s:e] for s, e in content)
            )
            record = {
                "content": content_key,
                "content_more": [self.span(plan, *piece) for piece in content[1:]],
                "cue": self.span(plan, *parts["Cue"]) if "Cue" in parts else None,
                "source": self.span(plan, *parts["Source"]) if "Source" in parts else None,
                "kind": kind,
                "speaker": self.speaker(parsed.speakers.get(ident)),
                "author": self.author,
                "origin": Attribution.PERSON,
                "proposal": "",
                "note": parsed.notes.get(ident, ""),
            }
            plan.attributions[content_key] = (where, record)
        return used

    def slug(self, name):
        """A new document's slug, from its file's name, unused here and in this import."""
        base = (slugify(PurePosixPath(name).name) or "document")[:100]
        slug, number = base, 1
        while slug in self.slugs or Document.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        self.slugs.add(slug)
        return slug


def _same_text(text):
    for document in Document.objects.filter(text_sha256=textlib.sha256(text)).only("pk", "slug", "text"):
        if document.text == text:
            return document
    return None


def _title(text, name):
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    return first if len(first) <= 300 else PurePosixPath(name).name[:300]


def _keyed(slug, start, end):
    return span_key(document_slug=slug, start=start, end=end)


def import_brat(*, path=None, file=None, name="", user=None, overwrite=False, progress=None):
    """Import brat standoff (see above): all of it, or nothing (ImportRefused says why)."""
    if user is None:
        raise importing.ImportRefused("brat files name no annotator: say whose work they are (--author).")
    pairs = read_collection(path=path, file=file, name=name)
    errors = importing.Errors()
    summary = importing.ImportSummary(
        overwrite=overwrite,
        sections=("documents", "labels", "speakers", "spans", "annotations", "attributions"),
    )
    plan = _Plan(author=user.get_username(), summary=summary, errors=errors)
    for pair in pairs:
        plan.pair(pair)
    if errors:
        errors.refuse()
    with transaction.atomic():
        writer = importing.Writer(summary=summary, errors=errors, overwrite=overwrite)
        writer.users_batch([plan.author])
        for kind in plan.labels.new:
            writer.label(
                "labels",
                {
                    "name": kind,
                    "kind": "other",
                    "colour": "#999999",
                    "shortcut": "",
                    "description": "",
                    "position": 100,
                },
            )
        summary.new_labels = list(plan.labels.new)
        for speaker in plan.speakers:
            writer.speakers[speaker] = writer.speaker_here(speaker)
            if writer.speakers[speaker] is None:
                writer.speaker("speakers", {"name": speaker, "aliases": [], "description": ""})
        for planned in plan.documents:
            document = planned.document
            if document is None:
                document = Document(
                    slug=plan.slug(planned.name), title=_title(planned.text, planned.name), text=planned.text
                )
                document.save()
                summary.count("documents", "added")
            else:
                summary.count("documents", "unchanged")
            slug = document.slug
            writer.documents[slug] = document.pk
            spans = [
                (f"{planned.name}.ann", {"document": slug, **record, "start": start, "end": end})
                for (start, end), record in sorted(planned.spans.items())
            ]
            for start in range(0, len(spans), importing.BATCH):
                writer.spans_batch(spans[start : start + importing.BATCH])

            def rekey(record, names, slug=slug):
                return {**record, **{n: _keyed(slug, *record[n]) if record[n] else None for n in names}}

            annotations = [(where, rekey(r, ["span"])) for where, r in planned.annotations.values()]
            for start in range(0, len(annotations), importing.BATCH):
                writer.annotations_batch(annotations[start : start + importing.BATCH])
            attributions = [
                (
                    where,
                    {
                        **rekey(r, ["content", "cue", "source"]),
                        "document": slug,
                        "content_more": [_keyed(slug, *piece) for piece in r["content_more"]],
                    },
                )
                for where, r in planned.attributions.values()
            ]
            for start in range(0, len(attributions), importing.BATCH):
                writer.attributions_batch(attributions[start : start + importing.BATCH])
        if errors:
            errors.refuse()
        writer.finish()
    if progress:
        progress(len(pairs), sum(len(p.text) + len(p.ann or b"") for p in pairs))
    return summary
