"""Pure text functions: offsets, selections, paragraphs and highlight segments.

Offsets are always code points of the stored text (Python's own string
indices), never UTF-16 units or bytes. Nothing here imports Django.
"""

import bisect
import functools
import hashlib
import re
import time
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise
from typing import NamedTuple

from diff_match_patch import diff_match_patch

CONTEXT_CHARS = 32

_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")


def split_outlet(value: str) -> tuple[str, str]:
    """An outlet as written with a note on how it is known, "Mehr News Agency (Tehran dateline;
    …)", as (name, note); "unknown (…)" has no name, only the note."""
    value = value.strip()
    name, note = value, ""
    if value.endswith(")") and " (" in value:
        name, note = value[:-1].split(" (", 1)
    if name.strip().lower() in {"unknown", "unknown outlet"}:
        name = ""
    return name.strip(), note.strip()


_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+\S.*$", re.MULTILINE)


def heading_lines(text: str, lines=()) -> list[list[int]]:
    """[start, end] of every heading in `text`: each line equal to one of `lines` (as a manifest
    names them), and each Markdown-style line ("## Subheading"), its marker included (the page
    hides the marker; the text keeps it, so nothing pasted is changed)."""
    wanted = {line.strip() for line in lines if line.strip()}
    found = set()
    position = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and stripped in wanted:
            start = position + line.index(stripped)
            found.add((start, start + len(stripped)))
        position += len(line) + 1
    for match in _MARKDOWN_HEADING.finditer(text):
        found.add((match.start(), match.start() + len(match.group().rstrip())))
    return [list(pair) for pair in sorted(found)]


OPENING_QUOTES = "\"'“‘«„`"
CLOSING_QUOTES = "\"'”’»`"


def quotation_kind(words: str) -> str:
    """How attributed words are reported: "direct" when they are a quotation in its marks,
    "mixed" when a paraphrase holds quoted words, else "indirect"."""
    words = words.strip().rstrip(".,;:")
    if len(words) > 1 and words[0] in OPENING_QUOTES and words[-1] in CLOSING_QUOTES:
        return "direct"
    if words.startswith("''") and words.endswith("''") and len(words) > 4:
        return "direct"
    if any(mark in words for mark in '"“”«»') or "''" in words:
        return "mixed"
    return "indirect"


def nearest_occurrence(text: str, words: str, start: int, end: int, reach: int = 250):
    """(start, end) of the occurrence of `words` (whole words, any case) nearest to [start, end)
    without overlapping it, within `reach` characters of it; None when there is none."""
    words = words.strip()
    if not words:
        return None
    low, high = max(0, start - reach), min(len(text), end + reach)
    pattern = re.compile(rf"(?<!\w){re.escape(words)}(?!\w)", re.IGNORECASE)
    found = [(low + m.start(), low + m.end()) for m in pattern.finditer(text[low:high])]
    outside = [(s, e) for s, e in found if e <= start or s >= end]
    return min(outside, key=lambda c: (min(abs(c[0] - end), abs(start - c[1])), c[0]), default=None)


class SelectionError(ValueError):
    """A selection that can never be stored (answered with 400)."""

    status = 400


class StaleSelection(SelectionError):
    """The browser saw other text at these offsets than the server has (409)."""

    status = 409


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every paragraph: runs of text separated by blank lines.

    A line holding only spaces or tabs counts as blank; runs that hold only
    whitespace are not paragraphs. Single newlines stay inside their paragraph.
    """
    found = []
    position = 0
    for separator in _BLANK_LINES.finditer(text):
        found.append((position, separator.start()))
        position = separator.end()
    found.append((position, len(text)))
    return [(start, end) for start, end in found if text[start:end].strip()]


def check_selection(text: str, start: int, end: int, exact: str) -> tuple[int, int]:
    """Check a selection the browser sent and return it trimmed of outer whitespace."""
    if start > end:
        raise SelectionError(f"The selection is reversed: it starts at {start} but ends at {end}.")
    if start < 0 or end > len(text):
        raise SelectionError(
            f"The selection {start}–{end} lies outside the text, which has {len(text)} characters."
        )
    if start == end:
        raise SelectionError("The selection is empty: select some text first.")
    if text[start:end] != exact:
        raise StaleSelection(
            f"The text at {start}–{end} is not the text you selected; the page may be out of date. "
            "Reload it and select again."
        )
    trimmed_start = start + len(exact) - len(exact.lstrip())
    trimmed_end = end - (len(exact) - len(exact.rstrip()))
    if trimmed_start >= trimmed_end:
        raise SelectionError("The selection holds only whitespace: select some words.")
    return trimmed_start, trimmed_end


def context(text: str, start: int, end: int, size: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The prefix and suffix around a span, as a TextQuoteSelector records them."""
    return text[max(0, start - size) : start], text[end : end + size]


