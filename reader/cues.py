"""Cues by their lemma: "said", "says" and "has repeatedly said" are all "say", so a table can
count how each outlet reports a speaker. Pure, no Django; built from the extractor's lexicon, so
the two agree on what a reporting verb is.

    cue_lemma("has repeatedly said") -> "say"
    cue_lemma("according to")        -> "according to"
    cue_lemma(":")                   -> ":"  (a colon cue, as in `Rouhani: "…"`)
    cue_lemma("in a statement")      -> "statement"
"""

import re
from functools import lru_cache

from reader.attribution import _SPEECH, _THOUGHT, _inflections

_PHRASES = {"according to": "according to", "in the words of": "in the words of"}
_NOUNS = frozenset(
    """statement statements tweet tweets post posts interview interviews remarks remark speech speeches
    letter letters report reports claim claims view views belief beliefs message messages""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@lru_cache(maxsize=1)
def _lemmas() -> dict:
    found = {}
    for entry in [*_SPEECH, *_THOUGHT]:
        lemma = entry.split("/")[0].rstrip("+")
        for form in _inflections(entry):
            found.setdefault(form, lemma)
    return found


def cue_lemma(cue: str) -> str:
    """The lemma of a cue's reporting verb (or its phrase, or its noun), lowercased; the cue itself,
    lowercased and trimmed, when it has none of these."""
    words = " ".join(cue.split()).strip(" ,;").casefold()
    if not words:
        return ""
    if words.strip() in (":", "—", "-"):
        return ":"
    for phrase, lemma in _PHRASES.items():
        if phrase in words:
            return lemma
    lemmas = _lemmas()
    tokens = _WORD.findall(words)
    for token in tokens:
        if token in lemmas:
            return lemmas[token]
    for token in tokens:
        if token in _NOUNS:
            return token.rstrip("s") if token.endswith("s") and token[:-1] in _NOUNS else token
    return words.rstrip(":").strip()
