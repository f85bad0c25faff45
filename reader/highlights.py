"""Render a document's text with its highlights, on the server.

The rendered text holds the stored text character for character (gaps between
paragraphs are kept in hidden elements), so the browser can turn any selection
into offsets by counting the text before it. Built with string joins, not
template loops: a page may hold thousands of segments.
"""

import bisect
import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from html import escape
from itertools import pairwise
from typing import NamedTuple

from django.utils.safestring import mark_safe

from reader import text as textlib


class SpanLook:
    """What a highlight shows of one span: its labels (in label order) and whether it
    is linked, with the strings every piece of the span repeats worked out once."""

    __slots__ = ("start", "end", "labels", "linked", "classes", "names", "marker", "annotations", "title")
    __slots__ += ("tag", "roles", "attributions", "proposed")

    def __init__(self, start, end):
        self.start, self.end = start, end
        self.labels = []
        self.linked = False
        self.classes, self.names, self.marker = "hl k-other", (), ""
        self.annotations = 0
        self.roles = set()  # content, cue, source: the parts of attributions this span plays
        self.attributions = []  # their ids
        self.proposed = True  # every attribution it plays a part in is an undecided proposal


ROLE_TITLES = {"source": "source", "cue": "cue", "content": "attributed"}


def span_looks(rows, labels, linked=(), roles=()) -> dict:
    """Each span's look, from plain rows (fast: a page may show thousands).

    `rows` are (span id, start, end, label id) of annotations, `labels` maps label
    ids to Labels, `linked` holds (span id, start, end) of spans with a link; one
    whose annotations were all deleted still shows, so its link stays visible.
    Orphaned spans are left out by the queries: their offsets belong to an old text.
    """
    looks = {}
    for span_id, start, end, label_id in rows:
        look = looks.get(span_id)
        if look is None:
            look = looks[span_id] = SpanLook(start, end)
        look.annotations += 1
        if label_id not in look.labels:
            look.labels.append(label_id)
    for span_id, start, end in linked:
        if span_id not in looks:
            looks[span_id] = SpanLook(start, end)
        looks[span_id].linked = True
    for span_id, start, end, role, attribution_id, proposed in roles:
        look = looks.get(span_id)
        if look is None:
            look = looks[span_id] = SpanLook(start, end)
        look.roles.add(role)
        if attribution_id not in look.attributions:
            look.attributions.append(attribution_id)
        look.proposed = look.proposed and proposed
    order = {pk: (label.position, label.name) for pk, label in labels.items()}
    # Spans mostly share a few label combinations: work each one out once.
    styles = {}
    for look in looks.values():
        key = tuple(sorted(look.labels, key=order.__getitem__))
        style = styles.get(key)
        if style is None:
            chosen = [labels[pk] for pk in key]
            style = styles[key] = (
                f"hl lab-{chosen[0].pk} k-{chosen[0].kind}" if chosen else "hl k-other",
                tuple(label.name for label in chosen),
                "".join(label.marker for label in chosen),
            )
        look.labels = key
        look.classes, look.names, look.marker = style
        if look.linked:
            look.classes += " linked"
            look.marker += "↔"
        names = look.names
        if look.roles:
            look.classes += "".join(f" a-{role}" for role in sorted(look.roles))
            if look.proposed and not look.annotations:
                look.classes += " proposed"
            names = (*names, *(ROLE_TITLES[role] for role in sorted(look.roles)))
        look.title = escape(" · ".join(names) or "linked")
        # The first piece of a linked span takes focus, so its counterpart can be found by keyboard.
        look.tag = f' data-tag="{escape(look.marker)}"' + (' tabindex="0"' if look.linked else "")
    return looks


def _attributes(ids):
    """The attributions of a piece, for the page to light their parts together."""
    return f' data-attr="{" ".join(map(str, ids))}"' if ids else ""


def _covering(spans, looks):
    """Whether any span covering a piece is linked, the roles (content, cue, source) and the
    attributions they play a part in: worked out once per link of the chain and kept on it, as
    pieces share their outer links, so a deep nest costs a step per span, not per span per piece."""
    pending = []
    link = spans
    while link is not None and (link.memo is None or link.memo[0] is not looks):
        pending.append(link)
        link = link.outer
    linked, roles, attributions = (False, (), ()) if link is None else link.memo[1:]
    for link in reversed(pending):
        look = looks[link.innermost]
        linked = linked or look.linked
        if not look.roles.issubset(roles):
            added = (*roles, *look.roles)
            roles = tuple(role for role in ("content", "cue", "source") if role in added)
        new = [pk for pk in look.attributions if pk not in attributions]
        if new:
            attributions = (*attributions, *new)
        link.memo = (looks, linked, roles, attributions)
    return spans.memo[1:]


def _made_here(spans, start):
    """The links of a piece's chain made where it starts, innermost first: those of the spans
    that start there (or, after a crossing end or a sentence edge, restart there)."""
    made = []
    for link in spans.chain():
        if link.since != start:
            break
        made.append(link)
    return made


# A piece under more spans than this names in data-spans only those whose links were made where
# it starts, and in data-outer how many of the previous piece's spans (outermost first) cover it
# too; reader.js rebuilds the rest. Listing every covering span made a deep nest's page quadratic.
LISTED_DEPTH = 8


