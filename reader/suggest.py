"""Counterpart suggestions: the sentences, clauses or highlights of the other article most like a span.

Candidates are the sentences of the other text (`reader.sentences`: no headings,
datelines, footnotes or credit lines), their clauses, and the other article's
existing highlights. They are ranked by BM25 (Robertson and Zaragoza, "The
Probabilistic Relevance Framework", 2009) over normalised, Snowball-stemmed terms,
in plain Python (PyStemmer's C stemmers when installed): nothing to download.

Scoring, and why:
- Inverse document frequencies come from the sentences only, so a word counts
  the same whatever unit it is found in (clauses repeat their sentence's words).
- Length is normalised *per level*: a clause is compared with the average
  clause, a sentence with the average sentence. With one average for all, a
  three-word clause holding two of the passage's words would beat the sentence
  holding six of them, so a long passage could never get a whole sentence back.
- Per-level normalisation makes a clause and its sentence tie when the clause
  holds every matching word; a small length prior breaks the tie towards the
  unit whose length is nearest the passage's: the score is multiplied by
  (shorter / longer) ** LENGTH_PRIOR, with lengths counted in terms. A short
  passage thus gets its clause, a long one the whole sentence, and a unit with
  more of the passage's words still wins over a better-sized one.
- Candidates that overlap a better one are dropped, so the three suggestions are
  three different places, not a sentence and its own clauses.
- An existing highlight that covers nearly the same text as a better-ranked
  sentence or clause takes its place (and its score): linking to it reuses the span.

Hints from the passage's own article (optional keywords of `suggest`), each small, since the
words must stay the main evidence:
- Context: the passage's sentence and its neighbours (`context_around`). A paraphrase with no
  word in common often sits next to names both reports share ("fought the jihadists" beside
  "Daesh ... terrorist group"). The context's rarest terms locate the sentences that tell the
  passage's surroundings; those sentences and, at half, the ones either side of them, gain up
  to CONTEXT (three tenths) of the best passage score. It lifts the seeds' top 3 from 29 to 31
  of 34 pairs, the invented events' (tests/test_suggest.py) from 58 to 59 of 62.
- Position: reports of one event tell it in a similar order. A place near where the counterpart
  is predicted to start gains up to POSITION (a tenth); with anchors (pairs already linked) the
  prediction follows their alignment and the bonus is ANCHORED (three tenths). It only reorders
  places the words or the context found. On the seeds (two outlets, different orders) the weak
  prior changes no top-3 result; on the invented events it puts one more pair first and one
  more in the top 3. With the seeds' other pairs as anchors, 24 of 34 come first instead of 19.

Derived forms: Snowball keeps some words of one family apart ("politician" and "polit(ical)",
"financial" and "financ(e)", "stabilise" and "stabil(ity)"). A term that starts with another
whole term of at least DERIVED_MIN letters (no number) matches it at DERIVED (three tenths). Four
letters made false friends (fact/factory, camp/campaign); "one starts the other" rather than a
shared prefix keeps communist apart from community, general from generation.

Terms: case, curly quotes, possessives and contractions, hyphens and soft
hyphens are normalised away; "U.S.", "US", "USA" and "United States" are one
term (so are the UK, UN, EU and ISIS forms); numbers written in words or digits
("three", "twenty-five", "2,500", "3 million") become their value; English stop
words are dropped. A small table of news paraphrases (killed/assassinated/slain/died,
said/told/stated, US/American, avenge/revenge/retaliate/punish, expel/oust/deport,
hero/champion/revered/influential, jihadists/militants/insurgents, …) counts as partial
matches: a query term is scored as the best of its own BM25 weight and PARTIAL times that of
each of its paraphrases (and DERIVED times that of a derived form).

Limits: a paraphrase with no word in common, none in the table and no shared neighbours is
missed (a metaphor: "we will cut off your leg from the region" for "expel the U.S. from the
region"); tests/test_suggest.py lists the seeds' shared claims and those of invented reports of
other events, and prints the ones missed. Stop words, number words and the paraphrase table are
English; other languages get their Snowball stemmer (none for a language Snowball lacks),
derived forms, the hints and BM25.

Costs (2 MB of news text made of the seeds; measured by the command in
tests/test_suggest.py's docstring on a shared 2-core machine, so indicative): `build_index`
takes about 1 s when the machine is quiet (1.7 to 2.2 s under a load of 4), linear in the text,
8 ms for one article; splitting, tokenising and the postings take about a third each. Its pickle
is a little larger than the text in UTF-8 (2.4 MB for 2 MB; about twice the text for one short
article, where the vocabulary dominates) and loads in about 20 ms. `suggest` with a built index
reads only the postings of the passage's terms and their paraphrases: 35 to 100 ms on 2 MB under
load (the longer the passage, the more postings), under a millisecond on an article; checking
that the index belongs to the text hashes it (a few ms on 2 MB). The context and the position
add about a sixth (13 ms on average over six seed passages, CPU time under a load of 8 to 12:
63 ms without hints, 76 with context and position, 80 with anchors too), since the context reads
only CONTEXT_TERMS rare terms and marks CONTEXT_PLACES sentences; `context_around` reads 2,000
characters whatever the length of the text (under a millisecond).
"""

