"""How things are shown: an outlet's name with its note on demand, quotations without doubled
marks, subheadings as headings (from the seeds' list or Markdown-style on paste)."""

import re

import pytest
from django.core.management import call_command
from django.template import Context, Template

from reader import text as textlib
from reader.models import Document
from tests.factories import DocumentFactory


@pytest.mark.parametrize(
    ("written", "name", "note"),
    [
        (
            "Mehr News Agency (Tehran dateline; credits Mehr)",
            "Mehr News Agency",
            "Tehran dateline; credits Mehr",
        ),
        (
            "unknown (the style note suggests a Russian state outlet)",
            "",
            "the style note suggests a Russian state outlet",
        ),
        ("Reuters", "Reuters", ""),
        ("The (London) Times", "The (London) Times", ""),
        ("", "", ""),
    ],
)
def test_an_outlet_is_split_into_its_name_and_how_it_is_known(written, name, note):
    assert textlib.split_outlet(written) == (name, note)


def test_heading_lines_finds_named_lines_and_markdown_headings():
    text = "Intro line.\n\nAnniversary Approaches\n\n## Reactions\n\nBody ## not a heading."
    assert textlib.heading_lines(text, ["Anniversary Approaches"]) == [[13, 35], [37, 49]]
    assert textlib.heading_lines(text) == [[37, 49]]


def test_the_seeds_show_the_outlet_name_and_keep_the_note_apart(db):
    call_command("load_seeds", verbosity=0)
    mehr = Document.objects.get(slug="iran-fm-us-isis-brothers-in-arms")
    russian = Document.objects.get(slug="rouhani-crazy-murderer-trump-reign-ending")
    assert (mehr.outlet, mehr.outlet_note) == (
        "Mehr News Agency",
        "Tehran dateline; the closing line credits Mehr under CC BY 4.0",
    )
    assert russian.outlet == ""
    assert russian.outlet_note.startswith("the style note")


def test_the_russian_seeds_subheading_is_a_heading(user_client):
    call_command("load_seeds", verbosity=0)
    russian = Document.objects.get(slug="rouhani-crazy-murderer-trump-reign-ending")
    ((start, end),) = russian.heading_ranges
    assert russian.text[start:end] == "Anniversary of Assassination Approaches"
    html = user_client.get(russian.get_absolute_url()).content.decode()
    assert 'class="para heading"' in html
    assert "Anniversary of Assassination Approaches</span></h3>" in html


def test_a_markdown_heading_keeps_its_marker_in_the_text_but_hidden(user_client):
    document = DocumentFactory(text="## Reactions\n\nBody text.", headings=[[0, 12]])
    html = user_client.get(document.get_absolute_url()).content.decode()
    assert '<span class="heading-marker" hidden>## </span>Reactions' in html


def test_the_reader_shows_the_outlet_name_with_its_note_on_demand(user_client):
    document = DocumentFactory(outlet="Mehr News Agency", outlet_note="inferred from the closing line")
    html = user_client.get(document.get_absolute_url()).content.decode()
    assert 'title="inferred from the closing line">Mehr News Agency</span>' in html
    assert "<summary" in html
    # <details> cannot sit in a <p>: the parser would move it out, onto a line of its own
    assert re.search(r'<div class="outlet">[^\n]*<details class="outlet-note">', html)


def render(template, **context):
    return Template(template).render(Context(context))


@pytest.mark.parametrize(
    ("words", "html"),
    [
        ("brothers in arms", "<q>brothers in arms</q>"),
        ("“brothers in arms”", '<span class="quoted">“brothers in arms”</span>'),
        ('"crazy murderer"', '<span class="quoted">&quot;crazy murderer&quot;</span>'),
        ("''We will respond,''", '<span class="quoted">&#x27;&#x27;We will respond,&#x27;&#x27;</span>'),
        ("<b>x</b>", "<q>&lt;b&gt;x&lt;/b&gt;</q>"),
        # a content that ends a quotation it began mid-sentence: adding marks showed `world"”`
        (
            'the reign of "crazy murderer"',
            '<span class="quoted">the reign of &quot;crazy murderer&quot;</span>',
        ),
        ("unity of the Muslim world.”", '<span class="quoted">unity of the Muslim world.”</span>'),
    ],
)
def test_a_quotation_with_its_own_marks_gets_none_added(words, html):
    assert render("{{ words|as_quote }}", words=words) == html
