"""The agreement page: which passages count, the curator's sample, the coefficients, curators only.

Bad inputs tried: a non-curator (page and sample), a malformed passage, a range outside the article,
a range in an article of another comparison."""

import pytest
from django.urls import reverse

from reader import annotating
from reader.models import AgreementSample, Span
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    LinkFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
    span_over,
)

pytestmark = pytest.mark.django_db

TEXT = (
    "The minister said the talks had failed.\n\n"
    "Officials denied it on Friday, calling the report baseless.\n\n"
    "Nobody else commented on the talks."
)


@pytest.fixture
def partial(db):
    """ann read the whole left article; bob stopped after the first paragraph. In the first
    paragraph they agree on a quote (with its speaker) and disagree on a claim's label."""
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    left = DocumentFactory(slug="left-doc", title="Left article", text=TEXT)
    right = DocumentFactory(
        slug="right-doc", title="Right article", text="The talks failed.\n\nNo one denied it."
    )
    comparison = ComparisonFactory(slug="pair", left=left, right=right)
    quote, claim = builtin_label("Quote"), builtin_label("Claim")
    rouhani = SpeakerFactory(name="Hassan Rouhani")
    failed = span_over(left, "the talks had failed")
    AnnotationFactory(span=failed, label=quote, author=ann, speaker=rouhani, cue="said")
    AnnotationFactory(span=failed, label=quote, author=bob, speaker=rouhani, cue="said")
    minister = span_over(left, "The minister")
    AnnotationFactory(span=minister, label=claim, author=ann)
    AnnotationFactory(span=minister, label=quote, author=bob)
    AnnotationFactory(span=span_over(left, "Officials denied it"), label=claim, author=ann)
    AnnotationFactory(span=span_over(left, "Nobody else commented"), label=claim, author=ann)
    return comparison


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def url(comparison):
    return reverse("comparison_agreement", args=[comparison.slug])


def sample_url(comparison):
    return reverse("agreement_sample", args=[comparison.slug])


def words(response):
    """The page with runs of whitespace as one space, as a reader sees it."""
    return " ".join(response.content.decode().split())


def the_pair(client, comparison):
    (pair,) = client.get(url(comparison)).context["pairs"]
    return pair


def test_only_the_passages_both_worked_on_count(curator_client, partial):
    pair = the_pair(curator_client, partial)
    assert pair.regions == {partial.left_id: [(0, 39)]}
    assert (pair.counted, pair.left_out) == ((2, 2), (2, 0))


def test_the_page_says_which_passages_count_and_what_was_left_out(curator_client, partial):
    html = words(curator_client.get(url(partial)))
    assert (
        "Counted: the passages both worked on: Left article paragraphs 1 (1 of 3); Right article none (of 2)."
        in html
    )
    assert "Left out, outside them: 2 of ann's annotations and 0 of bob's." in html


def test_the_page_shows_kappa_and_alpha_per_label_and_overall(curator_client, partial):
    response = curator_client.get(url(partial))
    (pair,) = response.context["pairs"]
    rows = {row.label: row for row in pair.labels}
    # Units: (Quote, Quote), (Claim, Quote): p_o = 1/2, p_e = 1/2 * 1 = 1/2.
    assert rows["all labels"].kappa == 0.0
    assert rows["all labels"].alpha == pytest.approx(1 - 3 * 2 / (4 * 4 - 3 * 3 - 1 * 1))
    assert (rows["Quote"].count_a, rows["Quote"].count_b, rows["Claim"].count_a) == (1, 2, 1)
    html = response.content.decode()
    assert '<th scope="col">Cohen\'s κ</th>' in html
    assert "Krippendorff, K. (2011)" in html
    assert "Cohen, J. (1960)" in html
    assert "<td>0.000</td>" in html


def test_the_page_shows_speaker_and_cue_agreement_on_matched_pairs(curator_client, partial):
    pair = the_pair(curator_client, partial)
    assert (pair.speaker.units, pair.speaker.agreed, pair.cue.agreed) == (1, 1, 1)
    html = curator_client.get(url(partial)).content.decode()
    assert '<tr><th scope="row">Speaker</th><td>1</td><td>1</td>' in html