import heapq
import math
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import snowballstemmer

from reader import sentences as sentencelib
from reader.text import sha256

K1, B = 1.2, 0.75
LENGTH_PRIOR = 0.2  # exponent of the length ratio (see the docstring)
PARTIAL = 0.5  # a paraphrase counts half as much as the word itself
DERIVED = 0.3  # a word that starts with another whole word: politician, polit(ical)
DERIVED_MIN = 5  # letters of the shorter stem: "polit" and "politician", not "fact" and "factori"
CONTEXT = 0.3  # the place matching the context best adds this share of the best passage score
NEIGHBOUR = 0.5  # a sentence next to one that matches the context gets this share of its score
POSITION = 0.1  # bonus at the predicted place: from the passage's own position alone,
ANCHORED = 0.3  # and from the alignment of already-linked pairs
POSITION_WIDTH = 0.2  # the bonus falls to nothing this far (a share of the text) from the predicted place
CONTEXT_CHARS = 1000
CONTEXT_TERMS = 10  # the context's rarest terms that locate it
CONTEXT_PLACES = (
    10  # the sentences that match them best  # context_around reads this far either side of a passage
)
NEAR_SAME = 0.8  # a highlight sharing this share of the longer range is "the same text"
SENTENCE, CLAUSE = 0, 1  # levels of the units in an index
_INT, _FLOAT = "I", "d"  # array types of the index: unsigned 32-bit integers, doubles
INDEX_VERSION = 1

