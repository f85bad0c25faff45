"""What the report's faster paths must keep: the `shorten` filter gives what Django's
truncatechars gives, for any text and limit.

Bad inputs tried: texts of combining marks, decomposed letters (NFD), astral characters and
emoji, limits of 1 and below the text's length.
"""

from django.template.defaultfilters import truncatechars
from hypothesis import given
from hypothesis import strategies as st

from reader.templatetags.report_tags import shorten

# Pieces, some of several code points: a decomposed letter, a lone combining mark, a letter NFC
# keeps decomposed (क़), a ZWJ family and a flag.
PIECES = st.one_of(
    st.characters(codec="utf-8", exclude_categories=["Cs"]),
    st.sampled_from(["e\u0301", "\u0301", "\u0958", "👩‍👩‍👧", "🇫🇷", "a"]),
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)


@given(TEXTS, st.integers(min_value=1, max_value=45))
def test_shorten_gives_what_truncatechars_gives(text, length):
    assert shorten(text, length) == truncatechars(text, length)


def test_shorten_cuts_a_long_text_with_an_ellipsis():
    assert shorten("abcdefghij", 5) == "abcd…"


def test_shorten_returns_a_decomposed_short_text_composed():
    assert shorten("Cafe\u0301", 10) == "Caf\u00e9"