class Spans:
    """The ids of the spans covering a segment, outermost first, as a chain that shares its outer
    part with the neighbouring segments': in a deep nest each piece would otherwise repeat every
    id around it, quadratic in time and memory. Immutable; behaves as a tuple (len, iteration,
    [-1] for the innermost, `in`, equality with a tuple). `since` is the offset where the link
    was made (its span starts there, a crossing span ended there, or an extra cut); `memo` lets
    a consumer keep what it works out of one chain, for the chains built on it."""

    __slots__ = ("innermost", "outer", "depth", "since", "memo")

    def __init__(self, innermost, outer=None, since=None):
        self.innermost, self.outer, self.since = innermost, outer, since
        self.depth = outer.depth + 1 if outer is not None else 1
        self.memo = None

    def chain(self):
        """The links, innermost first: each holds one id and the chain around it."""
        link = self
        while link is not None:
            yield link
            link = link.outer

    def _innermost_first(self):
        ids = []
        link = self
        while link is not None:
            ids.append(link.innermost)
            link = link.outer
        return ids

    def __reversed__(self):
        return iter(self._innermost_first())

    def __iter__(self):
        ids = self._innermost_first()
        ids.reverse()
        return iter(ids)

    def __len__(self):
        return self.depth

    def __getitem__(self, index):
        if index == -1:
            return self.innermost
        return tuple(self)[index]

    def __contains__(self, span_id):
        return any(link.innermost == span_id for link in self.chain())

    def __eq__(self, other):
        if self is other:
            return True
        if isinstance(other, (Spans, tuple)):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self):
        return hash(tuple(self))

    def __repr__(self):
        return f"Spans{tuple(self)!r}"


class Segment(NamedTuple):
    start: int
    end: int
    spans: tuple = ()  # ids of the spans covering it, outermost first: () or a Spans chain


@dataclass
class Block:
    """A stretch of the text: a paragraph (cut into segments) or the gap between two."""

    start: int
    end: int
    is_paragraph: bool
    index: int = -1
    segments: list = field(default_factory=list)
    units: list = field(default_factory=list)


@dataclass
class Unit:
    """A sentence of a paragraph with the space after it: the smallest piece a page
    re-renders after a write, so a long paragraph is not re-sent whole."""

    index: int
    start: int
    end: int
    segments: list = field(default_factory=list)


def segments(start: int, end: int, spans, cuts=()) -> list[Segment]:
    """Cut [start, end) at every boundary of the given (id, start, end) spans.

    Segments rebuild [start, end) exactly, in order; each names the spans that
    cover it, outermost first, in a chain shared with its neighbours (see Spans). Sorting the
    boundaries makes this O((n + k) log k) for k spans; a span ending while spans that started
    after it go on costs as many steps as there are of those.
    Extra `cuts` (paragraph and sentence edges) split segments without naming a span; the
    chain of the piece after one is made there (see Spans.since).
    """
    starting, ending = {}, {}
    fresh = {c for c in cuts if start < c < end}
    for span_id, span_start, span_end in spans:
        clipped_start, clipped_end = max(span_start, start), min(span_end, end)
        if clipped_start < clipped_end:
            starting.setdefault(clipped_start, []).append((span_end, span_id))
            ending.setdefault(clipped_end, []).append(span_id)
    cuts = sorted({start, end, *starting, *ending, *fresh})
    # Spans that start earlier (or end later) sit further out. A span starting is pushed in
    # O(1); spans ending innermost are popped in O(1); only a span ending under others that
    # outlive it (crossing spans) has the links above it rebuilt. At an extra cut the chain is
    # made anew: a page may swap one sentence alone, so its first piece names all its own links.
    active = None
    result = []
    for cut, next_cut in pairwise(cuts):
        gone = ending.get(cut)
        if gone:
            if len(gone) == 1 and active.innermost == gone[0]:
                active = active.outer
            else:
                active = _without(active, set(gone), cut)
        if cut in fresh and active is not None:
            active = _without(active, set(), cut, everything=True)
        new = starting.get(cut)
        if new:
            new.sort(reverse=True)
            for _, span_id in new:
                active = Spans(span_id, active, cut)
        result.append(Segment(cut, next_cut, () if active is None else active))
    return result


