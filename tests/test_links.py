"""Links between the two articles: the rules, the views, the reader and the report.

Bad inputs tried, each answered with a clear 4xx and nothing written: no
counterpart picked, a link to itself, to the same article, a duplicate (either
direction), an unknown relation, an unknown source or target span, a stale
selection (409), editing or deleting someone else's link (403), anonymous
writes (401), a missing CSRF token (403).
"""

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reader import annotating
from reader import report as reportlib
from reader.annotating import AnnotatingError, Conflict, NotAllowed
from reader.models import Annotation, Link, Span
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    SpanFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
CREATE = reverse("link_create")


def tagged(document, phrase, label="Claim", author=None, **fields):
    start = document.text.index(phrase)
    span = SpanFactory(document=document, start=start, end=start + len(phrase))
    AnnotationFactory(span=span, label=builtin_label(label), author=author or UserFactory(), **fields)
    return span


def link(source, target, relation="counterpart", author=None, note=""):
    return Link.objects.create(
        source=source, target=target, relation=relation, author=author or UserFactory(), note=note
    )


@pytest.fixture
def spans(comparison, user):
    left = tagged(comparison.left, "the talks had failed", author=user)
    right = tagged(comparison.right, "The talks failed", author=user)
    return left, right


# The rules ------------------------------------------------------------------


def test_a_link_joins_spans_of_two_articles(spans, user):
    left, right = spans
    created = annotating.link_create(
        source=left, target=right, relation="paraphrase", note=" n ", author=user
    )
    assert (created.source, created.target, created.relation, created.note) == (
        left,
        right,
        "paraphrase",
        "n",
    )


def test_a_span_cannot_be_linked_to_itself(spans, user):
    with pytest.raises(AnnotatingError, match="itself"):
        annotating.link_create(source=spans[0], target=spans[0], relation="counterpart", author=user)
    assert not Link.objects.exists()


def test_a_link_within_one_article_is_refused(comparison, spans, user):
    other = tagged(comparison.left, "minister", author=user)
    with pytest.raises(AnnotatingError, match="same article"):
        annotating.link_create(source=spans[0], target=other, relation="counterpart", author=user)
    assert not Link.objects.exists()


def test_a_duplicate_link_is_refused_in_either_direction(spans, user):
    left, right = spans
    annotating.link_create(source=left, target=right, relation="contradicts", author=user)
    for source, target in [(left, right), (right, left)]:
        with pytest.raises(Conflict):
            annotating.link_create(source=source, target=target, relation="contradicts", author=user)
    assert Link.objects.count() == 1


def test_the_same_spans_may_be_linked_by_another_relation(spans, user):
    left, right = spans
    annotating.link_create(source=left, target=right, relation="counterpart", author=user)
    annotating.link_create(source=left, target=right, relation="elaborates", author=user)
    assert Link.objects.count() == 2


def test_linking_new_text_tags_it_like_its_source(comparison, spans, user):
    text = comparison.right.text
    start = text.index("No one denied it")
    created = annotating.link_to_selection(
        source=spans[0],
        document=comparison.right,
        start=start,
        end=start + 16,
        exact="No one denied it",
        label=builtin_label("Claim"),
        relation="contradicts",
        author=user,
    )
    assert created.target.exact == "No one denied it"
    assert [a.label.name for a in created.target.annotations.all()] == ["Claim"]


def test_linking_new_text_in_the_same_article_is_refused(comparison, spans, user):
    with pytest.raises(AnnotatingError):
        annotating.link_to_selection(
            source=spans[0],
            document=comparison.left,
            start=0,
            end=3,
            exact="The",
            label=builtin_label("Claim"),
            relation="counterpart",
            author=user,
        )
    assert Span.objects.count() == 2


def test_only_the_author_or_a_curator_changes_a_link(spans, user, other_user, curator):
    made = link(*spans, author=user)
    with pytest.raises(NotAllowed):
        annotating.link_update(link=made, user=other_user, relation="contradicts", note="")
    with pytest.raises(NotAllowed):
        annotating.link_delete(link=made, user=other_user)
    annotating.link_update(link=made, user=curator, relation="contradicts", note="checked")
    made.refresh_from_db()
    assert (made.relation, made.note, made.author) == ("contradicts", "checked", user)


