"""What the report's faster paths must keep: the `shorten` filter gives what Django's
truncatechars gives, for any text and limit; `listed` writes the list items the template's loop
wrote, escaped alike.

Bad inputs tried: texts of combining marks, decomposed letters (NFD), astral characters and
emoji, limits of 1 and below the text's length; a quote and speaker names holding HTML.
"""

import pytest
from django.template.defaultfilters import truncatechars
from hypothesis import given
from hypothesis import strategies as st

from reader.templatetags.report_tags import listed, shorten

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


LOOP = {
    "claim": '{% for span in spans %}<li><span class="tag k-claim">Claim</span> '
    "{{ span.exact|truncatechars:240 }}</li>{% endfor %}",
    "quote": '{% for span in spans %}<li><span class="tag k-quote">Quote</span> '
    '{{ span.exact|truncatechars:240 }}{% if span.speakers %} — {{ span.speakers|join:", " }}{% endif %}'
    "</li>{% endfor %}",
}
SPANS = [
    {"exact": "<script>alert('x')</script> & \"quoted\"", "speakers": ["A & B <Ltd>", "O'Brien"]},
    {"exact": "Cafe\u0301 " * 60, "speakers": []},
    {"exact": "short", "speakers": ["Hassan Rouhani"]},
]


@pytest.mark.parametrize("kind", ["claim", "quote"])
def test_listed_writes_what_the_template_loop_wrote(kind):
    from django.template import engines

    expected = engines["django"].from_string(LOOP[kind]).render({"spans": SPANS})
    assert listed(SPANS, kind) == expected


def test_listed_escapes_what_it_lists():
    assert "<script>" not in listed(SPANS, "quote")
