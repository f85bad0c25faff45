"""The shipped close reading (seeds/reading.json, made by scripts/seed_reading.py through the
reader) holds up: its words are the texts at its offsets, its quotes are whole and attributed,
every mention resolves, every link joins the two articles, every contradiction says why, and it
loads once (`load_seeds --with-reading`) and idempotently.

Bad inputs tried: a reading whose span is moved by one character, a quote highlighted without its
closing mark, words that occur more than once with no passage to tell which, a span cut inside a
word, a link within one article, a contradiction without a note; a database that already holds
someone's annotation (the reading must leave it alone).
"""

import copy
import io
import json
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from reader import formats
from reader.models import Annotation, Link, Span
from scripts import seed_reading
from tests.factories import AnnotationFactory

SEEDS = Path(settings.BASE_DIR) / "seeds"
READING = SEEDS / "reading.json"
OPENING, CLOSING = '“"', '”"'

# What docs/READING.md says the reading holds (at least); the previous reading had about 113
# annotations and 22 links.
CLAIMED = {"Speaker": 53, "Claim": 48, "Quote": 19, "annotations": 120, "links": 22, "speakers": 20}


@pytest.fixture(scope="module")
def reading():
    return json.loads(READING.read_text(encoding="utf-8"))


def texts_of(reading):
    return {document["slug"]: document["text"] for document in reading["documents"]}


def span_of(key, texts):
    slug, offsets = key.rsplit(":", 1)
    start, end = (int(n) for n in offsets.split("-"))
    return slug, start, end, texts[slug][start:end]


def annotations(reading, label):
    return [a for a in reading["annotations"] if a["label"] == label]


def is_word(char):
    return unicodedata.category(char)[0] in "LN"


# --- The words -----------------------------------------------------------------------------------


def test_the_documents_are_the_seed_files_byte_for_byte(reading):
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {entry["slug"]: (SEEDS / entry["file"]).read_bytes() for entry in manifest["documents"]}
    assert {slug: text.encode("utf-8") for slug, text in texts_of(reading).items()} == on_disk


def test_every_span_is_the_text_at_its_offsets(reading):
    texts = texts_of(reading)
    wrong = [s for s in reading["spans"] if texts[s["document"]][s["start"] : s["end"]] != s["exact"]]
    assert wrong == []


def test_every_annotation_and_link_names_a_span_of_the_file(reading):
    spans = {f"{s['document']}:{s['start']}-{s['end']}" for s in reading["spans"]}
    named = [a["span"] for a in reading["annotations"]]
    named += [end for link in reading["links"] for end in (link["source"], link["target"])]
    assert set(named) <= spans


def test_no_span_starts_or_ends_inside_a_word_or_on_a_space(reading):
    texts = texts_of(reading)
    cut = []
    for s in reading["spans"]:
        text, start, end = texts[s["document"]], s["start"], s["end"]
        if s["exact"] != s["exact"].strip():
            cut.append(s["exact"])
        if start > 0 and is_word(text[start - 1]) and is_word(text[start]):
            cut.append(s["exact"])
        if end < len(text) and is_word(text[end - 1]) and is_word(text[end]):
            cut.append(s["exact"])
    assert cut == []


def test_every_quote_is_whole_with_its_quotation_marks(reading):
    texts = texts_of(reading)
    quotes = [span_of(a["span"], texts)[3] for a in annotations(reading, "Quote")]
    assert quotes
    assert [q for q in quotes if q[0] not in OPENING or q[-1] not in CLOSING] == []


def test_every_quotation_in_the_texts_is_tagged_quote(reading):
    """Each pair of quotation marks in either text is inside a Quote highlight."""
    texts = texts_of(reading)
    quoted = {}
    for a in annotations(reading, "Quote"):
        slug, start, end, _ = span_of(a["span"], texts)
        quoted.setdefault(slug, []).append((start, end))
    missed = []
    for slug, text in texts.items():
        for at, char in enumerate(text):
            if char in '“"' and not any(s <= at < e for s, e in quoted.get(slug, [])):
                missed.append((slug, at, text[at : at + 30]))
    assert missed == []


# --- Who speaks ----------------------------------------------------------------------------------


