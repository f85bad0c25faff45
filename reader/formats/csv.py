"""CSV tables a paper can cite: attributions, links and speakers, one row per record, streamed.

- **attributions**: the attributions as work (`Attribution.objects.taken()`: made by a person, or
  machine proposals a person took; undecided and declined proposals are not work), in document
  and text order, with the document's title, outlet and date, the speaker and their kind, the
  source's and cue's words, the cue's lemma (`reader.cues.cue_lemma`: "has said" is "say"), the
  kind, the content (its pieces joined by " … "), the offsets of its first piece and of every
  piece ("start-end;start-end"), the annotator, the review status, the origin and the proposal
  state ("" for person-made, "taken").
- **links**: each link's relation, note, status and annotator, and for each side its document,
  outlet, words, offsets, and the speaker and cue of those words: from the attribution (as work)
  whose content is that span or one of its pieces, else from a Quote or Claim annotation on the
  span that names a speaker or a cue (the link's own annotator's first, then an accepted one).
- **speakers**: one row per speaker and outlet ("long" data: a pivot table or R's
  `pivot_wider` makes columns of it), counting the attributions (as work) that name the speaker in
  that outlet's documents, how many documents they are in, how many are direct, indirect or mixed,
  and the cue lemmas used, most used first ("say (3) | claim (1)"). Speakers no attribution names
  (in the scope asked for) have no row; nor do attributions that name no speaker.

Every table takes the same scope as the other exports (`Scope`: a comparison, a review status, an
annotator). The file is RFC 4180: a header row, commas, CRLF line ends, fields quoted when they
hold a comma, a quote or a line break. It is UTF-8 without a byte order mark unless asked for
(`bom=True`, `?bom=1` on the web, `--bom` for the command): Excel reads UTF-8 correctly only with
one, while other readers (pandas, R, csvkit) take it for part of the first column's name.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, as
OWASP advises against CSV injection: a spreadsheet would run it as a formula (`=cmd|' /C calc'!A0`).
The prefix shows in the cell; numbers (offsets, counts) are written as numbers and never need it.
"""

import csv
from collections import Counter, defaultdict

from django.db.models import Prefetch, Q

from reader.cues import cue_lemma
from reader.formats.scope import ROWS_PER_QUERY, chunked
from reader.models import Annotation, Attribution, Label, Span, Speaker

TABLES = ("attributions", "links", "speakers")
BOM = "\ufeff"
PIECE_JOINER = " … "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ATTRIBUTION_COLUMNS = (
    "document", "title", "outlet", "published", "speaker", "speaker_kind", "source", "cue", "cue_lemma",
    "kind", "content", "start", "end", "pieces", "annotator", "status", "origin", "proposal",
)  # fmt: skip
SIDE_COLUMNS = ("document", "outlet", "words", "start", "end", "speaker", "cue")
LINK_COLUMNS = (
    "relation", "note", "status", "annotator",
    *(f"source_{name}" for name in SIDE_COLUMNS),
    *(f"target_{name}" for name in SIDE_COLUMNS),
)  # fmt: skip
SPEAKER_COLUMNS = (
    "speaker", "kind", "aliases", "outlet", "documents", "attributions", "direct", "indirect", "mixed",
    "cue_lemmas",
)  # fmt: skip
COLUMNS = {"attributions": ATTRIBUTION_COLUMNS, "links": LINK_COLUMNS, "speakers": SPEAKER_COLUMNS}