def test_link_relations_are_compared_on_the_page(curator_client, partial):
    left, right = partial.left, partial.right
    source = Span.objects.get(document=left, start=TEXT.index("the talks had failed"))
    target = span_over(right, "The talks failed")
    LinkFactory(source=source, target=target, relation="paraphrase", author=UserFactory(username="ann"))
    LinkFactory(source=target, target=source, relation="contradicts", author=UserFactory(username="bob"))
    pair = the_pair(curator_client, partial)
    assert (pair.relation.units, pair.relation.agreed) == (1, 0)
    # One unit, (paraphrase, contradicts): p_o = 0 = p_e, so kappa = 0; alpha = 1 - 1 * 2 / 2 = 0.
    assert (pair.relation.kappa, pair.relation.alpha) == (0.0, 0.0)


def test_a_curator_marks_a_sample_and_agreement_counts_only_it(curator_client, partial):
    left = partial.left
    start = TEXT.index("Officials")
    end = TEXT.index("\n\nNobody")
    response = curator_client.post(
        sample_url(partial), {"passage": [f"{left.pk}:0-39", f"{left.pk}:{start}-{end}"]}
    )
    assert response.status_code == 302
    assert response["Location"] == url(partial) + "#sample"
    assert list(AgreementSample.objects.values_list("start", "end")) == [(0, 39), (start, end)]
    pair = the_pair(curator_client, partial)
    assert pair.regions == {left.pk: [(0, 39), (start, end)]}
    assert (pair.counted, pair.left_out) == ((3, 2), (1, 0))
    html = words(curator_client.get(url(partial)))
    assert "Counted: the curator's sample: Left article paragraphs 1–2 (2 of 3)" in html
    assert f'value="{left.pk}:0-39" checked' in html


def test_clearing_the_sample_counts_the_passages_both_worked_on_again(curator_client, partial):
    curator_client.post(sample_url(partial), {"passage": [f"{partial.left_id}:0-39"]})
    curator_client.post(sample_url(partial), {"clear": "1", "passage": [f"{partial.left_id}:0-39"]})
    assert not AgreementSample.objects.exists()
    assert the_pair(curator_client, partial).regions == {partial.left_id: [(0, 39)]}


def test_a_malformed_passage_is_refused(curator_client, partial):
    response = curator_client.post(sample_url(partial), {"passage": ["left:0-39"]})
    assert response.status_code == 400
    assert not AgreementSample.objects.exists()


def test_a_range_outside_the_article_is_refused(curator_client, partial):
    response = curator_client.post(sample_url(partial), {"passage": [f"{partial.left_id}:0-{len(TEXT) + 1}"]})
    assert response.status_code == 400
    assert "lies outside the article" in response.content.decode()


def test_a_range_in_another_comparisons_article_is_refused(curator_client, partial):
    other = DocumentFactory(slug="other")
    response = curator_client.post(sample_url(partial), {"passage": [f"{other.pk}:0-3"]})
    assert response.status_code == 400
    assert not AgreementSample.objects.exists()


def test_only_curators_mark_a_sample(user_client, partial):
    response = user_client.post(sample_url(partial), {"passage": [f"{partial.left_id}:0-39"]})
    assert response.status_code == 403
    assert not AgreementSample.objects.exists()
    with pytest.raises(annotating.NotAllowed):
        annotating.agreement_sample_set(comparison=partial, ranges=[], curator=UserFactory(username="x"))


def test_only_curators_see_the_agreement_page(user_client, partial):
    assert user_client.get(url(partial)).status_code == 403


def test_the_agreement_page_links_each_pair_to_its_adjudication(curator_client, partial):
    html = curator_client.get(url(partial)).content.decode()
    assert reverse("comparison_adjudicate", args=["pair"]) + "?a=ann&amp;b=bob" in html