def test_every_quote_has_a_speaker_and_a_cue_written_near_it(reading):
    texts = texts_of(reading)
    wrong = []
    for a in annotations(reading, "Quote"):
        slug, start, end, words = span_of(a["span"], texts)
        nearby = texts[slug][max(0, start - 200) : end + 200]
        if not a["speaker"] or not a["cue"] or a["cue"] not in nearby:
            wrong.append(words[:40])
    assert wrong == []


def test_every_speaker_mention_resolves_to_a_speaker_of_the_file(reading):
    speakers = {s["name"] for s in reading["speakers"]}
    mentions = annotations(reading, "Speaker")
    assert mentions
    assert [m["span"] for m in mentions if m["speaker"] not in speakers] == []


def test_the_file_has_exactly_the_speakers_of_the_reading(reading):
    """No speaker made from a pronoun or an apposition is left behind."""
    assert sorted(s["name"] for s in reading["speakers"]) == sorted(s.name for s in seed_reading.SPEAKERS)


def test_one_speaker_has_every_name_an_article_gives_rouhani(reading):
    texts = texts_of(reading)
    names = {
        span_of(a["span"], texts)[3]
        for a in annotations(reading, "Speaker")
        if a["speaker"] == seed_reading.ROUHANI
    }
    assert names == {"Iranian President Hassan Rouhani", "Rouhani", "the president", "The Iranian president"}


def test_every_claim_is_attributed_inside_a_quote_or_in_the_outlets_voice(reading):
    texts = texts_of(reading)
    kinds = {s.name: s.kind for s in seed_reading.SPEAKERS}
    quotes = [(span_of(a["span"], texts)[:3], a["speaker"]) for a in annotations(reading, "Quote")]
    loose = []
    for a in annotations(reading, "Claim"):
        slug, start, end, words = span_of(a["span"], texts)
        inside = any(
            q[0] == slug and q[1] <= start and end <= q[2] and who == a["speaker"] for q, who in quotes
        )
        if not a["speaker"] or not (a["cue"] or inside or kinds[a["speaker"]] == "outlet"):
            loose.append(words[:40])
    assert loose == []


def test_the_injury_counts_are_noted_as_contested(reading):
    texts = texts_of(reading)
    notes = {span_of(a["span"], texts)[3]: a["note"] for a in annotations(reading, "Claim")}
    assert "Contested" in notes["causing brain injury among dozens of American servicemen"]
    assert "unsourced" in notes["The strikes caused 109 traumatic brain injuries among US troops."]


def test_the_attributions_cover_every_quote_once(reading):
    if "attributions" not in reading:
        pytest.skip("this export format has no attributions section yet")
    quotes = {a["span"] for a in annotations(reading, "Quote")}
    covered = [a["content"] for a in reading["attributions"]]
    covered += [piece for a in reading["attributions"] for piece in a.get("content_more", [])]
    assert sorted(covered) == sorted(set(covered))
    assert quotes <= set(covered)


# --- Links ---------------------------------------------------------------------------------------


def test_every_link_joins_the_two_articles_of_the_comparison(reading):
    (comparison,) = reading["comparisons"]
    ends = [{link["source"].rsplit(":", 1)[0], link["target"].rsplit(":", 1)[0]} for link in reading["links"]]
    assert ends
    assert all(pair == {comparison["left"], comparison["right"]} for pair in ends)


def test_every_link_joins_quotes_claims_or_mentions(reading):
    tagged = {a["span"] for a in reading["annotations"]}
    assert [link for link in reading["links"] if not {link["source"], link["target"]} <= tagged] == []


def test_every_contradiction_has_a_note(reading):
    contradictions = [link for link in reading["links"] if link["relation"] == "contradicts"]
    assert contradictions
    assert [link for link in contradictions if not link["note"].strip()] == []


def test_the_reading_counts_at_least_what_it_claims(reading):
    found = {label: len(annotations(reading, label)) for label in ("Speaker", "Claim", "Quote")}
    found |= {
        "annotations": len(reading["annotations"]),
        "links": len(reading["links"]),
        "speakers": len(reading["speakers"]),
    }
    assert {name: found[name] >= least for name, least in CLAIMED.items()} == dict.fromkeys(CLAIMED, True)


def test_the_file_is_what_the_script_reads(reading):
    """The shipped file and the reading written in the script agree: every highlight, link and
    speaker, nothing else (so the file was made by the script, and the script says what it holds)."""
    planned, keys, _ = seed_reading.plan()
    seed_reading.check_export(reading, planned, keys)