def test_deleting_a_link_keeps_annotated_spans(spans, user):
    made = link(*spans, author=user)
    annotating.link_delete(link=made, user=user)
    assert Span.objects.count() == 2
    assert not Link.objects.exists()


def test_a_linked_span_survives_the_deletion_of_its_annotations(spans, user):
    link(*spans, author=user)
    annotating.annotation_delete(annotation=spans[0].annotations.get(), user=user)
    assert Span.objects.filter(pk=spans[0].pk).exists()


# The views ------------------------------------------------------------------


def test_linking_to_a_highlight_answers_with_both_paragraphs_and_a_refresh(user_client, comparison, spans):
    left, right = spans
    data = {"source": left.pk, "target": right.pk, "relation": "counterpart", "comparison": comparison.slug}
    response = user_client.post(CREATE, data, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert Link.objects.get().target == right
    assert f'id="u-{comparison.left.pk}-0"' in html
    assert f'id="u-{comparison.right.pk}-0"' in html
    assert "hl lab-" in html
    assert " linked" in html
    assert "annotations-changed" in response["HX-Trigger"]


def test_linking_to_a_selection_creates_the_span_with_the_sources_label(user_client, comparison, spans):
    text = comparison.right.text
    start = text.index("No one denied it")
    data = {
        "source": spans[0].pk,
        "relation": "contradicts",
        "comparison": comparison.slug,
        "target_document": comparison.right.pk,
        "target_start": start,
        "target_end": start + 16,
        "target_exact": "No one denied it",
        "label": "",
    }
    assert user_client.post(CREATE, data, headers=HTMX).status_code == 200
    target = Link.objects.get().target
    assert target.exact == "No one denied it"
    assert target.annotations.get().label.name == "Claim"


def test_following_a_suggestion_links_the_suggested_sentence(user_client, comparison, spans):
    text = comparison.right.text
    start, end = 0, text.index("\n")
    data = {
        "source": spans[0].pk,
        "relation": "counterpart",
        "comparison": comparison.slug,
        "target_document": comparison.right.pk,
        "suggestion": f"{start}-{end}",
    }
    assert user_client.post(CREATE, data, headers=HTMX).status_code == 200
    assert Link.objects.get().target.exact == text[start:end]


def test_the_panel_offers_the_counterparts_of_the_seeded_brain_injury_claim(user_client):
    from django.core.management import call_command

    call_command("load_seeds", verbosity=0, stdout=None)
    from reader.models import Comparison

    comparison = Comparison.objects.get()
    span = tagged(comparison.left, "causing brain injury among dozens of American servicemen")
    html = user_client.get(
        reverse("span_panel"), {"span": span.pk, "comparison": comparison.slug}, headers=HTMX
    ).content.decode()
    suggestions = re.findall(r"<li><q>(.*?)</q>", html)
    assert 1 <= len(suggestions) <= 3
    assert "The strikes caused 109 traumatic brain injuries among US troops." in suggestions


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"target": ""}, 400, "Pick the counterpart"),
        ({"target": "self"}, 400, "itself"),
        ({"target": "same-article"}, 400, "same article"),
        ({"relation": "agrees"}, 400, "relation"),
        ({"source": 999_999}, 410, "deleted"),
        ({"target": 999_999}, 410, "deleted"),
    ],
    ids=["nothing-picked", "itself", "same-article", "unknown-relation", "unknown-source", "unknown-target"],
)
def test_a_bad_link_gets_a_clear_4xx_and_writes_nothing(
    user_client, comparison, spans, change, status, message
):
    left, right = spans
    same = tagged(comparison.left, "minister")
    data = {"source": left.pk, "target": right.pk, "relation": "counterpart", **change}
    data["target"] = {"self": left.pk, "same-article": same.pk}.get(data["target"], data["target"])
    response = user_client.post(CREATE, data, headers=HTMX)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Link.objects.exists()
    assert Span.objects.count() == 3