def neutralised(value):
    """A cell as written: text that a spreadsheet would take for a formula gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """What csv.writer writes to: it hands the line back instead of keeping it."""

    def write(self, line):
        return line


def csv_pieces(scope, table, *, bom=False):
    writer = csv.writer(_Line(), lineterminator="\r\n")  # RFC 4180: CRLF, minimal quoting
    yield (BOM if bom else "") + writer.writerow(COLUMNS[table])
    for row in ROWS[table](scope):
        yield writer.writerow([neutralised(value) for value in row])


def csv_chunks(scope, table, *, bom=False):
    """The table as str chunks. Lazy: nothing is read before the first chunk is asked for."""
    if table not in TABLES:
        raise ValueError(f"Unknown table {table!r}: choose one of {', '.join(TABLES)}.")
    return chunked(csv_pieces(scope, table, bom=bom))


# --- attributions ---------------------------------------------------------------------------------

_SPAN = ("start", "end", "exact")
_PIECES = Prefetch(
    "content_more", queryset=Span.objects.only("start", "end", "exact").order_by("start", "end")
)


def _work(scope):
    return scope.attributions().taken()


def attribution_rows(scope):
    attributions = (
        _work(scope)
        .select_related("document", "content", "cue", "source", "speaker", "author")
        .only(
            "kind", "status", "origin", "proposal",
            "document__slug", "document__title", "document__outlet", "document__published",
            "speaker__name", "speaker__kind", "author__username",
            *(f"{part}__{field}" for part in ("content", "cue", "source") for field in _SPAN),
        )
        .prefetch_related(_PIECES)
        .order_by("document__slug", "content__start", "content__end", "pk")
    )  # fmt: skip
    for row in attributions.iterator(ROWS_PER_QUERY):
        pieces = sorted([row.content, *row.content_more.all()], key=lambda span: (span.start, span.end))
        document = row.document
        cue = row.cue.exact if row.cue else ""
        yield [
            document.slug,
            document.title,
            document.outlet,
            document.published.isoformat() if document.published else "",
            row.speaker.name if row.speaker else "",
            row.speaker.kind if row.speaker else "",
            row.source.exact if row.source else "",
            cue,
            cue_lemma(cue),
            row.kind,
            PIECE_JOINER.join(piece.exact for piece in pieces),
            pieces[0].start,
            pieces[0].end,
            ";".join(f"{piece.start}-{piece.end}" for piece in pieces),
            row.author.username if row.author else "",
            row.status,
            row.origin,
            row.proposal,
        ]


# --- links ----------------------------------------------------------------------------------------


def _attributed(span_ids):
    """span id → (speaker, cue words) from the attributions (as work) whose content is that span or
    one of its pieces."""
    found = {}
    rows = (
        Attribution.objects.taken()
        .filter(Q(content__in=span_ids) | Q(content_more__in=span_ids))
        .values_list("content_id", "content_more", "speaker__name", "cue__exact")
        .order_by("pk")
    )
    for content, piece, speaker, cue in rows:
        for span in (content, piece):
            if span in span_ids:
                found.setdefault(span, (speaker or "", cue or ""))
    return found


def _annotated(span_ids, authors):
    """span id → (speaker, cue) from a Quote or Claim annotation of the span that names either: the
    link's own annotator's first (`authors`: span id → the link authors touching it), then an
    accepted one, then the first made."""
    rows = (
        Annotation.objects.filter(span__in=span_ids, label__kind__in=[Label.Kind.QUOTE, Label.Kind.CLAIM])
        .filter(Q(speaker__isnull=False) | ~Q(cue=""))
        .values_list("span_id", "author_id", "status", "speaker__name", "cue", "pk")
    )
    best = {}
    for span, author, status, speaker, cue, pk in rows:
        rank = (author not in authors.get(span, ()), status != "accepted", pk)
        if span not in best or rank < best[span][0]:
            best[span] = (rank, (speaker or "", cue))
    return {span: value for span, (_, value) in best.items()}


def _side(span, said):
    speaker, cue = said.get(span.pk, ("", ""))
    document = span.document
    return [document.slug, document.outlet, span.exact, span.start, span.end, speaker, cue]


def link_rows(scope):
    links = (
        scope.links()
        .select_related("source__document", "target__document", "author")
        .only(
            "relation", "note", "status", "author__username",
            *(f"{end}__{field}" for end in ("source", "target") for field in _SPAN),
            *(f"{end}__document__{field}" for end in ("source", "target") for field in ("slug", "outlet")),
        )
        .order_by(
            "source__document__slug", "source__start", "source__end",
            "target__document__slug", "target__start", "target__end", "relation", "pk",
        )
    )  # fmt: skip
    batch = []
    for link in links.iterator(ROWS_PER_QUERY):
        batch.append(link)
        if len(batch) == 500:
            yield from _link_batch(batch)
            batch = []
    yield from _link_batch(batch)


def _link_batch(links):
    if not links:
        return
    span_ids = {link.source_id for link in links} | {link.target_id for link in links}
    authors = defaultdict(set)
    for link in links:
        authors[link.source_id].add(link.author_id)
        authors[link.target_id].add(link.author_id)
    said = {**_annotated(span_ids, authors), **_attributed(span_ids)}  # an attribution wins
    for link in links:
        yield [
            link.relation,
            link.note,
            link.status,
            link.author.username,
            *_side(link.source, said),
            *_side(link.target, said),
        ]


# --- speakers -------------------------------------------------------------------------------------


def speaker_rows(scope):
    tally = defaultdict(lambda: {"documents": set(), "kinds": Counter(), "lemmas": Counter()})
    rows = (
        _work(scope)
        .filter(speaker__isnull=False)
        .values_list("speaker_id", "document__outlet", "document_id", "kind", "cue__exact")
    )
    for speaker, outlet, document, kind, cue in rows.iterator(ROWS_PER_QUERY):
        counts = tally[(speaker, outlet)]
        counts["documents"].add(document)
        counts["kinds"][kind] += 1
        if cue:
            counts["lemmas"][cue_lemma(cue)] += 1
    speakers = Speaker.objects.in_bulk({speaker for speaker, _ in tally})
    for speaker, outlet in sorted(tally, key=lambda key: (speakers[key[0]].name, key[1])):
        counts, who = tally[(speaker, outlet)], speakers[speaker]
        kinds = counts["kinds"]
        lemmas = sorted(counts["lemmas"].items(), key=lambda item: (-item[1], item[0]))
        yield [
            who.name,
            who.kind,
            " | ".join(who.alias_list),
            outlet,
            len(counts["documents"]),
            sum(kinds.values()),
            kinds["direct"],
            kinds["indirect"],
            kinds["mixed"],
            " | ".join(f"{lemma} ({count})" for lemma, count in lemmas),
        ]


ROWS = {"attributions": attribution_rows, "links": link_rows, "speakers": speaker_rows}