def _without(active, gone, cut, everything=False):
    kept = []
    while gone or (everything and active is not None):
        if active.innermost in gone:
            gone.discard(active.innermost)
        else:
            kept.append(active.innermost)
        active = active.outer
    for span_id in reversed(kept):
        active = Spans(span_id, active, cut)
    return active


def layout(text: str, spans) -> list[Block]:
    """The whole text as alternating gaps and paragraphs, paragraphs cut into segments.

    The blocks rebuild the text exactly, so a page that renders every block
    (gaps hidden) holds the stored text character for character.
    """
    blocks = []
    position = 0
    for index, (start, end) in enumerate(paragraphs(text)):
        if position < start:
            blocks.append(Block(position, start, is_paragraph=False))
        blocks.append(Block(start, end, True, index))
        position = end
    if position < len(text):
        blocks.append(Block(position, len(text), is_paragraph=False))
    # Units tile each paragraph: each runs from one sentence's start to the next's.
    starts = sorted({start for start, _ in sentences(text)})
    unit_index = 0
    for block in blocks:
        if not block.is_paragraph:
            continue
        # The sentence starts inside this paragraph, found by bisection: a scan of all of them
        # for each paragraph took seconds on a 2 MB text.
        inside = starts[bisect.bisect_right(starts, block.start) : bisect.bisect_left(starts, block.end)]
        cuts = [block.start, *inside, block.end]
        for unit_start, unit_end in pairwise(cuts):
            block.units.append(Unit(unit_index, unit_start, unit_end))
            unit_index += 1
    # One sweep over the whole text, cut at paragraph and unit edges too, so every
    # segment falls inside one block and one unit.
    edges = [block.start for block in blocks] + [unit.start for block in blocks for unit in block.units]
    pieces = iter([(block, unit) for block in blocks for unit in (block.units or [None])])
    block, unit = next(pieces, (None, None))
    for segment in segments(0, len(text), spans, cuts=edges):
        while segment.start >= (unit.end if unit else block.end):
            block, unit = next(pieces)
        if block.is_paragraph:
            block.segments.append(segment)
            unit.segments.append(segment)
    return blocks


# A sentence ends at . ! or ? (and any closing quotes or brackets) before
# whitespace and a capital, digit or opening quote. Initials and a few common
# abbreviations ("U.S.", "Gen.", "Dr.") do not end one.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]\.)+$|\b(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Sgt|St|Jr|Sr|Prof|Rep|Sen|Gov|No|vs|etc"
    r"|Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, never crossing a paragraph, trimmed of whitespace."""
    found = []
    for p_start, p_end in paragraphs(text):
        position = p_start
        for end in _SENTENCE_END.finditer(text, p_start, p_end):
            if _ABBREVIATION.search(text, max(p_start, end.start() - 12), end.start() + 1):
                continue
            found.append((position, end.end()))
            position = end.end()
        found.append((position, p_end))
    trimmed = []
    for start, end in found:
        piece = text[start:end]
        start += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        if start < end:
            trimmed.append((start, end))
    return trimmed


_WORD_OR_SPACE = re.compile(r"\S+")


