"""Pure text functions: offsets, selections, paragraphs and highlight segments.

Offsets are always code points of the stored text (Python's own string
indices), never UTF-16 units or bytes. Nothing here imports Django.
"""

import hashlib
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise

CONTEXT_CHARS = 32

_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")


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


@dataclass(frozen=True)
class Segment:
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
    # One sweep over the whole text, cut at paragraph edges too, so every
    # segment falls inside one block.
    edges = [block.start for block in blocks]
    block_iter = iter(blocks)
    block = next(block_iter, None)
    for segment in segments(0, len(text), spans, cuts=edges):
        while segment.start >= block.end:
            block = next(block_iter)
        if block.is_paragraph:
            block.segments.append(segment)
    return blocks


def paragraphs_touching(text: str, start: int, end: int) -> list[int]:
    """Indices of the paragraphs a span [start, end) overlaps."""
    return [
        index for index, (p_start, p_end) in enumerate(paragraphs(text)) if p_start < end and start < p_end
    ]


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
