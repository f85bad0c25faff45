"""Counterpart suggestions: the sentences of the other article most like a span.

BM25 over Snowball-stemmed words, in plain Python: nothing to download, and
the sentence index of a text is built once and kept (texts rarely change).
"""

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from reader import text as textlib

K1, B = 1.5, 0.75
_WORD = re.compile(r"\w+")
_STOP_WORDS = frozenset(
    """a an and are as at be been but by for from had has have he her his i in is it its of on or
    our she that the their them they this to was we were which who will with you your""".split()  # noqa: SIM905
)


@lru_cache(maxsize=8)
def _stemmer(language):
    name = {"en": "english", "fr": "french", "de": "german", "es": "spanish", "ru": "russian"}.get(
        language[:2].lower(), "english"
    )
    return snowballstemmer.stemmer(name)


def terms(passage: str, language: str = "en") -> list[str]:
    stemmer = _stemmer(language)
    words = (match.group().casefold() for match in _WORD.finditer(passage))
    return [stemmer.stemWord(word) for word in words if word not in _STOP_WORDS]


@dataclass(frozen=True)
class Suggestion:
    start: int
    end: int
    exact: str
    score: float


class _Index:
    def __init__(self, text, language):
        self.text = text
        self.language = language
        self.sentences = textlib.sentences(text)
        self.counts = [Counter(terms(text[s:e], language)) for s, e in self.sentences]
        self.lengths = [sum(c.values()) for c in self.counts]
        self.average = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0
        frequency = Counter(term for c in self.counts for term in c)
        total = len(self.counts)
        self.idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}

    def score(self, query, i):
        counts, length = self.counts[i], self.lengths[i]
        result = 0.0
        for term in query:
            tf = counts.get(term, 0)
            if tf:
                norm = K1 * (1 - B + B * length / self.average)
                result += self.idf[term] * tf * (K1 + 1) / (tf + norm)
        return result


@lru_cache(maxsize=16)
def _index(text, language):
    return _Index(text, language)


def suggest(passage: str, *, text: str, language: str = "en", limit: int = 3) -> list[Suggestion]:
    """The `limit` sentences of `text` most likely to say what `passage` says, best first."""
    index = _index(text, language)
    query = set(terms(passage, language))
    scored = sorted(
        ((index.score(query, i), i) for i in range(len(index.sentences))),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return [
        Suggestion(start, end, text[start:end], round(score, 3))
        for score, i in scored[:limit]
        if score > 0
        for start, end in [index.sentences[i]]
    ]
