"""Sentences and clauses of news text, for counterpart suggestions.

`reader.text.sentences()` cuts a page into re-renderable units and must stay as
it is; this module splits for *matching*, where a wrong cut costs a good
suggestion, so it knows more of news text's habits:

- a sentence may open with any run of quotes, the New York Times' two
  apostrophes (`''We will respond,'' he said.`) included;
- after an initialism or an ambiguous abbreviation ("Washington D.C.", "Apple
  Inc.") a sentence ends only if the next word is one that opens sentences
  ("This", "The", "He"), so "Washington D.C. This" is cut and "U.S. President"
  is not; titles ("Gen.", "Dr.") never end one, months only before a word;
- a line that ends without punctuation (a headline, a subtitle) ends a
  sentence when the next line starts a new one, unless the paragraph is
  hard-wrapped (two or more of its lines broke because the next word would not fit);
- a dateline (`TEHRAN, Jan. 02 (MNA) –`, `WASHINGTON (Reuters) -`) is cut off the
  sentence it opens; headings, footnote lines (`*`, `[1]`) and credit lines are
  marked, so they are never suggested.

Why not pySBD: on the hard cases in tests/test_suggest.py it keeps
"Washington D.C. This was new." as one sentence, and it is far too slow for long
texts (64 KB took 3.4 s here, and it grows faster than the text), while this
module splits 2 MB in well under a second. It is a handful of regular
expressions and one pass over the text; its cost is linear in the text.
"""

import re
from itertools import pairwise
from typing import NamedTuple

from reader.text import paragraphs

# Kinds of sentence: only SENTENCE is ever suggested.
SENTENCE, HEADING, FOOTNOTE, CREDIT, DATELINE = "sentence", "heading", "footnote", "credit", "dateline"

HEADING_MAX_WORDS = 25  # a longer line without final punctuation is text, not a heading
WRAPPED_LINES = 2  # a paragraph with this many lines broken for lack of room is hard-wrapped
CLAUSE_MIN_WORDS = 3  # shorter pieces ("he said") are never offered on their own

