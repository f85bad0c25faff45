"""reader.js rebuilds what a deep piece leaves out of data-spans: run on the server's own chains."""

import pathlib
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page

from reader import highlights
from reader import text as textlib
from tests.test_segments import LABELS

SENTENCES = "The minister said. We will act now. Gen. Smith agreed! Then what? Nothing at all. Done here. "


def reader_js_chains():
    """reader.js's own spansOf and marksOf, lifted out of it to run on a bare page of marks."""
    js = (pathlib.Path(__file__).parents[2] / "static/reader/reader.js").read_text()
    code = js[js.index("  const ownSpans") : js.index("  const readLinks")]
    code += js[js.index("  // The pieces covering any") : js.index("  const scrollsOnItsOwn")]
    return code + " return {spansOf, marksOf};"


@pytest.mark.parametrize("swapped", [False, True])
def test_the_page_rebuilds_every_span_of_a_deep_piece_and_finds_every_piece_of_a_span(page: Page, swapped):
    text = SENTENCES * 3
    # twenty spans nested across sentence edges, two crossing them, one outside
    spans = [(i, 3 * i, len(text) - 2 * i) for i in range(1, 21)]
    spans += [(30, 70, 140), (31, 100, 200), (32, 0, 5)]
    looks = highlights.span_looks([(*span, 1) for span in spans], LABELS)
    document = SimpleNamespace(pk=1, text=text, text_sha256=textlib.sha256(text), heading_ranges=[])
    units = [unit for block in textlib.layout(text, spans) if block.is_paragraph for unit in block.units]
    alone = {unit.index: textlib.segments(unit.start, unit.end, spans) for unit in units[1::2] if swapped}
    expected = [list(s.spans) for u in units for s in alone.get(u.index, u.segments) if s.spans]
    assert max(map(len, expected)) > 2 * highlights.LISTED_DEPTH
    page.set_content(f'<div class="text">{highlights.render_text(document, looks)}</div>')
    for index, pieces in alone.items():  # as after a write: each sentence swapped in alone
        html = highlights._unit(document, text, textlib.Unit(index, 0, 0, pieces), looks, oob=True)
        page.evaluate(
            "([id, html]) => { document.getElementById(id).outerHTML = html; }", [f"u-1-{index}", html]
        )
    found = page.evaluate(
        """(code) => {
          const {spansOf, marksOf} = new Function(code)();
          const marks = [...document.querySelectorAll(".text mark.hl")];
          const ids = [...new Set(marks.flatMap(spansOf))];
          return {
            chains: marks.map(spansOf),
            pieces: ids.map((id) => [id, marksOf([id]).map((mark) => marks.indexOf(mark))]),
          };
        }""",
        reader_js_chains(),
    )
    assert "data-outer" in highlights.render_text(document, looks)
    assert [[int(i) for i in chain] for chain in found["chains"]] == expected
    for span_id, pieces in found["pieces"]:
        assert pieces == [i for i, chain in enumerate(expected) if int(span_id) in chain]