def test_a_duplicate_link_from_the_view_is_a_conflict(user_client, spans):
    left, right = spans
    link(right, left, relation="counterpart")
    response = user_client.post(
        CREATE, {"source": left.pk, "target": right.pk, "relation": "counterpart"}, headers=HTMX
    )
    assert response.status_code == 409
    assert Link.objects.count() == 1


def test_a_stale_selection_to_link_is_a_conflict(user_client, comparison, spans):
    data = {
        "source": spans[0].pk,
        "relation": "counterpart",
        "target_document": comparison.right.pk,
        "target_start": 0,
        "target_end": 9,
        "target_exact": "Something",
    }
    response = user_client.post(CREATE, data, headers=HTMX)
    assert response.status_code == 409
    assert Span.objects.count() == 2
    assert not Link.objects.exists()


def test_anonymous_links_get_401(client, spans):
    response = client.post(CREATE, {"source": spans[0].pk, "target": spans[1].pk, "relation": "counterpart"})
    assert response.status_code == 401
    assert not Link.objects.exists()


def test_a_link_without_a_csrf_token_is_refused(user, spans):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(CREATE, {"source": spans[0].pk, "target": spans[1].pk, "relation": "counterpart"})
    assert response.status_code == 403
    assert not Link.objects.exists()


def test_the_link_page_aligns_the_two_wordings_word_by_word(user_client, spans):
    made = link(*spans)
    html = user_client.get(made.get_absolute_url()).content.decode()
    assert '<tr class="op-equal"><td>the talks</td><td>The talks</td></tr>' in html  # case aside
    assert '<tr class="op-delete"><td><del>had</del></td><td></td></tr>' in html  # only on the left
    assert '<tr class="op-equal"><td>failed</td><td>failed</td></tr>' in html


def test_editing_a_link_changes_its_relation_and_note(user_client, user, spans):
    made = link(*spans, author=user)
    response = user_client.post(
        made.get_absolute_url(),
        {"relation": "contradicts", "note": "tense", "version": made.version},
        headers=HTMX,
    )
    assert response.status_code == 200
    made.refresh_from_db()
    assert (made.relation, made.note) == ("contradicts", "tense")


def test_editing_someone_elses_link_is_forbidden(user_client, other_user, spans):
    made = link(*spans, author=other_user)
    response = user_client.post(
        made.get_absolute_url(),
        {"relation": "contradicts", "note": "x", "version": made.version},
        headers=HTMX,
    )
    assert response.status_code == 403
    made.refresh_from_db()
    assert made.relation == "counterpart"


def test_deleting_someone_elses_link_is_forbidden(user_client, other_user, spans):
    made = link(*spans, author=other_user)
    response = user_client.post(reverse("link_delete", args=[made.pk]), headers=HTMX)
    assert response.status_code == 403
    assert Link.objects.exists()


def test_deleting_your_link_rerenders_both_paragraphs(user_client, user, comparison, spans):
    made = link(*spans, author=user)
    html = user_client.post(
        reverse("link_delete", args=[made.pk]), {"comparison": comparison.slug}, headers=HTMX
    ).content.decode()
    assert not Link.objects.exists()
    assert html.count('hx-swap-oob="true"') == 2
    assert " linked" not in html


# The reader -------------------------------------------------------------------


def test_linked_spans_carry_a_marker_and_take_focus(user_client, comparison, spans):
    link(*spans)
    html = user_client.get(comparison.get_absolute_url()).content.decode()
    linked = re.findall(r'<mark class="([^"]*)" data-spans="(\d+)"[^>]*data-tag="([^"]*)" tabindex="0"', html)
    assert sorted(int(span) for _, span, _ in linked) == sorted(s.pk for s in spans)
    assert all("linked" in classes and tag.endswith("↔") for classes, _, tag in linked)


def test_the_page_carries_every_link_for_the_connectors(user_client, comparison, spans):
    made = link(*spans, relation="elaborates")
    html = user_client.get(comparison.get_absolute_url()).content.decode()
    data = re.search(r'id="link-data" hidden data-links="([^"]*)"', html).group(1)
    assert json.loads(data.replace("&quot;", '"')) == [
        {"id": made.pk, "source": spans[0].pk, "target": spans[1].pk, "relation": "elaborates"}
    ]
    assert '<svg id="connectors"' in html