def _mark(text, segment, looks):
    """One piece of highlighted text; `segment.spans` is a chain from textlib.segments."""
    words = escape(text[segment.start : segment.end], quote=False)
    spans = segment.spans
    if len(spans) == 1:  # most pieces: one span, every string ready
        span_id = spans[-1]
        look = looks[span_id]
        tag = look.tag if look.start == segment.start else ""
        if look.attributions:
            tag += _attributes(look.attributions)
        return f'<mark class="{look.classes}" data-spans="{span_id}" title="{look.title}"{tag}>{words}</mark>'
    # The span that started last (or the shortest among those starting
    # together) is the innermost: it sets the colour, the style and the tooltip
    # (the panel lists every span; deep nests would make tooltips long and slow).
    inner = looks[spans[-1]]
    linked, roles, attributions = _covering(spans, looks)
    classes = inner.classes.replace(" linked", "")
    classes += " deep" if len(spans) > 2 else " nested"
    if linked:
        classes += " linked"
    for role in roles:
        if f" a-{role}" not in classes:
            classes += f" a-{role}"
    made = [link.innermost for link in reversed(_made_here(spans, segment.start))]
    starting = [looks[span_id] for span_id in made if looks[span_id].start == segment.start]
    tag = f' data-tag="{escape(" ".join(look.marker for look in starting))}"' if starting else ""
    if any(look.linked for look in starting):
        tag += ' tabindex="0"'
    tag += _attributes(attributions)
    if len(spans) > LISTED_DEPTH and len(made) < len(spans):
        named = f'data-spans="{" ".join(map(str, made))}" data-outer="{len(spans) - len(made)}"'
    else:
        named = f'data-spans="{" ".join(map(str, spans))}"'
    return f'<mark class="{classes}" {named} title="{inner.title}"{tag}>{words}</mark>'


def _unit(document, text, unit, looks, oob=False):
    inner = "".join(
        _mark(text, segment, looks)
        if segment.spans
        else escape(text[segment.start : segment.end], quote=False)
        for segment in unit.segments
    )
    swap = ' hx-swap-oob="true"' if oob else ""
    return f'<span id="u-{document.pk}-{unit.index}" class="u"{swap}>{inner}</span>'


def _paragraph(document, text, block, looks, headings=()):
    inner = "".join(_unit(document, text, unit, looks) for unit in block.units)
    if (block.start, block.end) in headings:
        return (
            f'<h3 id="p-{document.pk}-{block.index}" class="para heading" data-start="{block.start}">'
            f"{_hide_marker(inner)}</h3>"
        )
    return f'<p id="p-{document.pk}-{block.index}" class="para" data-start="{block.start}">{inner}</p>'


_MARKER = re.compile(r"^((?:<span [^>]*>)?(?:<mark [^>]*>)?)(#{1,6}[ \t]+)")


def _hide_marker(html):
    """A Markdown heading's "## " stays in the page, as every character of the text does, but
    hidden (like the gaps between paragraphs), so offsets still count it."""
    return _MARKER.sub(r'\1<span class="heading-marker" hidden>\2</span>', html, count=1)


def _gap(text, start, end):
    return f'<span class="gap" hidden>{escape(text[start:end], quote=False)}</span>'


def render_text(document, looks):
    """The whole text with highlights: the inside of a column's text element."""
    return mark_safe(_joined(document, render_paragraphs(document, looks)))


def render_paragraphs(document, looks, paragraphs=None):
    """Each paragraph (of the text, or those given) with its highlights, by its index in the
    text's layout; `looks` must hold every span over them.

    Each is cached under a digest of what it shows (its place, the text, and the look of every
    span over it), so a text rendered again after a write costs only the paragraphs the write
    changed, even when nothing else about the column was kept; and a write that changes no
    highlight (a note) costs none."""
    from django.core.cache import cache

    if paragraphs is None:
        paragraphs = [block for block in _skeleton(document.text) if block.is_paragraph]
    starts = [block.start for block in paragraphs]
    over = [[] for _ in paragraphs]  # the spans over each paragraph
    for span_id, look in looks.items():
        index = max(bisect.bisect_right(starts, look.start) - 1, 0)
        while index < len(paragraphs) and paragraphs[index].start < look.end:
            if look.start < paragraphs[index].end:
                over[index].append(span_id)
            index += 1
    headings = set(document.heading_ranges)
    keys = {}
    for block, ids in zip(paragraphs, over, strict=True):
        shown = sorted(_signature(span_id, looks[span_id]) for span_id in ids)
        place = (document.pk, document.text_sha256, block.index, block.start, block.end)
        digest = hashlib.sha256(repr((place, (block.start, block.end) in headings, shown)).encode())
        keys[block.index] = f"paragraph:{digest.hexdigest()}"
    found = cache.get_many(keys.values())
    rendered = {}
    for block, ids in zip(paragraphs, over, strict=True):
        if keys[block.index] not in found:
            spans = [(span_id, looks[span_id].start, looks[span_id].end) for span_id in ids]
            rendered[keys[block.index]] = _paragraph_alone(document, block, spans, looks, headings)
    if rendered:
        cache.set_many(rendered, COLUMN_CACHE_SECONDS)
        found.update(rendered)
    return {block.index: found[keys[block.index]] for block in paragraphs}


