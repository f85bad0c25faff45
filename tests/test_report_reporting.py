"""The report's tables a paper can cite: reporting verbs per outlet and per speaker (with a chart
drawn on the server), the share of direct, indirect and mixed speech, the speaker on each side of
a linked pair, and filters to accepted work or one annotator (on the page and in report.json).

Bad inputs tried: status=pending (only all work or accepted work), status=² and a NUL annotator.
"""

import json
import re

import pytest
from django.urls import reverse

from reader import attributing, report
from reader.attributing import Piece
from reader.models import Attribution, Status
from tests.factories import ComparisonFactory, DocumentFactory, LinkFactory, UserFactory

LEFT = "Rouhani said the reign would end. Rouhani alleged a plot. “We will win,” Rouhani said."
RIGHT = "The president claimed the reign would end, according to state media."


def piece(text, words):
    start = text.index(words)
    return Piece(start, start + len(words))


@pytest.fixture
def reading(db, user):
    comparison = ComparisonFactory(
        slug="pair",
        left=DocumentFactory(slug="mehr", outlet="Mehr", text=LEFT),
        right=DocumentFactory(slug="rt", outlet="RT", text=RIGHT),
    )
    made = {}
    for name, document, content, cue in [
        ("said", comparison.left, "the reign would end", "said"),
        ("alleged", comparison.left, "a plot", "alleged"),
        ("quote", comparison.left, "“We will win,”", "said"),
        ("claimed", comparison.right, "the reign would end", "claimed"),
    ]:
        cue_piece = (
            Piece(document.text.rindex(cue), document.text.rindex(cue) + len(cue))
            if name == "quote"
            else piece(document.text, cue)
        )
        made[name] = attributing.attribution_create(
            document=document,
            content=piece(document.text, content),
            cue=cue_piece,
            speaker_name="Hassan Rouhani",
            author=user,
        )
    LinkFactory(source=made["said"].content, target=made["claimed"].content, author=user)
    return comparison, made


def test_the_report_counts_each_outlets_reporting_verbs_by_lemma(reading):
    comparison, _ = reading
    verbs = report.build(comparison)["reporting"]["verbs"]
    assert verbs == [
        {"lemma": "say", "counts": [2, 0]},
        {"lemma": "allege", "counts": [1, 0]},
        {"lemma": "claim", "counts": [0, 1]},
    ]


def test_the_report_gives_each_speakers_cues_per_outlet(reading):
    comparison, _ = reading
    (entry,) = report.build(comparison)["reporting"]["by_speaker"]
    assert entry == {
        "speaker": "Hassan Rouhani",
        "outlets": [
            {"document": "mehr", "cues": [("say", 2), ("allege", 1)]},
            {"document": "rt", "cues": [("claim", 1)]},
        ],
    }


def test_the_report_gives_the_share_of_direct_indirect_and_mixed_speech_per_outlet(reading):
    comparison, _ = reading
    mehr, rt = report.build(comparison)["reporting"]["kinds"]
    assert (mehr["direct"], mehr["indirect"], mehr["mixed"], mehr["total"]) == (1, 2, 0, 3)
    assert mehr["shares"] == {"direct": 33, "indirect": 67, "mixed": 0}
    assert (rt["indirect"], rt["shares"]["indirect"]) == (1, 100)


def test_a_linked_pair_shows_the_speaker_on_each_side(reading):
    comparison, _ = reading
    (link,) = report.build(comparison)["links"]["counterpart"]
    assert link["left"]["speakers"] == ["Hassan Rouhani"]
    assert link["right"]["speakers"] == ["Hassan Rouhani"]
    assert link["right"]["cues"] == ["claimed"]


def test_the_report_can_be_limited_to_accepted_work(reading, curator):
    comparison, made = reading
    attributing_review = Attribution.objects.filter(pk=made["claimed"].pk)
    from reader.annotating import review

    review(items=attributing_review, status=Status.ACCEPTED, reviewer=curator)
    built = report.build(comparison, status="accepted")
    assert built["reporting"]["verbs"] == [{"lemma": "claim", "counts": [0, 1]}]
    assert built["links"]["counterpart"] == []  # the link itself is not accepted


def test_the_report_can_be_limited_to_one_annotator(reading, user):
    comparison, made = reading
    other = UserFactory(username="olga")
    Attribution.objects.filter(pk=made["alleged"].pk).update(author=other)
    built = report.build(comparison, annotator="olga")
    assert built["reporting"]["verbs"] == [{"lemma": "allege", "counts": [1, 0]}]


def test_the_report_page_draws_the_verbs_chart_and_keeps_its_filters(user_client, reading):
    comparison, _ = reading
    html = user_client.get(reverse("comparison_report", args=["pair"]) + "?status=accepted").content.decode()
    assert '<option value="accepted" selected>' in html
    assert 'href="/compare/pair/report.json?status=accepted"' in html
    assert "No cue marked yet." in html  # nothing is accepted yet
    full = user_client.get(reverse("comparison_report", args=["pair"])).content.decode()
    assert 'role="img" aria-label="Reporting verbs (cue lemmas) per outlet"' in full
    bars = re.findall(r'<rect x="130" y="\d+" width="(\d+)"', full)
    assert len(bars) == 6  # three lemmas, two outlets each
    assert '<th scope="row">say</th><td>2</td><td>0</td>' in full


def test_the_report_json_takes_the_same_filters(user_client, reading):
    data = json.loads(
        user_client.get(reverse("comparison_report_json", args=["pair"]) + "?annotator=ann").content
    )
    assert data["filters"] == {"status": None, "annotator": "ann"}
    assert data["reporting"]["verbs"][0] == {"lemma": "say", "counts": [2, 0]}


@pytest.mark.parametrize("query", ["status=pending", "status=%C2%B2", "annotator=a%00b"])
def test_a_bad_report_filter_is_a_400(user_client, reading, query):
    response = user_client.get(reverse("comparison_report", args=["pair"]) + "?" + query)
    assert response.status_code == 400


def test_the_report_links_the_tables_to_cite_limited_as_it_is(user_client, reading):
    html = user_client.get(reverse("comparison_report", args=["pair"]) + "?status=accepted").content.decode()
    for table in ("attributions", "links", "speakers"):
        assert f'href="/export/{table}.csv?comparison=pair&amp;status=accepted"' in html
    assert 'href="/export/brat.zip?comparison=pair&amp;status=accepted"' in html
    unfiltered = user_client.get(reverse("comparison_report", args=["pair"])).content.decode()
    assert 'href="/export/attributions.csv?comparison=pair"' in unfiltered