def test_the_sidebar_lists_links_and_filters_them_by_relation(user_client, comparison, spans):
    counterpart = link(*spans)
    contradiction = link(*spans, relation="contradicts")
    html = user_client.get(comparison.get_absolute_url(), {"relation": "contradicts"}).content.decode()
    sidebar = html[html.index('id="sidebar"') : html.index("</aside>")]
    assert f"/links/{contradiction.pk}/" in sidebar
    assert f"/links/{counterpart.pk}/" not in sidebar
    assert not re.search(r"/annotations/\d+/", sidebar)  # a relation filter shows links only


def make_links(comparison, count):
    left_text, right_text = comparison.left.text, comparison.right.text
    author = UserFactory(username="linker")
    for n in range(count):
        left = SpanFactory(document=comparison.left, start=n * 7, end=n * 7 + 5)
        right = SpanFactory(document=comparison.right, start=n * 7, end=n * 7 + 6)
        AnnotationFactory(span=left, author=author)
        AnnotationFactory(span=right, author=author, label=builtin_label("Claim"))
        link(left, right, relation=["counterpart", "contradicts"][n % 2], author=author)
    assert len(left_text) > count * 7
    assert len(right_text) > count * 7


def queries(client, url):
    cache.clear()  # a first view: nothing cached, nothing to patch
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["comparison_detail", "comparison_report", "comparison_report_json"])
def test_the_query_count_does_not_grow_with_links(user_client, url_name):
    long_text = "Some words to link across the two articles. " * 300
    comparison = ComparisonFactory(left__text=long_text, right__text=long_text)
    url = reverse(url_name, args=[comparison.slug])
    for document in comparison.documents:  # the texts held by the process, as after any first view
        annotating.committed_text(document.pk, document.text_sha256)
    make_links(comparison, 10)
    few = queries(user_client, url)
    Span.objects.all().delete()
    make_links(comparison, 200)
    assert Link.objects.count() == 200
    # The reader's sidebar asks the second article for its rows only when the first runs out.
    assert queries(user_client, url) in (few, few - 1)


# The report -------------------------------------------------------------------


@pytest.fixture
def reported(comparison, user):
    rouhani = SpeakerFactory(name="Hassan Rouhani")
    said = tagged(
        comparison.left, "the talks had failed", label="Quote", author=user, speaker=rouhani, cue="said"
    )
    alleged = tagged(
        comparison.right, "The talks failed", label="Quote", author=user, speaker=rouhani, cue="alleged"
    )
    denied = tagged(comparison.left, "Officials denied it", author=user)
    nobody = tagged(comparison.right, "No one denied it", author=user)
    alone = tagged(comparison.left, "Nobody else commented.", author=user)
    link(said, alleged, relation="paraphrase", author=user)
    link(denied, nobody, relation="contradicts", author=user, note="who denied?")
    return {"alone": alone}


def test_the_report_shows_each_speaker_with_the_cues_of_each_outlet(comparison, reported):
    data = reportlib.build(comparison)
    (rouhani,) = data["speakers"]
    assert rouhani["speaker"] == "Hassan Rouhani"
    cues = [[item["cue"] for item in article["items"]] for article in rouhani["articles"]]
    assert cues == [["said"], ["alleged"]]


def test_the_report_groups_links_by_relation_left_article_first(comparison, reported):
    data = reportlib.build(comparison)
    (paraphrase,) = data["links"]["paraphrase"]
    assert paraphrase["left"]["exact"] == "the talks had failed"
    assert paraphrase["right"]["exact"] == "The talks failed"
    assert data["links"]["counterpart"] == []


def test_the_report_lists_contradictions_with_their_notes(comparison, reported):
    (contradiction,) = reportlib.build(comparison)["contradictions"]
    assert (contradiction["left"]["exact"], contradiction["right"]["exact"]) == (
        "Officials denied it",
        "No one denied it",
    )
    assert contradiction["note"] == "who denied?"


def test_the_report_lists_claims_found_in_only_one_article(comparison, reported):
    only = reportlib.build(comparison)["only_in"]
    assert [span["exact"] for span in only[0]["claims"]] == ["Nobody else commented."]
    assert only[1]["claims"] == []