# End of a sentence: final punctuation and any closing quotes or brackets, before a space.
_CLOSERS = "\"'”’»)]」』"
_END = re.compile(r"(?:[.!?…]+)[\"'”’»)\]]*(?=\s)|[。！？]+[」』”’)]*")
_OPENERS = "\"'“‘«([¿¡「『"
_LOOK = 40  # characters looked at around a full stop: more than any word it depends on
_FINAL = re.compile(r"[.!?…。！？]\W*$")  # final punctuation, then perhaps quotes, brackets or emoji
_WORD_BEFORE = re.compile(r"([\w.]*)\.$")
_WORD = re.compile(r"\w+")
# Words before a full stop that never end a sentence: titles and the like.
_TITLES = frozenset(
    """Mr Mrs Ms Messrs Dr Prof Gen Brig Col Lt Maj Capt Cmdr Adm Sgt Cpl Pvt Rep Sen Gov Pres Rev Hon
    Amb Supt Insp St Mt Ft No Nos Vol Fig vs""".split()  # noqa: SIM905
)
_MONTHS = frozenset("Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split())  # noqa: SIM905
# Words before a full stop that end a sentence only before a word that opens one.
_AMBIGUOUS = frozenset("Inc Corp Ltd Co Jr Sr etc al Bros".split())  # noqa: SIM905
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")
_OPENING_WORDS = frozenset(
    """The This That These Those It Its He She They We I You His Her Their Our My There Then But And Or
    So Yet Still However Meanwhile In On At As After Before When While If For What Why How Who Some
    Many Most A An No Not Now""".split()  # noqa: SIM905
)

_DATELINE = re.compile(
    r"[A-Z][A-Z'’.\-]{2,}(?: [A-Z][A-Z'’.\-]+)*"  # the place, in capitals
    r"(?:,[^\n–—()]{1,40}?)?"  # a region or a date
    r"(?: ?\([^()\n]{1,30}\))?"  # the agency
    r" ?(?:[–—] ?|--? )"
)
_FOOTNOTE = re.compile(r"[*†‡]|\[\d+\]|\^\d")
_CREDIT = re.compile(
    r"©|\(c\) |copyright\b|all content by\b|(?:photo|image|picture|video)(?: credit)?:"
    r"|(?:additional )?reporting by\b|(?:editing|writing|compiled) by\b"
    r"|.*\b(?:licensed under a creative commons|all rights reserved)",
    re.IGNORECASE,
)

# Clauses: strong cuts (semicolon, colon, dash, quotation) then weak ones (a comma
# before a conjunction with a new subject, or a reporting frame).
_STRONG = re.compile(r"[;:](?=\s)|\s(?:[–—]|--?)\s|—")
_QUOTE = re.compile(r"''|[\"“”«»]")
_OPENING_MARKS, _CLOSING_MARKS = frozenset("“«"), frozenset("”»")
_BEFORE_OPENING = frozenset(" \t\n([—–")  # a straight quote after these opens a quotation
_SUBJECT = (
    r"(?:he|she|it|they|we|i|you|there|this|that|these|those|the|a|an|his|her|its|their|our|my|"
    r"some|many|both|all|[A-Z]\w*)\b"
)
_REPORTING = (
    r"(?:said|says|told|tells|added|adds|noted|stated|warned|explained|argued|insisted|claimed|"
    r"tweeted|wrote|asked|suggested|announced|declared)\b"
)
_WEAK = re.compile(
    r",\s+(?=(?:while|whereas|but|although|though|yet|he|she|it|they|we|I|you)\b|and\s+" + _SUBJECT + r")"
    r"|,\s+(?:according to [^,;]{1,60}|[^,;\"“”]{0,60}?\b" + _REPORTING + r"[^,;\"“”.!?]{0,40}?)(?=,|[.!?]*$)"
)
_TRIM = " \t\n,;:–—-\"“”‘’'«»"


class Sentence(NamedTuple):
    start: int
    end: int
    kind: str = SENTENCE


def split(text: str) -> list[Sentence]:
    """Every sentence of `text`, in order, trimmed, never crossing a paragraph; each with its kind."""
    found = []
    for p_start, p_end in paragraphs(text):
        for l_start, l_end, wrapped in _blocks(text, p_start, p_end):
            found.extend(_classified(text, l_start, l_end, wrapped))
    return found


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences worth suggesting: no headings, footnotes, credits or datelines."""
    return [(s.start, s.end) for s in split(text) if s.kind == SENTENCE]


def _blocks(text, start, end):
    """The runs of lines of a paragraph that a sentence may span: a line break ends a run when
    the line before it has final punctuation, or is not hard-wrapped and the next line starts
    a new sentence. Yields (start, end, whether the run is a single whole line)."""
    end = start + len(text[start:end].rstrip())  # a paragraph may end in a line break
    lines = []
    position = start
    while True:
        newline = text.find("\n", position, end)
        if newline == -1:
            lines.append((position, end))
            break
        lines.append((position, newline))
        position = newline + 1
    texts = [text[s:e].strip() for s, e in lines]
    width = max(map(len, texts))
    # A line broke for lack of room if the next line's first word would not have fitted on it.
    full = [len(line) + 1 + len(following.split()[0]) > width for line, following in pairwise(texts)]
    wrapped = sum(full) >= WRAPPED_LINES
    run_start, run_lines = lines[0][0], 0
    for i, ((_, e), (next_s, _)) in enumerate(pairwise(lines)):
        run_lines += 1
        if _FINAL.search(texts[i]) or (not (wrapped and full[i]) and _opens_sentence(texts[i + 1])):
            yield run_start, e, run_lines == 1
            run_start, run_lines = next_s, 0
    yield run_start, end, run_lines == 0


def _opens_sentence(following):
    rest = following.lstrip(_OPENERS)
    return bool(rest) and rest[0].isalnum() and not rest[0].islower() or bool(_FOOTNOTE.match(following))


def _classified(text, start, end, whole_line):
    """The sentences of one run of lines, each with its kind."""
    start = end - len(text[start:end].lstrip())
    if _FOOTNOTE.match(text, start):
        return [_trimmed(text, Sentence(start, end, FOOTNOTE))]
    result = []
    dateline = _DATELINE.match(text, start)
    if dateline and dateline.end() < end:
        result.append(Sentence(start, dateline.end(), DATELINE))
        start = dateline.end()
    pieces = _cut(text, start, end)
    for s, e in pieces:
        piece = text[s:e].strip()
        if _CREDIT.match(piece):
            kind = CREDIT
        elif (
            whole_line
            and len(pieces) == 1
            and not _FINAL.search(piece)
            and (len(_WORD.findall(piece)) <= HEADING_MAX_WORDS)
        ):
            kind = HEADING
        else:
            kind = SENTENCE
        result.append(Sentence(s, e, kind))
    return [_trimmed(text, s) for s in result if text[s.start : s.end].strip()]


def _trimmed(text, sentence):
    piece = text[sentence.start : sentence.end]
    start = sentence.start + len(piece) - len(piece.lstrip())
    end = sentence.end - len(piece) + len(piece.rstrip())
    return Sentence(start, end, sentence.kind)


def _cut(text, start, end):
    """Cut [start, end) after every full stop that ends a sentence."""
    pieces = []
    position = start
    for match in _END.finditer(text, start, end):
        if _ends_sentence(text, match, end):  # never at the end: nothing follows there
            pieces.append((position, match.end()))
            position = match.end()
    pieces.append((position, end))
    return pieces


def _ends_sentence(text, match, end):
    rest = text[match.end() : min(end, match.end() + _LOOK)].lstrip().lstrip(_OPENERS)
    if not rest or not rest[0].isalnum() or rest[0].islower():
        return False
    if match.group().rstrip(_CLOSERS) != ".":
        return True  # ! ? an ellipsis, a Chinese full stop
    word = _WORD_BEFORE.search(text, max(0, match.start() - _LOOK), match.start() + 1).group(1)
    opening = _WORD.match(rest).group() in _OPENING_WORDS
    if word in _TITLES:
        return False
    if word in _MONTHS:
        return not rest[0].isdigit()
    if word in _AMBIGUOUS or _INITIALISM.fullmatch(word) and (len(word) == 1 or "." in word):
        return opening
    return True


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses of the sentence text[start:end]: the pieces between semicolons, colons,
    dashes and quotation marks (a quotation of at least CLAUSE_MIN_WORDS words is a clause), and
    within those the pieces between a comma and a conjunction with a new subject
    (", while", ", but", ", and the …") or around a reporting frame (", he said,").

    Each is trimmed of punctuation at its edges, has at least CLAUSE_MIN_WORDS words and fewer
    words than the sentence; in order of start, without repeats.
    """
    strong = _pieces(start, end, _strong_cuts(text, start, end))
    found = list(strong)  # an uncut piece is the sentence: the word count below drops it
    for s, e in strong:
        found.extend(_pieces(s, e, [m.span() for m in _WEAK.finditer(text, s, e)]))
    sentence_words = len(text[start:end].split())
    result = set()
    for s, e in found:
        piece = text[s:e]
        s, e = (
            s + len(piece) - len(piece.lstrip(_TRIM + ")]")),
            e - len(piece) + len(piece.rstrip(_TRIM + "([")),
        )
        if CLAUSE_MIN_WORDS <= len(text[s:e].split()) < sentence_words:
            result.add((s, e))
    return sorted(result)


def _pieces(start, end, cuts):
    pieces, position = [], start
    for cut_start, cut_end in sorted(cuts):
        if cut_start >= position:
            pieces.append((position, cut_start))
            position = cut_end
    pieces.append((position, end))
    return pieces


def _strong_cuts(text, start, end):
    cuts = [m.span() for m in _STRONG.finditer(text, start, end)]
    marks = list(_QUOTE.finditer(text, start, end))
    opening = None
    for mark in marks:
        before = text[mark.start() - 1] if mark.start() > start else " "
        if mark.group() in _OPENING_MARKS or mark.group() not in _CLOSING_MARKS and before in _BEFORE_OPENING:
            if opening is not None:
                cuts.append(opening.span())  # two openings: the first is never closed here
            opening = mark
        elif opening is None:
            cuts.append(mark.span())  # closes a quotation opened in an earlier sentence
        else:
            if len(_WORD.findall(text, opening.end(), mark.start())) >= CLAUSE_MIN_WORDS:
                cuts.extend([opening.span(), mark.span()])  # shorter ones are scare quotes
            opening = None
    if opening is not None:
        cuts.append(opening.span())  # opens a quotation that goes on in a later sentence
    return cuts