def _joined(document, paragraphs):
    """The paragraphs' HTML with the gaps between them: the whole text."""
    text = document.text
    return "".join(
        paragraphs[block.index] if block.is_paragraph else _gap(text, block.start, block.end)
        for block in _skeleton(text)
    )


@lru_cache(maxsize=64)
def _skeleton(text):
    """The text's paragraphs (with their sentence units) and the gaps between them."""
    return textlib.layout(text, [])


def _signature(span_id, look):
    """Everything of a span's look that its marks show, comparable across processes."""
    roles, attributions = tuple(sorted(look.roles)), tuple(look.attributions)
    return (
        span_id,
        look.start,
        look.end,
        look.classes,
        look.title,
        look.tag,
        look.linked,
        roles,
        attributions,
    )


def _look_digest(span_id, look):
    """A span's signature in eight bytes: a column keeps one for each of thousands of spans, and
    they are read and written again with every patch."""
    digest = hashlib.blake2b(repr(_signature(span_id, look)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _paragraph_alone(document, skeleton_block, spans, looks, headings):
    """One paragraph with the given spans over it, as the whole text's sweep would cut it: the
    sweep starts at the earliest of them, so spans reaching in from before keep their order."""
    start, end = skeleton_block.start, skeleton_block.end
    block = textlib.Block(start, end, True, skeleton_block.index)
    block.units = [textlib.Unit(unit.index, unit.start, unit.end) for unit in skeleton_block.units]
    edges = [unit.start for unit in block.units]
    units = iter(block.units)
    unit = next(units)
    for segment in textlib.segments(min([start, *(s for _, s, _ in spans)]), end, spans, cuts=edges):
        if segment.start < start:
            continue
        while segment.start >= unit.end:
            unit = next(units)
        block.segments.append(segment)
        unit.segments.append(segment)
    return _paragraph(document, document.text, block, looks, headings)


def looks_for(documents, *, within=None, spans=None, labels=None, author=None, digests=None):
    """Every highlight of these documents (or of one stretch [low, high) of one, or of the
    `spans` with these ids), by document id, from plain rows whatever the number of annotations.

    Given a dict as `digests`, fills it with each document's text digest, read in the same
    statement as the spans: the text their offsets belong to (a document deleted meanwhile has
    none)."""
    from reader.models import Attribution, Label

    Proposal = Attribution.Proposal
    ids = [document.pk for document in documents]
    labels = labels or {label.pk: label for label in Label.objects.all()}
    rows, linked, roles = ({pk: [] for pk in ids} for _ in range(3))
    for part, document_id, span_id, start, end, other, proposal in _highlight_rows(
        ids, within, author, spans, digests is not None
    ):
        if part == "annotation":
            rows[document_id].append((span_id, start, end, other))
        elif part == "linked":
            linked[document_id].append((span_id, start, end))
        elif part == "text":
            digests[document_id] = proposal
        else:
            roles[document_id].append((span_id, start, end, part, other, proposal == Proposal.PROPOSED))
    return {pk: span_looks(rows[pk], labels, linked[pk], roles[pk]) for pk in ids}


def _highlight_rows(document_ids, within, author, spans=None, digests=False):
    """(part, document id, span id, start, end, label or attribution id, proposal) of everything
    the text shows: annotations, linked spans and the parts of attributions (undecided proposals
    too, declined ones not), orphaned spans left out; with `digests`, also ("text", document id,
    None, None, None, None, text digest) of each document, read with them.

    One statement of plain SQL, not four ORM queries: re-rendering a sentence after a write is
    the hot path of tagging, and building the queries cost more than running them. The spans
    shown are picked once (a CTE named by every part, so both SQLite and PostgreSQL materialize
    it): with a condition per part, each of the six scanned the document's spans again."""
    from django.db import connection

    from reader.models import Annotation, Attribution, Document, Link, Span

    if not document_ids:
        return
    span, annotation, link = Span._meta.db_table, Annotation._meta.db_table, Link._meta.db_table
    attribution = Attribution._meta.db_table
    more = Attribution.content_more.through._meta.db_table
    marks = ", ".join(["%s"] * len(document_ids))
    # Every part's span: its document among these, not orphaned, within the stretch.
    where = f"document_id IN ({marks}) AND NOT orphaned"
    params = list(document_ids)
    if within:
        where += ' AND start < %s AND "end" > %s'
        params += [within[1], within[0]]
    if spans is not None:
        where += f" AND id IN ({', '.join(['%s'] * len(spans))})" if spans else " AND 1 = 0"
        params += list(spans)
    shown = f'WITH s AS (SELECT id, document_id, start, "end" FROM {span} WHERE {where}) '
    columns = 's.document_id, s.id, s.start, s."end"'
    parts = []
    mine = " WHERE a.author_id = %s" if author is not None else ""
    parts.append(
        f"SELECT 'annotation', {columns}, a.label_id, NULL FROM s "
        f"JOIN {annotation} a ON a.span_id = s.id{mine}"
    )
    params += [author] if author is not None else []
    drawn = " AND l.author_id = %s" if author is not None else ""
    ends = " OR ".join(
        f"EXISTS (SELECT 1 FROM {link} l WHERE l.{end}_id = s.id{drawn})" for end in ("source", "target")
    )
    parts.append(f"SELECT 'linked', {columns}, NULL, NULL FROM s WHERE {ends}")
    params += [author, author] if author is not None else []
    # Blind mode: the viewer's own attributions, and the machine's undecided proposals.
    Proposal = Attribution.Proposal
    decided = [Proposal.DECLINED] + ([author, Proposal.PROPOSED] if author is not None else [])
    theirs = " WHERE t.proposal <> %s" + (
        " AND (t.author_id = %s OR t.proposal = %s)" if author is not None else ""
    )
    for role in ("content", "cue", "source"):
        parts.append(
            f"SELECT '{role}', {columns}, t.id, t.proposal FROM s "
            f"JOIN {attribution} t ON t.{role}_id = s.id{theirs}"
        )
        params += decided
    parts.append(
        f"SELECT 'content', {columns}, t.id, t.proposal FROM s JOIN {more} m ON m.span_id = s.id "
        f"JOIN {attribution} t ON t.id = m.attribution_id{theirs}"
    )
    params += decided
    if digests:
        parts.append(
            f"SELECT 'text', d.id, NULL, NULL, NULL, NULL, d.text_sha256 FROM {Document._meta.db_table} d "
            f"WHERE d.id IN ({marks})"
        )
        params += list(document_ids)
    with connection.cursor() as cursor:
        cursor.execute(shown + " UNION ALL ".join(parts), params)
        yield from cursor.fetchall()


_UNIT_RANGES = OrderedDict()  # (document id, text digest) -> _Units, the 64 last used
_UNIT_RANGES_LOCK = threading.Lock()


class _Units(NamedTuple):
    ends: list  # each sentence's end, in order: bisected to find the sentences a write touched
    ranges: list  # (index, start, end) of each sentence


def _unit_ranges(document):
    """The sentences of the document's text. Texts rarely change and writes come in runs on the
    same one: kept by the text's digest, as hashing a 2 MB text to look it up cost milliseconds."""
    key = (document.pk, document.text_sha256)
    with _UNIT_RANGES_LOCK:
        units = _UNIT_RANGES.get(key)
        if units is not None:
            _UNIT_RANGES.move_to_end(key)
            return units
    ranges = [
        (unit.index, unit.start, unit.end)
        for block in textlib.layout(document.text, [])
        if block.is_paragraph
        for unit in block.units
    ]
    units = _Units([end for _, _, end in ranges], ranges)
    with _UNIT_RANGES_LOCK:
        _UNIT_RANGES[key] = units
        while len(_UNIT_RANGES) > 64:
            _UNIT_RANGES.popitem(last=False)
    return units


def changed_units(document, start, end, author=None, labels=None):
    """Re-render the sentences a write at [start, end) touched, with all their highlights (the
    viewer's only, in blind mode: `author`); `document` needs its pk, its `text_sha256` and the
    text under that digest (annotating.committed_text gives it without reading the row).

    A write's answer is rendered after the write commits, from a document read before the spans:
    a text edit committed in between moves every span to the new text. So the spans are read in
    one statement with the digest of the text as committed (one statement sees one state, on
    SQLite as on PostgreSQL), and when that is not the digest of the text in hand nothing is
    rendered: sentences cut from one text with the offsets of another would put highlights over
    the wrong words. Then None: the page shows an older text, and must load the new one."""
    units = _unit_ranges(document)
    touched = []
    for index in range(bisect.bisect_right(units.ends, start), len(units.ranges)):
        i, s, e = units.ranges[index]
        if s >= end:
            break
        touched.append((i, s, e))
    if not touched:
        return []
    within = (touched[0][1], touched[-1][2])
    digests = {}
    looks = looks_for([document], within=within, labels=labels, author=author, digests=digests)[document.pk]
    if digests.get(document.pk) != document.text_sha256:
        return None
    spans = [(span_id, look.start, look.end) for span_id, look in looks.items()]
    units = [textlib.Unit(i, s, e, textlib.segments(s, e, spans)) for i, s, e in touched]
    return [mark_safe(_unit(document, document.text, unit, looks, oob=True)) for unit in units]


COLUMN_CACHE_SECONDS = 600
# A write's `modified` is dated before its transaction commits: a column patched from the
# rows changed since it was read also looks this far back from then, for writes that were still
# committing. Measured from the read, not from the newest change it saw: after an import or a
# bulk action every view looked at all of its rows again for as long as they were that recent.
# A write dated further back (a slower commit, another server's clock) adds to the sum of
# versions or the count more than the rows found explain, and the column is rendered whole.
COMMIT_SLACK = timedelta(seconds=5)
# Part of the cache keys: a column cached by a release that stored it in another shape is not read.
COLUMN_FORMAT = 2
PATCH_AT_MOST = 1000  # changed annotations a patch looks at one by one


def column_key(document_id, author):
    return f"column:{COLUMN_FORMAT}:{document_id}:{author}"


@dataclass
class _Column:
    """A column as cached: what it was rendered from, and its HTML."""

    basis: tuple  # what a patch cannot follow: the text, labels, attributions, whose work
    stats: tuple  # (count, newest id, newest change, sum of versions) of the annotations shown
    linked: frozenset  # the linked spans
    html: str
    read_at: datetime  # when its state was read (this server's clock): where a patch looks from
    # Names the pieces cached beside the column for patching it (under their own key, as the
    # page never needs them): pieces of another generation belong to another rendering.
    generation: str = field(default_factory=lambda: secrets.token_hex(8))

    def fits(self, basis, stats, linked):
        return (self.basis, self.stats, self.linked) == (basis, stats, linked)


class _Pieces(NamedTuple):
    """What patching a column needs: each paragraph's HTML, so a write's paragraphs can be
    rendered again alone, and a digest of each span's look, so a write that changes none renders
    nothing."""

    generation: str
    paragraphs: dict
    signatures: dict
    # {id: modified} of the annotations the last patch or rendering looked at: see _patched.
    seen: dict = {}  # noqa: RUF012 - never changed: each patch stores a new one


def columns_for(documents, *, labels, linked_ids, author=None):
    """Each document's rendered text, by document id; the number of their annotations; and
    each one's number of undecided proposals, by document id.

    Rendering thousands of highlights is the page's biggest cost, so a column is cached with
    what it was rendered from: the text, the labels, the document's attributions, the linked
    spans, and the count, newest id, newest change and sum of versions of its annotations (a
    deletion changes the count or, with a creation, the newest id; an edit bumps a version, so
    the sum changes even when the edit is dated before the newest change, as one committing
    late on PostgreSQL is). One aggregate query decides. After edits and creations only the
    paragraphs they touched are rendered again (`_patched`); anything else (a deletion, a new
    text, labels or attributions changed) renders the column again, from paragraphs cached by
    what they show.

    The caller reads `linked_ids` and calls this in one read snapshot (reader.snapshots), so a
    column holds exactly the state its fingerprint names: read apart, a write committed between
    the fingerprint and the rendering would be drawn into a column stored under the fingerprint
    of before, which the write undone (deleted) brings back.
    """
    from django.core.cache import cache

    ids = [document.pk for document in documents]
    # Before the fingerprint, in the snapshot the caller began a moment ago: COMMIT_SLACK covers
    # the difference, as it covers writes still committing then.
    read_at = datetime.now(UTC)
    stats, drawn = _fingerprints(ids, author)
    marks = tuple((lab.pk, lab.name, lab.kind, lab.shortcut, lab.position) for lab in labels.values())
    linked = frozenset(linked_ids)
    keys = {document.pk: column_key(document.pk, author) for document in documents}
    cached = cache.get_many(keys.values())
    html, changed = {}, {}
    bases = {d.pk: (d.text_sha256, d.headings, marks, drawn.get(d.pk), author) for d in documents}
    now = {document.pk: stats.get(document.pk, (0, None, None, None)) for document in documents}
    columns = {document.pk: cached.get(keys[document.pk]) for document in documents}
    stale = [pk for pk, column in columns.items() if column and not column.fits(bases[pk], now[pk], linked)]
    held = cache.get_many([f"{keys[pk]}:pieces" for pk in stale])
    pieces_of = {pk: held.get(f"{keys[pk]}:pieces") for pk in stale}
    changes = _Changes(
        {
            pk: (columns[pk].stats[1], columns[pk].read_at, pieces_of[pk].seen)
            for pk in stale
            if columns[pk].stats[0] and pieces_of[pk] is not None
        },
        author,
    )
    for document in documents:
        basis, key, column = bases[document.pk], keys[document.pk], columns[document.pk]
        if column is None or not column.fits(basis, now[document.pk], linked):
            pieces = pieces_of.get(document.pk)
            state = (basis, now[document.pk], linked, read_at)
            patched = pieces is not None and _patched(
                document, column, pieces, state, labels, author, changes
            )
            column, pieces = patched or _rendered(document, state, labels, author)
            changed[key] = column
            if pieces is not None:
                changed[f"{key}:pieces"] = pieces
        html[document.pk] = mark_safe(column.html)
    if changed:
        cache.set_many(changed, COLUMN_CACHE_SECONDS)
    proposed = {document: row[4] for document, row in drawn.items()}
    return html, sum(count for count, *_ in stats.values()), proposed


def _fingerprints(document_ids, author):
    """Of each document, by id: (count, newest id, newest change, sum of versions) of its
    annotations (the viewer's only, in blind mode: `author`), and (count, newest id, newest
    change, sum of versions, undecided proposals) of its attributions. One plain statement: the
    page asks it on every view, and building the ORM's two aggregates cost more than running
    them."""
    from django.db import connection

    from reader.models import Annotation, Attribution, Span

    marks = ", ".join(["%s"] * len(document_ids))
    mine = " AND a.author_id = %s" if author is not None else ""
    sql = (
        "SELECT 0, s.document_id, COUNT(*), MAX(a.id), MAX(a.modified), SUM(a.version), NULL "
        f"FROM {Annotation._meta.db_table} a JOIN {Span._meta.db_table} s ON s.id = a.span_id "
        f"WHERE s.document_id IN ({marks}){mine} "
        "GROUP BY s.document_id UNION ALL "
        "SELECT 1, t.document_id, COUNT(*), MAX(t.id), MAX(t.modified), SUM(t.version), "
        f"COUNT(CASE WHEN t.proposal = %s THEN 1 END) FROM {Attribution._meta.db_table} t "
        f"WHERE t.document_id IN ({marks}) GROUP BY t.document_id"
    )
    params = [*document_ids, *([author] if author is not None else []), Attribution.Proposal.PROPOSED]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *document_ids])
        rows = cursor.fetchall()
    stats = {
        pk: (count, newest, _moment(changed), versions)
        for part, pk, count, newest, changed, versions, _ in rows
        if not part
    }
    drawn = {
        pk: (count, newest, _moment(changed), versions, proposed)
        for part, pk, count, newest, changed, versions, proposed in rows
        if part
    }
    return stats, drawn