def test_the_report_counts_labels_and_annotators(comparison, reported, user):
    counts = reportlib.build(comparison)["counts"]
    assert {row["label"]: (row["per_document"], row["total"]) for row in counts["labels"]} == {
        "Quote": ([1, 1], 2),
        "Claim": ([2, 1], 3),
    }
    assert counts["annotators"] == [{"username": user.username, "annotations": 5, "links": 2}]


def test_the_report_json_is_the_report(user_client, comparison, reported):
    response = user_client.get(reverse("comparison_report_json", args=[comparison.slug]))
    assert response["Content-Type"] == "application/json"
    assert response.json() == json.loads(json.dumps(reportlib.build(comparison)))


def test_the_report_page_shows_every_part(user_client, comparison, reported):
    html = user_client.get(reverse("comparison_report", args=[comparison.slug])).content.decode()
    for part in [
        "Who says what",
        "Hassan Rouhani",
        "alleged",
        "Contradictions",
        "who denied?",
        "Found in only one article",
        "Nobody else commented.",
        "Counts",
    ]:
        assert part in html


def test_the_report_prints_cleanly(client):
    css = Annotation._meta.apps.get_app_config("reader").path + "/../static/reader/reader.css"
    with open(css) as stylesheet:
        text = stylesheet.read()
    print_rules = text[text.index("@media print") :]
    assert "header.site" in print_rules
    assert "break-inside: avoid" in print_rules


def test_a_report_of_an_unknown_comparison_is_404(user_client):
    assert user_client.get("/compare/nope/report/").status_code == 404
    assert user_client.get("/compare/nope/report.json").status_code == 404


def test_a_third_article_does_not_leak_into_the_report(comparison, spans, user):
    stranger = tagged(DocumentFactory(slug="third"), "minister", author=user)
    link(spans[0], stranger, author=user)
    data = reportlib.build(comparison)
    assert data["counts"]["links"] == 0
    assert [span["exact"] for span in data["only_in"][0]["claims"]] == ["the talks had failed"]


def test_a_curator_reviews_a_link_from_its_panel(client, curator, spans):
    made = link(*spans)
    client.force_login(curator)
    html = client.get(made.get_absolute_url(), headers=HTMX).content.decode()
    assert f'action="/links/{made.pk}/review/"' in html
    response = client.post(reverse("link_review", args=[made.pk]), {"status": "accepted"}, headers=HTMX)
    assert response.status_code == 200
    assert "annotations-changed" in response["HX-Trigger"]
    made.refresh_from_db()
    assert (made.status, made.reviewed_by) == ("accepted", curator)
    assert f"accepted by {curator.username}" in response.content.decode()


def test_an_annotator_cannot_review_a_link(user_client, user, spans):
    made = link(*spans, author=user)
    assert (
        f'action="/links/{made.pk}/review/"' not in user_client.get(made.get_absolute_url()).content.decode()
    )
    response = user_client.post(reverse("link_review", args=[made.pk]), {"status": "accepted"}, headers=HTMX)
    assert response.status_code == 403
    made.refresh_from_db()
    assert made.status == "pending"


def test_the_no_javascript_list_tells_repeated_words_apart_by_label_and_context(
    user_client, user, comparison
):
    source = tagged(comparison.left, "minister")
    right = comparison.right
    right.text = "Rouhani spoke. Rouhani said no. Later Rouhani left."
    right.save()
    for n, label in enumerate(["Speaker", "Quote", "Claim"]):
        start = [m.start() for m in re.finditer("Rouhani", right.text)][n]
        span = SpanFactory(document=right, start=start, end=start + 7)
        AnnotationFactory(span=span, author=user, label=builtin_label(label))
    html = user_client.get(
        reverse("span_panel"), {"span": source.pk, "comparison": comparison.slug}, headers=HTMX
    ).content.decode()
    options = re.findall(r'<option value="\d+">([^<]*\[Rouhani\][^<]*)</option>', html)
    assert len(options) == 3
    assert len(set(options)) == 3
    assert options[0].startswith("Speaker · …")
    assert "[Rouhani] said no. Later" in options[1]