_LANGUAGES = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "st": "sesotho", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}  # fmt: skip
# NLTK's English stop words, plus the modal and ordinal words that make false friends in news
# ("last week" is not "last year", "first" is not "one").
_STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few first for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself just
    last may me might more most must my myself next no nor not now of off on once only or other our
    ours ourselves out over own same shall she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up us very was we were what
    when where which while who whom why will with would you your yours yourself yourselves""".split()  # noqa: SIM905
)
_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()  # noqa: SIM905, E501
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "dozen": 12}
_JOINER = re.compile(r"[ \t\n-]*")  # what may part the words of a name or a number
_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
_NUMBER_VALUES = {word: n for n, word in enumerate(_UNITS)} | {w: 10 * n for n, w in enumerate(_TENS, 2)}
# Names written several ways: each form becomes one term (dots keep it apart from any word).
_ALIASES = {
    "U.S.": "u.s.", "U.S.A.": "u.s.", "US": "u.s.", "USA": "u.s.", "united states": "u.s.",
    "united states of america": "u.s.", "america": "u.s.",
    "U.K.": "u.k.", "UK": "u.k.", "britain": "u.k.", "great britain": "u.k.", "united kingdom": "u.k.",
    "U.N.": "u.n.", "UN": "u.n.", "united nations": "u.n.",
    "E.U.": "e.u.", "EU": "e.u.", "european union": "e.u.",
    "isis": "isis", "isil": "isis", "daesh": "isis", "islamic state": "isis",
}  # fmt: skip
# A word (with inner apostrophes), a number in digits, or an initialism with dots ("U.S.").
_TOKEN = re.compile(r"((?:[A-Z]\.){2,}|\d+(?:,\d{3}(?!\d))*(?:\.\d+)?|[\w\u00ad]+(?:['’][\w\u00ad]+)*)")
_NAMES = {}  # first word -> the names of several words it starts, longest first
for _name in sorted((name for name in _ALIASES if " " in name), key=len, reverse=True):
    _NAMES.setdefault(_name.split()[0], []).append(_name.split())
# The words that may start a number or a name, as they may be written: only these need a closer look.
_STARTS = frozenset(
    form for word in [*_NUMBER_VALUES, *_SCALES, *_NAMES] for form in (word, word.title(), word.upper())
)
_MONTHS = dict(
    zip("jan feb mar apr jun jul aug sep sept oct nov dec".split(),  # noqa: SIM905
        "january february march april june july august september september october november december".split(),  # noqa: SIM905
        strict=True)
)  # fmt: skip
_UNDONE = re.compile(r"un(?!der)\w{4,}ed")
# Words news reports swap for one another when they tell of the same event, by stem (as the
# English stemmer makes them): each word of a group matches the others partially (PARTIAL), not
# fully, since they are not always the same thing (a strike is not always an attack, Washington
# not always the US government). Kept small: a paraphrase missing here costs a suggestion, a
# wrong one adds noise to every query that holds it.
#
# The families of news language below are general, not any one story's: how reports word a killing
# (and a death), retaliation, an expulsion, praise of a figure, armed groups, a threat. A word may
# be in two groups ("punish" is retaliation, and justice); it then matches the words of both.
_PARAPHRASES = [
    "kill assassin slain slay murder death die dead",
    "said say told tell state",
    "wound injur hurt injuri",
    "attack strike raid assault",
    "u.s. american washington",
    "iran iranian tehran",
    "iraq iraqi baghdad",
    "israel isra aviv",
    "russia russian moscow",
    "u.k. british london",
    "troop soldier servicemen personnel",
    "terror terrorist jihadist milit extremist insurg",
    "reveng aveng retali retribut punish",
    "punish justic",
    "warn threaten vow promis pledg caution",
    "accus alleg blame",
    "support back",
    "command chief head leader",
    "missil rocket",
    "base airbas",
    "expel expuls oust withdraw evict deport",
    "hero champion rever respect influenti icon legend",
]
PARAPHRASES = {}
for _group in _PARAPHRASES:
    for _stem in _group.split():
        _others = (other for other in _group.split() if other != _stem)
        PARAPHRASES[_stem] = tuple(dict.fromkeys([*PARAPHRASES.get(_stem, ()), *_others]))


@lru_cache(maxsize=64)
def _stemmer(language):
    name = _LANGUAGES.get((language or "")[:2].lower())
    return snowballstemmer.stemmer(name) if name else None


_WORD_TERMS = {}  # language -> {word as written: its term}
_UNKNOWN, _SPECIAL = object(), object()
WORD_CACHE_SIZE = 1 << 18


def _word_term(raw, language):
    """The term a word (or a name of several words) stands for, or None for a stop word."""
    if raw in _ALIASES:
        return _ALIASES[raw]
    word = raw.replace("\u00ad", "").replace("’", "'").casefold()
    for suffix in ("'s", "'ll", "'re", "'ve", "'d", "'m"):
        word = word.removesuffix(suffix)
    if word.endswith("n't"):
        word = {"wo": "will", "ca": "can", "sha": "shall"}.get(word[:-3], word[:-3])
    word = word.replace("'", "")
    if word in _STOP_WORDS:
        return None
    if word in _ALIASES:
        return _ALIASES[word]
    word = _MONTHS.get(word, word)
    if _UNDONE.fullmatch(word):
        word = word[2:]  # "unpunished" is about punishment too, as "unconfirmed" is about confirming
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else word


def _number(raw):
    """The value of a number in digits, perhaps with a multiplier ("2,500", "3.5 million")."""
    digits, *scale = raw.replace(",", "").split()
    value = float(digits) * (_MULTIPLIERS[scale[0].casefold()] if scale else 1)
    return str(int(value)) if value == int(value) else str(value)


def _spelled_number(words):
    """The value of a number in words ("two hundred and five", "three million", "a dozen")."""
    total = current = 0
    for word in words:
        if word in _NUMBER_VALUES:
            current += _NUMBER_VALUES[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return str(total + current)


def _special(parts, k, language):
    """The term of the token parts[k] (a number, or a name of several words) and the index of its
    last part."""
    raw = parts[k]
    word = raw.casefold()
    if raw[0].isdigit():
        last = k + 2 * (_follows(parts, k + 2) in _MULTIPLIERS)
        return _number("".join(parts[k : last + 1])), last
    if word in _NUMBER_VALUES or word in _SCALES:
        words = _number_words(parts, k)
        return _spelled_number(words), k + 2 * len(words) - 2
    for name in _NAMES[word]:
        if [_follows(parts, k + 2 * n) for n in range(1, len(name))] == name[1:]:
            return _ALIASES[" ".join(name)], k + 2 * len(name) - 2
    return _word_term(raw, language), k


def _follows(parts, k):
    """The casefolded token parts[k] if only spaces or a hyphen part it from the one before."""
    if k < len(parts) and _JOINER.fullmatch(parts[k - 1]):
        return parts[k].casefold()
    return None


def _number_words(parts, k):
    """The words of the number in words that starts at parts[k] ("two hundred and five")."""
    words = [parts[k].casefold()]
    while True:
        word = _follows(parts, k + 2 * len(words))
        joins = word == "and" and words[-1] in _SCALES  # "hundred and five", not "one and two"
        if (
            word in _NUMBER_VALUES
            or word in _SCALES
            or joins
            and _follows(parts, k + 2 * len(words) + 2) in _NUMBER_VALUES
        ):
            words.append(word)
        else:
            return words


def _terms_at(text, language):
    """The starts and terms of the tokens of `text` that are not stop words.

    Built from C-speed pieces: one split cuts the text into gap, token, gap, …; the starts
    follow from the lengths; plain words (nearly all tokens) take one dictionary look-up. Only
    the few tokens that may start a number or a name get a closer look."""
    words = _WORD_TERMS.setdefault(language, {})
    if len(words) > WORD_CACHE_SIZE:
        words.clear()
    parts = _TOKEN.split(text)
    tokens = parts[1::2]
    ends = list(accumulate(map(len, parts)))
    found = [words.get(raw, _UNKNOWN) for raw in tokens]
    for i in [i for i, term in enumerate(found) if term is _UNKNOWN]:
        raw = tokens[i]
        if raw not in words:
            words[raw] = _SPECIAL if raw in _STARTS or raw[0].isdigit() else _word_term(raw, language)
        found[i] = words[raw]
    merged = 0  # tokens before this one are part of a number or name already read
    for i in [i for i, term in enumerate(found) if term is _SPECIAL]:
        if i < merged:
            continue
        found[i], last = _special(parts, 2 * i + 1, language)
        merged = last // 2 + 1  # the token after parts[last]
        found[i + 1 : merged] = [None] * (merged - i - 1)
    positions = [ends[2 * i] for i, term in enumerate(found) if term is not None]
    return positions, [term for term in found if term is not None]


def terms(passage: str, language: str = "en") -> list[str]:
    """The normalised terms of `passage`, in order, stop words left out."""
    return _terms_at(passage, language)[1]


@dataclass(frozen=True)
class Suggestion:
    start: int
    end: int
    exact: str
    score: float
    span_id: int | None = None


class Index:
    """The units (sentences and clauses) of one text and their postings, ready for BM25.

    Pickles compactly: arrays of numbers and the list of terms; the text itself is
    not kept, only its length and digest, so it is checked against the text it serves.
    """

    def __init__(self, *, language, length, digest, starts, ends, levels, sizes, terms, offsets,
                 units, counts, idf):  # fmt: skip
        self.language, self.length, self.digest = language, length, digest
        self.starts, self.ends, self.levels, self.sizes = starts, ends, levels, sizes
        self.terms, self.offsets, self.units, self.counts, self.idf = terms, offsets, units, counts, idf
        self._prepare()

    def _prepare(self):
        self.rows = {term: row for row, term in enumerate(self.terms)}
        # The units that are sentences, in the order of the text; each is followed by its clauses.
        self.sentences = [unit for unit, level in enumerate(self.levels) if level == SENTENCE]
        self.sentence_starts = [self.starts[unit] for unit in self.sentences]
        self.sentence_ends = [self.ends[unit] for unit in self.sentences]
        overall = sum(self.sizes) / len(self.sizes) if self.sizes else 1.0
        averages = []
        for level in (SENTENCE, CLAUSE):
            sizes = [self.sizes[i] for i, unit_level in enumerate(self.levels) if unit_level == level]
            averages.append(sum(sizes) / len(sizes) if sizes else overall)  # no clauses: as sentences
        self.averages = averages
        self.norms = [K1 * (1 - B + B * size / averages[self.levels[i]]) for i, size in enumerate(self.sizes)]

    def __getstate__(self):
        names = ("language", "length", "digest", "starts", "ends", "levels", "sizes", "terms", "offsets",
                 "units", "counts", "idf")  # fmt: skip
        return {"version": INDEX_VERSION} | {name: getattr(self, name) for name in names}

    def __setstate__(self, state):
        if state.pop("version") != INDEX_VERSION:
            raise ValueError("This suggestion index was built by another version: build it again.")
        self.__dict__.update(state)
        self._prepare()

    def matches(self, text):
        return len(text) == self.length and sha256(text) == self.digest

    def postings(self, term):
        row = self.rows.get(term)
        if row is None:
            return 0.0, (), ()
        start, end = self.offsets[row], self.offsets[row + 1]
        return self.idf[row], self.units[start:end], self.counts[start:end]

    def level_for(self, size):
        """The level whose average unit is nearest `size` terms long."""
        return min((SENTENCE, CLAUSE), key=lambda level: (abs(self.averages[level] - size), level))

    def weight(self, idf, count, norm):
        return idf * count * (K1 + 1) / (count + norm)


def build_index(text: str, language: str = "en") -> Index:
    """Split `text` into sentences and clauses and index their terms (see the module's costs)."""
    positions, words = _terms_at(text, language)
    units = []  # (start, end, level, first term, end of terms); units without terms are left out
    for start, end in sentencelib.sentences(text):
        for s, e, level in [(start, end, SENTENCE)] + [
            (s, e, CLAUSE) for s, e in sentencelib.clauses(text, start, end)
        ]:
            first, last = bisect_left(positions, s), bisect_left(positions, e)
            if first < last:
                units.append((s, e, level, first, last))
    postings, document_frequency = {}, Counter()
    for unit, (_, _, level, first, last) in enumerate(units):
        counts = Counter(words[first:last])
        if level == SENTENCE:
            document_frequency.update(counts.keys())
        for term, count in counts.items():
            entry = postings.get(term)
            if entry is None:
                postings[term] = entry = ([], [])
            entry[0].append(unit)
            entry[1].append(count)
    vocabulary = sorted(postings)
    offsets, unit_ids, counts, idf = array(_INT, [0]), array(_INT), array(_INT), array(_FLOAT)
    total = sum(1 for unit in units if unit[2] == SENTENCE)
    for term in vocabulary:
        unit_ids.extend(postings[term][0])
        counts.extend(postings[term][1])
        offsets.append(len(unit_ids))
        frequency = document_frequency[term]
        idf.append(math.log(1 + (total - frequency + 0.5) / (frequency + 0.5)))
    return Index(
        language=language,
        length=len(text),
        digest=sha256(text),
        starts=array(_INT, [unit[0] for unit in units]),
        ends=array(_INT, [unit[1] for unit in units]),
        levels=array(_INT, [unit[2] for unit in units]),
        sizes=array(_INT, [unit[4] - unit[3] for unit in units]),
        terms=vocabulary,
        offsets=offsets,
        units=unit_ids,
        counts=counts,
        idf=idf,
    )


@lru_cache(maxsize=16)
def _cached_index(text, language):
    return build_index(text, language)


def _query(index, query_terms):
    """{term: its variants} for each distinct term."""
    return {term: _variants(term, index) for term in sorted(set(query_terms))}


def _variants(term, index):
    """The terms that count for `term`, each with its weight: itself, its paraphrases, and the
    words of the text that start with it or that it starts with (Snowball keeps "politician"
    apart from "polit(ical)", "financial" from "financ(e)")."""
    found = {term: 1.0} | {other: PARTIAL for other in PARAPHRASES.get(term, ())}
    if len(term) >= DERIVED_MIN and not term[0].isdigit():
        for other in _starting_with(index.terms, term[:DERIVED_MIN]):
            if other not in found and (other.startswith(term) or term.startswith(other)):
                found[other] = DERIVED
    return list(found.items())


def _starting_with(vocabulary, prefix):
    """The terms of the sorted `vocabulary` that start with `prefix`."""
    i = bisect_left(vocabulary, prefix)
    while i < len(vocabulary) and vocabulary[i].startswith(prefix):
        yield vocabulary[i]
        i += 1


def _scores(index, query):
    """BM25 score of every unit holding a query term (or a variant of one), for a query given as
    {term: its variants}."""
    total = {}
    for variants in query.values():
        best = {}
        for variant, factor in variants:
            idf, units, counts = index.postings(variant)
            scale, norms = factor * idf * (K1 + 1), index.norms  # index.weight, inlined: the hot loop
            for i, unit in enumerate(units):
                best[unit] = max(best.get(unit, 0.0), scale * counts[i] / (counts[i] + norms[unit]))
        for unit, value in best.items():
            total[unit] = total.get(unit, 0.0) + value
    return total


def _score_counts(index, query, counts, level):
    """BM25 score of a range that is not in the index (a highlight, a unit cut by a heading)."""
    size = sum(counts.values())
    norm = K1 * (1 - B + B * size / index.averages[level])
    result = 0.0
    for variants in query.values():
        result += max(
            factor * index.weight(index.postings(variant)[0], counts[variant], norm)
            for variant, factor in variants
        )
    return result


def _counts(text, start, end, language):
    return Counter(terms(text[start:end], language))


@lru_cache(maxsize=4096)
def _prior(passage_size, size):
    # Sizes are small whole numbers and a long text scores thousands of units: remembered.
    return (min(passage_size, size) / max(passage_size, size, 1)) ** LENGTH_PRIOR


def _overlap(a_start, a_end, b_start, b_end):
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _outside(start, end, headings):
    """The parts of [start, end) outside every heading range."""
    pieces = [(start, end)]
    for h_start, h_end in headings:
        pieces = [
            piece
            for s, e in pieces
            for piece in ((s, min(e, h_start)), (max(s, h_end), e))
            if piece[0] < piece[1]
        ]
    return pieces


def _trim(text, start, end):
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())


