"""reader/highlights.py: a piece of highlighted text, rendered from the chain of spans covering it.

No database: looks are built from plain rows. The spans tried nest, coincide, share edges and
cross, with labels, links and attribution roles drawn at random; pieces are cut from the whole
range and from stretches that clip spans at their edges. That reader.js rebuilds the spans a deep
piece leaves out is checked in Chromium: tests/browser/test_deep_pieces_browser.py.
"""

import re
from html import escape
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from reader import highlights
from reader import text as textlib

LABELS = {
    pk: SimpleNamespace(pk=pk, kind=kind, position=pk, name=name, marker=marker)
    for pk, kind, name, marker in [
        (1, "quote", "Quote", "“"),
        (2, "speaker", "Speaker", "S"),
        (3, "claim", "Claim", "C"),
    ]
}
TEXT = "The minister said, “we will act” — café 👍🏽 tomorrow."


def old_mark(text, segment, looks):
    """The rendering as it was before the chains, kept as the reference: every covering span."""
    words = escape(text[segment.start : segment.end], quote=False)
    spans = tuple(segment.spans)
    covering = [looks[span_id] for span_id in spans]

    def attributes(looks):
        ids = []
        for look in looks:
            ids += [pk for pk in look.attributions if pk not in ids]
        return f' data-attr="{" ".join(map(str, ids))}"' if ids else ""

    if len(spans) == 1:
        look = covering[0]
        tag = look.tag if look.start == segment.start else ""
        if look.attributions:
            tag += attributes([look])
        return (
            f'<mark class="{look.classes}" data-spans="{spans[0]}" title="{look.title}"{tag}>{words}</mark>'
        )
    inner = covering[-1]
    classes = inner.classes.replace(" linked", "")
    classes += " deep" if len(covering) > 2 else " nested"
    if any(look.linked for look in covering):
        classes += " linked"
    for role in ("content", "cue", "source"):
        if f" a-{role}" not in classes and any(role in look.roles for look in covering):
            classes += f" a-{role}"
    starting = [look for look in covering if look.start == segment.start]
    tag = f' data-tag="{escape(" ".join(look.marker for look in starting))}"' if starting else ""
    if any(look.linked for look in starting):
        tag += ' tabindex="0"'
    tag += attributes(covering)
    return (
        f'<mark class="{classes}" data-spans="{" ".join(map(str, spans))}"'
        f' title="{inner.title}"{tag}>{words}</mark>'
    )


@st.composite
def annotated_spans(draw):
    """(id, start, end) spans over TEXT and the rows span_looks reads: labels, links, roles."""
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, min_size=1, max_size=25))
    spans, rows, linked, roles = [], [], [], []
    for span_id in ids:
        start = draw(st.integers(0, 19))
        end = draw(st.integers(start + 1, 20))
        spans.append((span_id, start, end))
        for label in draw(st.lists(st.sampled_from(sorted(LABELS)), unique=True, max_size=2)):
            rows.append((span_id, start, end, label))
        if draw(st.booleans()):
            linked.append((span_id, start, end))
        for role, attribution in draw(
            st.lists(st.tuples(st.sampled_from(["content", "cue", "source"]), st.integers(1, 6)), max_size=2)
        ):
            roles.append((span_id, start, end, role, attribution, draw(st.booleans())))
    looks = highlights.span_looks(rows, LABELS, linked, roles)
    # as on a page, a span shows only with an annotation, a link or a part in an attribution
    return [span for span in spans if span[0] in looks], looks


NAMED = re.compile(r'data-spans="([^"]*)"(?: data-outer="(\d+)")?')


def spans_named(marks):
    """Every mark's covering spans, as reader.js rebuilds them: a deep piece's data-outer spans
    are the first ones of the piece before it, then come its own."""
    chain, named = [], []
    for html in marks:
        own, outer = NAMED.search(html).groups()
        assert outer is None or 0 < int(outer) <= len(chain)
        chain = chain[: int(outer or 0)] + own.split()
        named.append(" ".join(chain))
    return named


@settings(max_examples=300, deadline=None)
@given(annotated_spans(), st.data())
def test_a_piece_renders_as_it_did_when_every_covering_span_was_looked_at(case, data):
    spans, looks = case
    start = data.draw(st.integers(0, 20))
    end = data.draw(st.integers(start, 21))
    pieces = [s for s in textlib.segments(start, end, spans) if s.spans]
    new = [highlights._mark(TEXT, s, looks) for s in pieces]
    old = [old_mark(TEXT, s, looks) for s in pieces]
    assert spans_named(new) == [NAMED.search(html).group(1) for html in old]
    assert [NAMED.sub("", html) for html in new] == [NAMED.sub("", html) for html in old]


def test_a_deep_piece_names_only_the_spans_starting_there_and_how_many_it_shares():
    n = 12
    spans = [(i, i, 2 * n + 1 - i) for i in range(1, n + 1)]
    looks = highlights.span_looks([(*span, 1) for span in spans], LABELS)
    marks = [highlights._mark(TEXT, s, looks) for s in textlib.segments(0, 2 * n + 1, spans) if s.spans]
    named = [NAMED.search(html).groups() for html in marks]
    listed = [(" ".join(map(str, range(1, depth + 1))), None) for depth in range(1, 9)]
    assert named[:8] == listed
    assert named[8:12] == [(str(depth), str(depth - 1)) for depth in range(9, 13)]
    # coming out, a piece starts no span: it names none and shares all of its spans
    assert named[12:15] == [("", str(depth)) for depth in range(11, 8, -1)]
    assert named[15:] == listed[::-1]
    assert spans_named(marks)[11] == " ".join(map(str, range(1, 13)))


def test_a_sentence_of_a_deep_nest_names_all_its_spans_in_its_first_piece():
    n = 12
    spans = [(i, i, 2 * n + 1 - i) for i in range(1, n + 1)]
    looks = highlights.span_looks([(*span, 1) for span in spans], LABELS)
    pieces = textlib.segments(0, 2 * n + 1, spans, cuts=[11])
    first = next(highlights._mark(TEXT, s, looks) for s in pieces if s.start == 11)
    assert NAMED.search(first).groups() == (" ".join(map(str, range(1, 12))), None)


def test_a_piece_under_a_linked_span_it_does_not_start_is_linked_without_taking_focus():
    looks = highlights.span_looks(
        [(1, 0, 10, 1), (2, 2, 8, 2), (3, 4, 6, 3)],
        LABELS,
        linked=[(1, 0, 10)],
        roles=[(2, 2, 8, "cue", 7, False)],
    )
    middle = next(s for s in textlib.segments(0, 10, [(1, 0, 10), (2, 2, 8), (3, 4, 6)]) if s.start == 4)
    html = highlights._mark(TEXT, middle, looks)
    assert 'class="hl lab-3 k-claim deep linked a-cue"' in html
    assert 'data-tag="C"' in html
    assert "tabindex" not in html
    assert 'data-attr="7"' in html
    assert 'data-spans="1 2 3"' in html
