"""Cues by their lemma (reader/cues.py): pure."""

import pytest

from reader.cues import cue_lemma


@pytest.mark.parametrize(
    ("cue", "lemma"),
    [
        ("said", "say"),
        ("says", "say"),
        ("Said", "say"),
        ("has repeatedly said", "say"),
        ("told reporters", "tell"),
        ("tweeted", "tweet"),
        ("alleged", "allege"),
        ("wrote", "write"),
        ("admitted", "admit"),
        ("believes", "believe"),
        ("According to", "according to"),
        ("according to a statement", "according to"),
        (":", ":"),
        (" — ", ":"),
        ("in a statement", "statement"),
        ("in statements", "statement"),
        ("voiced", "voiced"),
        ("  ", ""),
    ],
)
def test_a_cue_is_counted_by_its_lemma(cue, lemma):
    assert cue_lemma(cue) == lemma