def suggest(
    passage: str,
    *,
    text: str,
    language: str = "en",
    limit: int = 3,
    highlights=(),
    headings=(),
    index: Index | None = None,
    context: str = "",
    position: float | None = None,
    anchors=(),
) -> list[Suggestion]:
    """The `limit` places of `text` most likely to say what `passage` says, best first.

    Places are sentences, clauses and the given `highlights`, (span_id, start, end) of
    the other article's highlights; a suggestion that is a highlight carries its span_id.
    Units that overlap a `headings` range, (start, end), lose that part. `index` is
    `build_index(text, language)`, kept by the caller; without it, one is built and cached.

    Optional hints from the passage's own article (each only reorders and adds a little):
    - `context`: the text around the passage, `context_around(article, start, end)`: a weaker
      second query that finds where the passage's neighbours are told, since a paraphrase with
      no word in common often sits next to shared names;
    - `position`: where the passage starts in its article, as a share of its length (0 to 1);
    - `anchors`: already-linked pairs, (start of one span in the passage's article, start of
      its counterpart in `text`), each as a share of its article's length. Reports of one event
      tell it in a similar order: a place near where the anchors (or, without them, the
      passage's own position) put the counterpart gets a small bonus. Needs `position`.
    """
    query_terms = terms(passage, language)
    if not query_terms or limit <= 0:
        return []
    _check_position(position, anchors)
    if index is None:
        index = _cached_index(text, language)
    elif not index.matches(text):
        raise ValueError("This suggestion index was built for another text.")
    elif index.language != language:
        raise ValueError(f"This suggestion index was built for {index.language!r}, not {language!r}.")
    query = _query(index, query_terms)
    scores = _scores(index, query)
    near = _context_scores(index, context, language, query, scores)
    predicted = _predicted(position, anchors)
    weight = ANCHORED if anchors else POSITION

    # Only places within POSITION_WIDTH of the predicted one get a bonus: a cheap test first.
    low, high = (-1, -1) if predicted is None else _bonus_range(predicted, len(text))

    def where(start):
        return _position_prior(predicted, start / len(text), weight) if low < start < high else 1.0

    size = len(query_terms)
    headings = sorted((s, e) for s, e in headings if s < e)
    candidates = []  # (score, start, end, span_id)
    for unit in scores.keys() | near.keys() if near else scores:
        start, end = index.starts[unit], index.ends[unit]
        if headings and any(_overlap(start, end, s, e) for s, e in headings):
            for s, e in _outside(start, end, headings):
                s, e = _trim(text, s, e)
                counts = _counts(text, s, e, language)
                if counts:
                    value = _score_counts(index, query, counts, index.levels[unit]) + near.get(unit, 0.0)
                    candidates.append((value * _prior(size, sum(counts.values())) * where(s), s, e, None))
            continue
        value = (scores.get(unit, 0.0) + near.get(unit, 0.0)) * _prior(size, index.sizes[unit])
        candidates.append((value * where(start) if low < start < high else value, start, end, None))
    for span_id, start, end in highlights:
        if not 0 <= start < end <= len(text):
            raise ValueError(f"The highlight {span_id} ({start}–{end}) lies outside the text.")
        counts = _counts(text, start, end, language)
        if counts:
            value = _score_counts(index, query, counts, index.level_for(sum(counts.values())))
            value += _context_of_range(index, near, start, end)
            candidates.append(
                (value * _prior(size, sum(counts.values())) * where(start), start, end, span_id)
            )
    return _best(text, candidates, limit)