def word_diff(left: str, right: str) -> list[tuple[str, str, str]]:
    """Align two passages word by word: (operation, left words, right words) runs,
    where operation is equal, replace, delete (only on the left) or insert (only on the right)."""
    a, b = _WORD_OR_SPACE.findall(left), _WORD_OR_SPACE.findall(right)
    # Compare words loosely (case and surrounding punctuation), show them as written.
    key = [w.casefold().strip(".,;:!?\"'“”‘’()[]") for w in a]
    key_b = [w.casefold().strip(".,;:!?\"'“”‘’()[]") for w in b]
    matcher = SequenceMatcher(a=key, b=key_b, autojunk=False)
    return [
        (operation, " ".join(a[i1:i2]), " ".join(b[j1:j2]))
        for operation, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


# --- Re-anchoring after a text edit -------------------------------------------------------------
#
# When a curator edits a text, every span is carried through the diff between the old and the new
# text. A span inside a stretch the edit left alone keeps its words and moves by arithmetic: no
# search. Only a span that touches a change is searched, and only in a window around where the
# diff puts it, as Hypothesis anchors a TextQuoteSelector (client/src/annotator/anchoring/
# match-quote.ts): exact or approximate occurrences of the quote (Myers' bit-parallel edit
# distance, as its approx-string-match does), each scored by its quote, prefix, suffix and
# position. Hypothesis accepts the best candidate anywhere; a curator's corpus is better served by
# an orphan than by a highlight on the wrong words, so here:
# - an approximate match may differ from the quote in at most a quarter of its characters;
# - a match where the diff puts the span's own words (both ends of the span survived the edit and
#   the match overlaps them) may be taken whatever its context: these are the span's words, edited;
# - any other match (the span's words were deleted or rewritten around its ends, or the match is
#   elsewhere, or the span was already orphaned) may be taken only when it keeps at least half of
#   its context, even when it is the one exact occurrence of the quote in the whole text;
# - the span's own words, edited, win when they kept their context; otherwise the best scored of
#   the matches that may be taken wins, so the same words moved elsewhere with their context beat
#   similar words left in a changed place (two passages traded places).


QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50, 20, 20, 2
MAX_FUZZY_ERRORS = 0.25  # of the quote's length
MIN_CONTEXT_SCORE = 0.5  # mean of the prefix and suffix scores (of those the span has)
MAX_FUZZY_CANDIDATES = 50
SEARCH_MARGIN = 256  # characters searched on either side of where the diff puts a changed span
DIFF_SECONDS = 0.5  # the diff's budget: past it, what is left unaligned counts as one change
REFINE_CHARS = 200  # changed runs of words this short are aligned character by character


def _match_scores(text: str, pattern: str, *, anchored: bool = False) -> list[int]:
    """For each position j of `text`, the least edit distance between `pattern` and any
    substring of `text` ending just after j (Myers 1999, in Hyyrö's formulation); with
    `anchored`, between `pattern` and `text[: j + 1]`.

    Python's unbounded integers hold the bit vectors, so patterns of any length work; the cost
    is a handful of integer operations per character of `text`.
    """
    m = len(pattern)
    if m == 0:
        return [0] * len(text)
    peq = {}
    for i, char in enumerate(pattern):
        peq[char] = peq.get(char, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    scores = []
    for char in text:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        # Shifting in 0 lets a match start anywhere in the text (D[0][j] = 0); shifting in 1
        # pins it to the text's start (D[0][j] = j).
        ph = ((ph << 1) | anchored) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv & mask
        scores.append(score)
    return scores


def edit_distance_within(text: str, pattern: str) -> int:
    """The fewest edits that turn `pattern` into some substring of `text` (all of it, if empty)."""
    return min(_match_scores(text, pattern), default=len(pattern))


def approximate_matches(text: str, pattern: str, max_errors: int) -> list[tuple[int, int, int]]:
    """(start, end, errors) of the places where `pattern` occurs in `text` with at most
    `max_errors` edits, fewest errors first; at most MAX_FUZZY_CANDIDATES of them."""
    if not pattern:
        return []
    scores = _match_scores(text, pattern)
    ends = [
        j
        for j, score in enumerate(scores)
        if score <= max_errors
        and (j == 0 or score <= scores[j - 1])
        and (j == len(scores) - 1 or score <= scores[j + 1])
    ]
    ends.sort(key=lambda j: scores[j])
    matches = []
    reversed_pattern = pattern[::-1]
    for j in ends[:MAX_FUZZY_CANDIDATES]:
        end, errors = j + 1, scores[j]
        # The start: match the reversed pattern against the text read backwards from the end.
        low = max(0, end - len(pattern) - errors)
        back = _match_scores(text[low:end][::-1], reversed_pattern, anchored=True)
        lengths = [k + 1 for k, score in enumerate(back) if score == errors]
        # Of the starts as good as each other, the one that keeps the quote's length.
        length = min(lengths, key=lambda n: (abs(n - len(pattern)), -n))
        matches.append((end - length, end, errors))
    return matches


# The diff. Common prefix and suffix are cut off first; the middle is aligned line by line, the
# changed lines clause by clause, the changed clauses word by word and short changed runs of words
# character by character, with diff-match-patch's O(ND) algorithm on each level's pieces (coded
# one character per distinct piece, as its own line mode does). Each level only sees what the
# level above found changed, so a few edits in 2 MB cost a few milliseconds, and a text without
# line breaks is still cut into short pieces. From the word level down, equalities too short to
# mean anything ("the " between two rewritten clauses) are folded into the change around them
# (diff-match-patch's semantic cleanup), so no span is carried onto a coincidental word.

_CLAUSES = re.compile(r".*?(?:[.!?;:,]\s+|\Z)", re.S)
_WORDS = re.compile(r"\S+\s*|\s+")
_PIECES = (
    functools.partial(str.splitlines, keepends=True),
    lambda text: [piece for piece in _CLAUSES.findall(text) if piece],
    _WORDS.findall,
)
_WORD_LEVEL = 2
_DMP = diff_match_patch()


class Region(NamedTuple):
    """A stretch of the old text that the new text keeps: old start, new start, length."""

    old: int
    new: int
    length: int


def _changes(old: str, new: str, level: int, deadline: float) -> list[tuple[bool, int, int]]:
    """(kept, old length, new length) runs that turn `old` into `new`."""
    if level == len(_PIECES):
        if len(old) > REFINE_CHARS or len(new) > REFINE_CHARS:
            return [(False, len(old), len(new))]
        diffs = _DMP.diff_main(old, new, False, deadline)
        _DMP.diff_cleanupSemantic(diffs)
        return [(op == 0, len(run) * (op <= 0), len(run) * (op >= 0)) for op, run in diffs]
    codes = {}
    pieces_old, pieces_new = _PIECES[level](old), _PIECES[level](new)
    coded_old = "".join([codes.setdefault(piece, chr(len(codes))) for piece in pieces_old])
    coded_new = "".join([codes.setdefault(piece, chr(len(codes))) for piece in pieces_new])
    lengths = [len(piece) for piece in codes]
    diffs = _DMP.diff_main(coded_old, coded_new, False, deadline)
    if level >= _WORD_LEVEL:
        _DMP.diff_cleanupSemantic(diffs)
    runs = []
    i = j = changed_i = changed_j = 0  # where the current change began, in `old` and `new`
    for op, coded in diffs:
        length = sum(lengths[ord(code)] for code in coded)
        if op == 0:
            runs += _changes(old[changed_i:i], new[changed_j:j], level + 1, deadline)
            runs.append((True, length, length))
            changed_i, changed_j = i + length, j + length
        i += length * (op <= 0)
        j += length * (op >= 0)
    runs += _changes(old[changed_i:i], new[changed_j:j], level + 1, deadline)
    return runs


def _ends(region: Region) -> tuple[int, int]:
    return region.old + region.length, region.new + region.length


def unchanged_regions(old: str, new: str, *, seconds: float = DIFF_SECONDS) -> list[Region]:
    """The stretches of `old` that `new` keeps, in order, none adjacent to the next in both texts.

    The first starts at 0 in both texts and the last ends at the end of both (either may be
    empty), so every change lies between two regions. Past `seconds`, what is not aligned yet
    counts as changed: the result is coarser, never wrong.
    """
    head = _DMP.diff_commonPrefix(old, new)
    tail = _DMP.diff_commonSuffix(old[head:], new[head:])
    middle = _changes(old[head : len(old) - tail], new[head : len(new) - tail], 0, time.time() + seconds)
    regions, i, j = [], 0, 0
    for kept, old_length, new_length in [(True, head, head), *middle, (True, tail, tail)]:
        if kept and regions and _ends(regions[-1]) == (i, j):
            regions[-1] = regions[-1]._replace(length=regions[-1].length + old_length)
        elif kept:
            regions.append(Region(i, j, old_length))
        i, j = i + old_length, j + new_length
    last = len(regions) - 1
    return [region for k, region in enumerate(regions) if region.length or k in (0, last)]


# Mapping offsets through the regions. A point inside a change maps to the same fraction of what
# replaced it: a guess, used only to centre the search window.


def _between(regions: list[Region], k: int, point: int) -> int:
    """Where `point`, inside the change after region k, roughly went."""
    before, after = regions[k], regions[k + 1]
    old_from, new_from = before.old + before.length, before.new + before.length
    return new_from + (point - old_from) * (after.new - new_from) // (after.old - old_from)


def _map_start(regions, starts, point) -> tuple[int, int | None]:
    """Where a span's start goes, and the region that kept the character there (None if none did)."""
    k = bisect.bisect_right(starts, point) - 1
    region = regions[k]
    if point < region.old + region.length:
        return region.new + point - region.old, k
    return _between(regions, k, point), None


def _map_end(regions, starts, point) -> tuple[int, int | None]:
    """Where a span's end goes, and the region that kept the character before it (None if none did)."""
    k = max(bisect.bisect_left(starts, point) - 1, 0)
    region = regions[k]
    if point <= region.old + region.length:
        return region.new + point - region.old, k
    return _between(regions, k, point), None


# Searching near a change.


def _similarity(found: str, wanted: str) -> float:
    """How much of `wanted` (a prefix or suffix, not empty) is in `found`: 1.0 for all of it."""
    return 1 - edit_distance_within(found, wanted) / len(wanted)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    score: float  # only compared with the other candidates' scores
    context: float  # how much of its context it kept, from 0 to 1


def _score(text, start, end, errors, *, exact, prefix, suffix, hint) -> _Candidate:
    """Hypothesis's score: quote, prefix, suffix and nearness to `hint`, weighted."""
    # A span at the very start or end of the text has no prefix or suffix to agree with: its
    # context is judged by the side it has, and a span that was the whole text by its quote alone.
    sides = [
        (weight, _similarity(found, wanted))
        for weight, found, wanted in (
            (PREFIX_WEIGHT, text[max(0, start - len(prefix)) : start], prefix),
            (SUFFIX_WEIGHT, text[end : end + len(suffix)], suffix),
        )
        if wanted
    ]
    score = (
        sum(weight * similarity for weight, similarity in sides)
        - QUOTE_WEIGHT * errors / len(exact)
        - POSITION_WEIGHT * abs(start - hint) / len(text)
    )
    context = sum(similarity for _, similarity in sides) / len(sides) if sides else 1.0
    return _Candidate(start, end, score, context)


def _nearest_occurrences(text: str, quote: str, hint: int, limit: int) -> list[int]:
    """Starts of the `limit` exact occurrences of `quote` nearest to `hint`, without reading
    further into the text than they lie."""
    after, position = [], text.find(quote, hint)
    while position != -1 and len(after) < limit:
        after.append(position)
        position = text.find(quote, position + 1)
    before, position = [], text.rfind(quote, 0, hint + len(quote) - 1)
    while position != -1 and len(before) < limit:
        before.append(position)
        position = text.rfind(quote, 0, position + len(quote) - 1)
    return sorted(after + before, key=lambda start: abs(start - hint))[:limit]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    found = text[start:end]
    start, end = start + len(found) - len(found.lstrip()), end - (len(found) - len(found.rstrip()))
    return (start, end) if start < end else None


def _in_word(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")  # letters, digits, accents


def _whole_words(text, start, end, errors, exact, prefix, suffix):
    """A match that cuts a word where the quote had whole words ("talks had falter" for "talks had
    failed" in "talks had faltered"), widened to the word's edge; None when that takes more than
    the allowed errors. Highlights do not start or end inside a word their quote did not."""
    max_errors = int(len(exact) * MAX_FUZZY_ERRORS)
    wide_start, wide_end = start, end
    if _in_word(exact[0]) and not (prefix and _in_word(prefix[-1])):
        while wide_start > 0 and _in_word(text[wide_start - 1]) and _in_word(text[wide_start]):
            wide_start -= 1
            if wide_start < start - max_errors:
                return None
    if _in_word(exact[-1]) and not (suffix and _in_word(suffix[0])):
        while wide_end < len(text) and _in_word(text[wide_end - 1]) and _in_word(text[wide_end]):
            wide_end += 1
            if wide_end > end + max_errors:
                return None
    if (wide_start, wide_end) == (start, end):
        return start, end, errors
    wide_errors = _match_scores(text[wide_start:wide_end], exact, anchored=True)[-1]
    return (wide_start, wide_end, wide_errors) if wide_errors <= max_errors else None


def _places(text, exact, prefix, suffix, *, low, high, hint) -> dict:
    """{(start, end): errors} of the approximate matches of `exact` in text[low:high] and of its
    exact occurrences nearest to `hint` anywhere (a passage moved far keeps its words), trimmed."""
    max_errors = int(len(exact) * MAX_FUZZY_ERRORS)
    matches = [
        (low + s, low + e, errors) for s, e, errors in approximate_matches(text[low:high], exact, max_errors)
    ]
    matches += [(s, s + len(exact), 0) for s in _nearest_occurrences(text, exact, hint, MAX_FUZZY_CANDIDATES)]
    places = {}
    for match in matches:
        whole = _whole_words(text, *match, exact, prefix, suffix)
        place = whole and _trimmed(text, whole[0], whole[1])
        if place:
            places[place] = min(whole[2], places.get(place, whole[2]))
    return places


def _search(text, exact, prefix, suffix, *, image, own, approximate=True) -> tuple[int, int] | None:
    """The best place for a span near `image`, the (start, end) the diff gives it in `text`.

    `own` says the diff kept both ends of the span, so `image` holds its own words, edited: a
    match overlapping it may be taken whatever its context, and wins if it kept its context. Any
    other match must keep half of its context. Without `approximate`, only exact occurrences count.
    """
    image_start, image_end = image
    margin = SEARCH_MARGIN + len(exact)
    low = max(0, image_start - margin)
    high = min(len(text), image_end + margin) if approximate else low  # no window: exact occurrences
    places = _places(text, exact, prefix, suffix, low=low, high=high, hint=image_start)
    score = functools.partial(_score, text, exact=exact, prefix=prefix, suffix=suffix, hint=image_start)

    def overlapping(start, end):
        return own and start < image_end and end > image_start

    own_words = [
        score(start, end, errors) for (start, end), errors in places.items() if overlapping(start, end)
    ]
    # The span's own words in their own context win over any copy of them elsewhere; without
    # their context, they compete with matches elsewhere that kept theirs.
    trusted = [c for c in own_words if c.context >= MIN_CONTEXT_SCORE]
    if not trusted:
        elsewhere = [score(s, e, errors) for (s, e), errors in places.items() if not overlapping(s, e)]
        trusted = own_words + [c for c in elsewhere if c.context >= MIN_CONTEXT_SCORE]
    if not trusted:
        return None
    best = max(trusted, key=lambda c: c.score)
    return best.start, best.end


class Anchor(NamedTuple):
    """Where a span is in the new text, and how it got there (MAPPED, FOUND or APPROXIMATE)."""

    start: int
    end: int
    how: str


MAPPED = "mapped"  # carried over by the diff: its words were left alone
FOUND = "found"  # touched by the edit, or orphaned before, and found again with the same words
APPROXIMATE = "approximate"  # found again with different words


def locate(text: str, *, exact: str, prefix: str = "", suffix: str = "", start: int = 0):
    """Where a quote (with the context it had) is in `text`, as Hypothesis anchors a
    TextQuoteSelector: its exact occurrences anywhere and approximate matches near `start`, each
    needing half of its context to agree; the best by quote, context, then nearness to `start`.
    (start, end), or None. For annotations made elsewhere, on a text that may differ a little."""
    if not exact.strip():
        return None
    hint = min(max(start, 0), len(text))
    return _search(text, exact, prefix, suffix, image=(hint, min(hint + len(exact), len(text))), own=False)


def reanchor_all(old_text: str, new_text: str, spans) -> dict:
    """Where each span of `old_text` is in `new_text`: {id: Anchor, or None when it cannot be
    found with confidence (the span is then orphaned)}.

    `spans` are (id, start, end, exact, prefix, suffix) tuples as stored. A span whose quote is not
    at its offsets in `old_text` (an orphan, say) cannot be carried by the diff: its very words are
    looked for anywhere, nearest its old offsets first, and taken only where its context agrees
    (an approximate search of the whole text for every orphan at every edit would cost too much).
    """
    spans = list(spans)
    regions = unchanged_regions(old_text, new_text) if spans else []
    starts = [region.old for region in regions]
    result = {}
    for span_id, start, end, exact, prefix, suffix in spans:
        if not exact.strip():
            result[span_id] = None
            continue
        if old_text[start:end] != exact:
            hint = min(start, len(new_text))
            found = _search(new_text, exact, prefix, suffix, image=(hint, hint), own=False, approximate=False)
        else:
            new_start, first = _map_start(regions, starts, start)
            new_end, last = _map_end(regions, starts, end)
            if first is not None and first == last:
                result[span_id] = Anchor(new_start, new_end, MAPPED)
                continue
            own = first is not None and last is not None
            found = _search(new_text, exact, prefix, suffix, image=(new_start, new_end), own=own)
        if found is None:
            result[span_id] = None
        else:
            how = FOUND if new_text[found[0] : found[1]] == exact else APPROXIMATE
            result[span_id] = Anchor(*found, how)
    return result