def _moment(value):
    """A date and time as the ORM gives it (SQLite's driver gives a plain statement's as text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _rendered(document, state, labels, author):
    """The column rendered whole (the text's paragraphs, or a long text's first part), and the
    pieces to patch it with later (None for a long text: a change renders its part again).
    `state`: (basis, stats, linked, read_at) as columns_for read them."""
    basis, stats, linked, read_at = state
    part = part_of(document)
    if part is None:
        # Read before the text, so each is shown as it is now or newer: the first patch need not
        # look at them again.
        count, newest, _, _ = stats
        seen = _window({document.pk: (newest, read_at)}) if count else {}
        looks = looks_for([document], labels=labels, author=author)[document.pk]
        paragraphs = render_paragraphs(document, looks)
        column = _Column(basis, stats, linked, _joined(document, paragraphs), read_at)
        signatures = {pk: _look_digest(pk, look) for pk, look in looks.items()}
        return column, _Pieces(column.generation, paragraphs, signatures, seen)
    looks = looks_for([document], within=(0, part.high), labels=labels, author=author)[document.pk]
    return _Column(basis, stats, linked, str(render_part(document, looks, part)), read_at), None


class _Changes:
    """The annotations changed since the columns a page patches were read: asked once for all of
    them, when the first patch needs them. `bounds` maps their document ids to (newest id, when
    it was read, the rows it saw then) of each column."""

    def __init__(self, bounds, author):
        self.bounds, self.author, self.rows, self.window = bounds, author, None, None

    def of(self, document_id):
        """Its rows, or None when there are more than the patches would look at one by one."""
        if self.window is None:
            self._read()
        return None if self.rows is None else self.rows.get(document_id, [])

    def seen(self):
        """What a column patched now has seen: every row of the window, as it is now."""
        if self.window is None:
            self._read()
        return self.window

    def _read(self):
        bounds = {pk: (newest, read_at) for pk, (newest, read_at, _) in self.bounds.items()}
        self.window = _window(bounds)
        # A row every column saw as it is now was shown by each: only the others are read whole.
        seens = [seen for _, _, seen in self.bounds.values()]
        ids = [pk for pk, modified in self.window.items() if any(seen.get(pk) != modified for seen in seens)]
        if len(ids) <= PATCH_AT_MOST * len(bounds):  # beyond, an import: rendering whole is no dearer
            self.rows = _changed_rows(bounds, ids, self.author) if ids else {}


def _window(bounds):
    """{id: modified, as text} of the annotations dated from COMMIT_SLACK before the earliest of
    the reads on (of any document: from the index on `modified` alone, without a join: while the
    slack covers an import or a bulk action this is thousands of rows at every view, and reading
    each one's span cost more than the rest of the patch), and of those of these documents made
    after the least of their newest ids (an import keeps its file's dates). `bounds`: document
    id to (newest id, when its column was read)."""
    from django.db import connection

    from reader.models import Annotation, Span

    if not bounds:
        return {}
    adapt = connection.ops.adapt_datetimefield_value
    annotation, span = Annotation._meta.db_table, Span._meta.db_table
    # `modified` as text: only compared with itself (a row seen before); parsing and pickling
    # thousands of dates cost more. The document of each row made since, asked row by row: joined,
    # SQLite's planner read every span of the documents first.
    sql = (
        f"SELECT id, CAST(modified AS TEXT) FROM {annotation} WHERE modified >= %s UNION ALL "
        f"SELECT a.id, CAST(a.modified AS TEXT) FROM {annotation} a WHERE a.id > %s AND "
        f"(SELECT s.document_id FROM {span} s WHERE s.id = a.span_id) IN ({', '.join(['%s'] * len(bounds))})"
    )
    params = [
        adapt(min(read_at for _, read_at in bounds.values()) - COMMIT_SLACK),
        min(newest for newest, _ in bounds.values()),
        *bounds,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _changed_rows(bounds, ids, author):
    """By document id, (id, span, start, end, modified, version) of the annotations among `ids`
    (the viewer's, in blind mode) made after its newest id or dated from COMMIT_SLACK before its
    column was read on, each document with its own bounds (`bounds`: document id to (newest id,
    when it was read)). One plain statement: the ORM's took longer to build than to run."""
    from django.db import connection

    from reader.models import Annotation, Span

    adapt = connection.ops.adapt_datetimefield_value
    own = " ".join("WHEN %s THEN (a.id > %s OR a.modified >= %s)" for _ in bounds)
    sql = (
        'SELECT a.id, a.span_id, s.document_id, s.start, s."end", CAST(a.modified AS TEXT), a.version '
        f"FROM {Annotation._meta.db_table} a JOIN {Span._meta.db_table} s ON s.id = a.span_id "
        f"WHERE a.id IN ({', '.join(['%s'] * len(ids))}) AND CASE s.document_id {own} ELSE FALSE END"
    )
    params = list(ids)
    for document, (newest, read_at) in bounds.items():
        params += [document, newest, adapt(read_at - COMMIT_SLACK)]
    if author is not None:
        sql += " AND a.author_id = %s"
        params.append(author)
    rows = {document: [] for document in bounds}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, span, document, start, end, modified, version in cursor.fetchall():
            rows[document].append((pk, span, start, end, modified, version))
    return rows


def _patched(document, column, pieces, state, labels, author, changes):
    """The column with only the paragraphs whose highlights changed rendered again, and its
    pieces updated; or None when that cannot be known: a deletion (its place is gone with it),
    anything in the basis changed, pieces of another rendering.

    The spans the changed annotations and links touch are looked at first: a change that shows
    nothing new (a note, a status) renders no paragraph at all."""

    from reader.models import Span

    basis, stats, linked, read_at = state
    (count, newest, _, versions), (count_now, _, _, versions_now) = column.stats, stats
    if column.basis != basis or pieces.generation != column.generation or not count:
        return None
    rows = changes.of(document.pk)
    if rows is None:
        return None
    if count_now != count + sum(1 for pk, *_ in rows if pk > newest):
        return None  # something was deleted
    # The slack finds every write of its seconds again at each patch: after an import, each view
    # looked at every imported row again. One the last patch or rendering looked at, not changed
    # since (the same `modified`), is shown as it is.
    unseen = [row for row in rows if pieces.seen.get(row[0]) != row[4]]
    # A new row adds its version to the sum, an edited one at most its version less the first
    # (one seen unchanged, nothing): more than that, and a row edited without being found (dated
    # further back than the slack).
    if versions_now - versions > sum(version - (pk <= newest) for pk, *_, version in unseen):
        return None
    if len(unseen) > PATCH_AT_MOST:
        return None  # an import or a bulk action: rendering it whole is no dearer
    ranges = {span: (start, end) for _, span, start, end, *_ in unseen}
    relinked = column.linked ^ linked  # spans linked or unlinked since
    if relinked:
        ranges.update(
            (span, (start, end))
            for span, start, end in Span.objects.filter(pk__in=relinked, document=document).values_list(
                "pk", "start", "end"
            )
        )
    if ranges:
        now = looks_for([document], spans=list(ranges), labels=labels, author=author)[document.pk]
        shown = {span: _look_digest(span, look) for span, look in now.items()}
        ranges = {span: at for span, at in ranges.items() if shown.get(span) != pieces.signatures.get(span)}
    paragraphs = [block for block in _skeleton(document.text) if block.is_paragraph]
    starts = [block.start for block in paragraphs]
    dirty = set()
    for start, end in ranges.values():
        index = max(bisect.bisect_right(starts, start) - 1, 0)
        while index < len(paragraphs) and paragraphs[index].start < end:
            if start < paragraphs[index].end:
                dirty.add(index)
            index += 1
    fresh = dict(pieces.paragraphs)
    signatures = dict(pieces.signatures)
    for span in ranges:
        signatures.pop(span, None)
    for run in _runs(sorted(dirty)):
        blocks = [paragraphs[index] for index in run]
        within = (blocks[0].start, blocks[-1].end)
        looks = looks_for([document], within=within, labels=labels, author=author)[document.pk]
        fresh.update(render_paragraphs(document, looks, blocks))
        signatures.update((span, _look_digest(span, look)) for span, look in looks.items())
    column = _Column(basis, stats, linked, _joined(document, fresh), read_at)
    return column, _Pieces(column.generation, fresh, signatures, changes.seen())


def _runs(indexes):
    """Sorted indexes as runs of consecutive ones: [1, 2, 5] → [[1, 2], [5]]."""
    runs = []
    for index in indexes:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


# --- Long texts come in parts ----------------------------------------------------------------
# A text longer than READER_PAGED_ABOVE characters is sent a part at a time: whole paragraphs
# adding up to about READER_PAGE_CHARS, the first with the page, the others as the reader
# scrolls. Each part holds the stored text [low, high) character for character (the gap before
# each of its paragraphs included), so the parts joined are the whole rendering, and the page
# counts offsets from the nearest paragraph's data-start.
PAGED_ABOVE = 200_000
PAGE_CHARS = 50_000


class Part(NamedTuple):
    first: int  # the index of its first paragraph
    last: int  # one past its last paragraph
    low: int  # where its text starts: 0, or the end of the paragraph before it
    high: int  # where it ends: the end of its last paragraph, or of the text
    paragraphs: int  # in the whole text
    length: int  # of the whole text

    @property
    def rest(self):
        """Where the text not in this part begins, for the placeholder standing for it."""
        return self.high if self.last < self.paragraphs else None


@lru_cache(maxsize=16)
def _paragraph_bounds(text):
    return tuple(textlib.paragraphs(text))


@lru_cache(maxsize=16)
def _units_before(text):
    """How many sentence units (textlib.layout's numbering) come before each paragraph: a part
    further down numbers its units as the whole text would, so writes swap the right ones."""
    starts = sorted({start for start, _ in textlib.sentences(text)})
    counts, total = [], 0
    for start, end in _paragraph_bounds(text):
        counts.append(total)
        total += 1 + bisect.bisect_left(starts, end) - bisect.bisect_right(starts, start)
    return counts


def part_of(document, first=0, through=None):
    """The part of a long text from paragraph `first` on (reaching at least past offset
    `through`), or None for a text short enough to be sent whole. ValueError for a `first`
    or `through` outside the text."""
    from django.conf import settings

    text = document.text
    if len(text) <= getattr(settings, "READER_PAGED_ABOVE", PAGED_ABOVE):
        return None
    bounds = _paragraph_bounds(text)
    count = len(bounds)
    if not 0 <= first < count:
        raise ValueError(f"The text has {count} paragraphs: ask for one from 0 to {count - 1}.")
    if through is not None and not 0 <= through < len(text):
        raise ValueError(f"The text has {len(text)} characters: ask for an offset from 0 to {len(text) - 1}.")
    size = getattr(settings, "READER_PAGE_CHARS", PAGE_CHARS)
    low = bounds[first - 1][1] if first else 0
    last = first + 1
    while last < count and (bounds[last - 1][1] - low < size or bounds[last - 1][1] <= (through or -1)):
        last += 1
    high = bounds[last - 1][1] if last < count else len(text)
    return Part(first, last, low, high, count, len(text))


def render_part(document, looks, part):
    """The paragraphs of one part with their highlights (`looks` of at least [low, high)):
    exactly the slice of render_text's answer that holds text[low:high]."""
    text = document.text
    bounds = _paragraph_bounds(text)
    headings = set(document.heading_ranges)
    begin = bounds[part.first][0]
    # Sentence starts of these paragraphs only: sentences never cross a paragraph.
    starts = sorted({begin + s for s, _ in textlib.sentences(text[begin : part.high])})
    unit_index = _units_before(text)[part.first] if part.first else 0
    blocks, edges = [], []
    for index in range(part.first, part.last):
        start, end = bounds[index]
        cuts = [start, *(s for s in starts if start < s < end), end]
        block = textlib.Block(start, end, True, index)
        for unit_start, unit_end in pairwise(cuts):
            block.units.append(textlib.Unit(unit_index, unit_start, unit_end))
            unit_index += 1
        blocks.append(block)
        edges += cuts
    spans = [(span_id, look.start, look.end) for span_id, look in looks.items() if look.start < part.high]
    # Sweep from the earliest start, as the whole text's sweep would, so that spans reaching in
    # from an earlier part keep their order (outermost first) in every piece.
    sweep_from = min([begin, *(start for _, start, _ in spans)])
    pieces = iter([(block, unit) for block in blocks for unit in block.units])
    block, unit = next(pieces)
    for segment in textlib.segments(sweep_from, bounds[part.last - 1][1], spans, cuts=edges):
        if segment.start < begin:
            continue
        while segment.start >= unit.end:
            block, unit = next(pieces)
        if segment.start < block.start:  # in the gap before the paragraph
            continue
        block.segments.append(segment)
        unit.segments.append(segment)
    parts = []
    for block in blocks:
        gap_start = bounds[block.index - 1][1] if block.index else 0
        if gap_start < block.start:
            parts.append(_gap(text, gap_start, block.start))
        parts.append(_paragraph(document, text, block, looks, headings))
    if part.last == part.paragraphs and bounds[-1][1] < len(text):
        parts.append(_gap(text, bounds[-1][1], len(text)))
    return mark_safe("".join(parts))


def part_html(document, part, *, labels, author=None):
    """One part's HTML, cached under a fingerprint of what it shows (as columns_for does for
    whole columns): the text, the labels, the annotations and links of its stretch, the
    document's attributions, and whose work it shows. Like columns_for, to be called in one read
    snapshot, and counting versions: an edit dated before the newest change still shows."""
    from django.core.cache import cache
    from django.db.models import Count, Max, Q, Sum

    from reader.models import Annotation, Attribution, Link

    low, high = part.low, part.high
    annotations = Annotation.objects.filter(
        span__document=document, span__start__lt=high, span__end__gt=low
    ).order_by()
    links = Link.objects.filter(
        Q(source__document=document, source__start__lt=high, source__end__gt=low)
        | Q(target__document=document, target__start__lt=high, target__end__gt=low)
    ).order_by()
    if author is not None:
        annotations, links = annotations.filter(author=author), links.filter(author=author)
    fingerprint = (
        document.text_sha256,
        document.headings,
        [(label.pk, label.name, label.kind, label.shortcut, label.position) for label in labels.values()],
        annotations.aggregate(
            count=Count("id"), newest=Max("id"), changed=Max("modified"), versions=Sum("version")
        ),
        sorted(links.values_list("id", flat=True)),
        Attribution.objects.filter(document=document)
        .order_by()
        .aggregate(count=Count("id"), newest=Max("id"), changed=Max("modified"), versions=Sum("version")),
        author,
        part,
    )
    key = f"part:{document.pk}:{hashlib.sha256(repr(fingerprint).encode()).hexdigest()}"
    html = cache.get(key)
    if html is None:
        looks = looks_for([document], within=(low, high), labels=labels, author=author)[document.pk]
        html = str(render_part(document, looks, part))
        cache.set(key, html, COLUMN_CACHE_SECONDS)
    return mark_safe(html)