def context_around(text: str, start: int, end: int) -> str:
    """The sentences of `text` that hold [start, end) and the sentence on either side: what to
    pass to `suggest` as `context`. Reads only CONTEXT_CHARS either side, so it is quick on a long
    text (a sentence cut by that window is cut in the context too)."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"The range {start}–{end} lies outside the text.")
    low, high = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    found = [(s + low, e + low) for s, e in sentencelib.sentences(text[low:high])]
    holding = [i for i, (s, e) in enumerate(found) if s < end and start < e]
    if holding:
        first, last = holding[0] - 1, holding[-1] + 1
    else:  # a heading or a credit line: the sentences before and after it
        last = bisect_left([s for s, _ in found], end)
        first = last - 1
    chosen = found[max(first, 0) : last + 1]
    return text[chosen[0][0] : chosen[-1][1]] if chosen else ""


def _context_scores(index, context, language, query, scores):
    """What the context adds to each unit, {unit: score}.

    The context is a locator, not a second passage: its CONTEXT_TERMS rarest terms that are not
    the passage's, as written (no paraphrases), score the sentences by BM25; the CONTEXT_PLACES
    best sentences and, at NEIGHBOUR times their score, the sentences either side of them are
    near (a sentence keeps its larger score), with their clauses. Scaled so that the largest is
    CONTEXT times the best passage score (CONTEXT times itself when the passage matched nothing).
    Both limits keep a long text fast: rare terms have short postings, few places few candidates.
    """
    others = set(terms(context, language)) - query.keys() if context else ()
    rarest = heapq.nlargest(CONTEXT_TERMS, sorted(others), key=lambda term: index.postings(term)[0])
    found = _scores(index, {term: [(term, 1.0)] for term in rarest})
    places = heapq.nlargest(
        CONTEXT_PLACES,
        ((value, -unit) for unit, value in found.items() if index.levels[unit] == SENTENCE),
    )
    near = {}  # rank of a sentence among the sentences -> its score
    for value, unit in places:
        rank = bisect_left(index.sentences, -unit)
        for other, share in ((rank, 1.0), (rank - 1, NEIGHBOUR), (rank + 1, NEIGHBOUR)):
            if 0 <= other < len(index.sentences):
                near[other] = max(near.get(other, 0.0), share * value)
    if not near:
        return {}
    top = max(near.values())
    scale = CONTEXT * (max(scores.values(), default=0.0) or top) / top
    result = {}
    for rank, value in near.items():
        after = index.sentences[rank + 1] if rank + 1 < len(index.sentences) else len(index.levels)
        for unit in range(index.sentences[rank], after):  # the sentence and its clauses
            result[unit] = value * scale
    return result


def _context_of_range(index, near, start, end):
    """What the context adds to a highlight: the most it adds to a sentence the highlight overlaps
    (sentences are disjoint and in order: those from the first ending after `start` to the last
    starting before `end`)."""
    first = bisect_right(index.sentence_ends, start)
    last = bisect_left(index.sentence_starts, end)
    return max((near.get(index.sentences[rank], 0.0) for rank in range(first, last)), default=0.0)


def _check_position(position, anchors):
    if position is not None and not 0 <= position <= 1:
        raise ValueError(f"The position {position} is not a share of the article (0 to 1).")
    for anchor in anchors:
        if len(anchor) != 2 or not all(0 <= share <= 1 for share in anchor):
            raise ValueError(f"The anchor {anchor} is not a pair of shares of the articles (0 to 1).")


def _predicted(position, anchors):
    """Where the counterpart of a passage at `position` should start, as a share of the other
    text: on the line between the nearest anchors before and after it, shifted as the nearest
    one is when all are on one side, or the same share as the passage without anchors (None
    without a position)."""
    if position is None:
        return None
    before = [anchor for anchor in anchors if anchor[0] <= position]
    after = [anchor for anchor in anchors if anchor[0] > position]
    if before and after:
        (s0, t0), (s1, t1) = max(before), min(after)
        return t0 + (t1 - t0) * (position - s0) / (s1 - s0)
    if before or after:
        s, t = max(before) if before else min(after)
        return t + position - s
    return position


def _bonus_range(predicted, length):
    """The offsets strictly between which a place may get a position bonus."""
    return (predicted - POSITION_WIDTH) * length, (predicted + POSITION_WIDTH) * length


def _position_prior(predicted, share, weight):
    """1 + `weight` at the predicted place, falling linearly to 1 at POSITION_WIDTH from it."""
    return 1 + weight * max(0.0, 1 - abs(share - predicted) / POSITION_WIDTH)


def _best(text, candidates, limit):
    """The best `limit` candidates that overlap no better one; a highlight nearly the same as a
    better unit takes its place and score."""
    highlights = [c for c in candidates if c[3] is not None]
    ranked = sorted((c for c in candidates if c[0] > 0), key=lambda c: (-c[0], c[1]))
    chosen = []
    for score, start, end, span_id in ranked:
        if span_id is None:
            same = [
                h
                for h in highlights
                if _overlap(start, end, h[1], h[2]) >= NEAR_SAME * max(end - start, h[2] - h[1])
            ]
            if same:
                _, start, end, span_id = max(same, key=lambda h: (h[0], -h[3]))
        if any(_overlap(start, end, s.start, s.end) for s in chosen):
            continue
        chosen.append(Suggestion(start, end, text[start:end], round(score, 3), span_id))
        if len(chosen) == limit:
            break
    return chosen
