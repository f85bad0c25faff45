"""Pure text functions: offsets, selections, paragraphs and highlight segments.

Offsets are always code points of the stored text (Python's own string
indices), never UTF-16 units or bytes. Nothing here imports Django.
"""

import functools
import hashlib
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise
from typing import NamedTuple

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


class Segment(NamedTuple):
    start: int
    end: int
    spans: tuple = ()  # ids of the spans covering it, outermost first


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
    cover it. Sorting the boundaries makes this O((n + k) log k) for k spans.
    Extra `cuts` (paragraph boundaries) split segments without naming a span.
    """
    starting, ending = {}, {}
    for span_id, span_start, span_end in spans:
        clipped_start, clipped_end = max(span_start, start), min(span_end, end)
        if clipped_start < clipped_end:
            starting.setdefault(clipped_start, []).append((span_end, span_id))
            ending.setdefault(clipped_end, []).append(span_id)
    cuts = sorted({start, end, *starting, *ending, *(c for c in cuts if start < c < end)})
    active = {}  # insertion-ordered: spans that start earlier (or end later) come first
    result = []
    for cut, next_cut in pairwise(cuts):
        for span_id in ending.get(cut, ()):
            del active[span_id]
        for _, span_id in sorted(starting.get(cut, ()), reverse=True):
            active[span_id] = None
        result.append(Segment(cut, next_cut, tuple(active)))
    return result


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
        cuts = [block.start, *(s for s in starts if block.start < s < block.end), block.end]
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
# A span remembers its quote, the 32 characters on either side and its old start. After the text
# changes it is looked for as Hypothesis looks for an annotation's TextQuoteSelector
# (client/src/annotator/anchoring/match-quote.ts): exact occurrences of the quote first, then
# approximate ones (Myers' bit-parallel edit distance, as its approx-string-match does), each
# candidate scored by how well its quote, prefix and suffix match, the old position breaking ties.
# Hypothesis accepts any best candidate; a curator's corpus is better served by an orphan than by
# a highlight on the wrong words, so two rules are stricter here: an approximate match may differ
# from the quote in at most a quarter of its characters, and a candidate must also keep half of
# its context unless it is the one exact occurrence of the quote.

QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50, 20, 20, 2
MAX_FUZZY_ERRORS = 0.25  # of the quote's length
MIN_CONTEXT_SCORE = 0.5  # mean of the prefix and suffix scores
MAX_FUZZY_CANDIDATES = 50


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


def _similarity(found: str, wanted: str) -> float:
    """How much of `wanted` (a prefix or suffix) is in `found`; 1.0 when there is nothing to want."""
    if not wanted:
        return 1.0
    if not found:
        return 0.0
    return 1 - edit_distance_within(found, wanted) / len(wanted)


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    score: float
    context: float


def _score(text, start, end, errors, *, exact, prefix, suffix, hint) -> _Candidate:
    prefix_score = _similarity(text[max(0, start - len(prefix)) : start], prefix)
    suffix_score = _similarity(text[end : end + len(suffix)], suffix)
    position_score = 1 - abs(start - hint) / max(len(text), 1)
    score = (
        QUOTE_WEIGHT * (1 - errors / len(exact))
        + PREFIX_WEIGHT * prefix_score
        + SUFFIX_WEIGHT * suffix_score
        + POSITION_WEIGHT * position_score
    ) / (QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT)
    return _Candidate(start, end, score, (prefix_score + suffix_score) / 2)


def _occurrences(text: str, quote: str):
    position = text.find(quote)
    while position != -1:
        yield position
        position = text.find(quote, position + 1)


def reanchor(text: str, *, exact: str, prefix: str = "", suffix: str = "", start: int = 0):
    """Where a span's quote is in the new `text`: (start, end), trimmed of outer whitespace,
    or None when it cannot be found with confidence (the span is then orphaned).

    `start` is the span's old start: among equally good candidates the nearest wins.
    """
    if not exact.strip():
        return None
    score = functools.partial(_score, text, exact=exact, prefix=prefix, suffix=suffix, hint=start)
    exact_hits = [score(s, s + len(exact), 0) for s in _occurrences(text, exact)]
    if exact_hits:
        candidates, unique = exact_hits, len(exact_hits) == 1
    else:
        max_errors = int(len(exact) * MAX_FUZZY_ERRORS)
        matches = approximate_matches(text, exact, max_errors) if max_errors else []
        candidates, unique = [score(s, e, errors) for s, e, errors in matches], False
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c.score)
    if not unique and best.context < MIN_CONTEXT_SCORE:
        return None
    found = text[best.start : best.end]
    trimmed_start = best.start + len(found) - len(found.lstrip())
    trimmed_end = best.end - (len(found) - len(found.rstrip()))
    if trimmed_start >= trimmed_end:
        return None
    return trimmed_start, trimmed_end