# --- The script's own checks ---------------------------------------------------------------------


def test_the_script_notices_a_span_moved_by_one_character(reading):
    planned, keys, _ = seed_reading.plan()
    moved = copy.deepcopy(reading)
    moved["spans"][0]["start"] += 1
    with pytest.raises(seed_reading.ReadingError, match="does not match its text"):
        seed_reading.check_export(moved, planned, keys)


def test_the_script_refuses_a_quote_without_its_closing_mark(monkeypatch):
    broken = seed_reading.quote(seed_reading.B, "B.cut", '"crazy murderer', seed_reading.ROUHANI, cue="added")
    monkeypatch.setattr(seed_reading, "READING", [broken])
    with pytest.raises(seed_reading.ReadingError, match="whole, with its quotation marks"):
        seed_reading.plan()


def test_the_script_refuses_words_that_occur_twice_without_a_passage():
    text = "Rouhani said it. Rouhani said it again."
    with pytest.raises(seed_reading.ReadingError, match="occurs 2 times"):
        seed_reading.locate(text, seed_reading.W("Rouhani"))
    assert seed_reading.locate(text, seed_reading.W("Rouhani", "it. Rouhani said")) == (17, 24)


def test_the_script_refuses_a_span_cut_inside_a_word():
    with pytest.raises(seed_reading.ReadingError, match="ends inside a word"):
        seed_reading.check_span("Rouhani suggested", 0, 12, "a claim")


def test_the_script_refuses_a_link_within_one_article_or_a_silent_contradiction(monkeypatch):
    monkeypatch.setattr(seed_reading, "LINKS", [("A.strike", "A.anniversary", "counterpart", "")])
    with pytest.raises(seed_reading.ReadingError, match="from the Mehr article"):
        seed_reading.plan()
    monkeypatch.setattr(seed_reading, "LINKS", [("A.dozens", "B.injuries", "contradicts", "")])
    with pytest.raises(seed_reading.ReadingError, match="needs its note"):
        seed_reading.plan()


# --- Loading it ----------------------------------------------------------------------------------


def export(comparison=None):
    data = json.loads("".join(formats.export_chunks(comparison=comparison)))
    data.pop("exported")
    return data


@pytest.mark.django_db
def test_importing_the_reading_twice_exports_the_same_file():
    call_command("load_seeds", stdout=io.StringIO())
    with READING.open("rb") as file:
        formats.import_native(file=file)
    first = export()
    with READING.open("rb") as file:
        summary = formats.import_native(file=file)
    assert summary.total("added") == summary.total("updated") == summary.total("conflicts") == 0
    assert export() == first


def without_label_times(data):
    """The built-in labels are made by a migration in every database: their times are its own."""
    data = copy.deepcopy(data)
    data.pop("exported", None)
    for label in data["labels"]:
        label.pop("modified")
    return data


@pytest.mark.django_db
def test_the_imported_reading_exports_as_the_shipped_file(reading):
    """Into an empty database: what comes out is what went in."""
    with READING.open("rb") as file:
        formats.import_native(file=file)
    assert without_label_times(export()) == without_label_times(reading)


@pytest.mark.django_db
def test_load_seeds_with_reading_loads_the_reading_once(reading):
    call_command("load_seeds", "--with-reading", stdout=io.StringIO())
    assert Annotation.objects.count() == len(reading["annotations"])
    assert Link.objects.count() == len(reading["links"])
    first = export()
    out = io.StringIO()
    call_command("load_seeds", "--with-reading", stdout=out)
    assert "left alone (this database has annotations already)" in out.getvalue()
    assert export() == first


@pytest.mark.django_db
def test_load_seeds_with_reading_leaves_a_database_with_annotations_alone():
    call_command("load_seeds", stdout=io.StringIO())
    mine = AnnotationFactory()
    call_command("load_seeds", "--with-reading", stdout=io.StringIO())
    assert list(Annotation.objects.all()) == [mine]
    assert Span.objects.count() == 1


@pytest.mark.django_db
def test_load_seeds_without_the_option_loads_no_reading():
    call_command("load_seeds", stdout=io.StringIO())
    assert not Annotation.objects.exists()
