"""Attributions in the app: made from a highlight and selections of its cue and source, changed
part by part, proposed by the machine and taken or declined, drawn in the text, and gathered on
a speaker's page.

Bad inputs tried: an attribution of words attributed already, a cue that is the content itself,
a selection from an older text, a stale form (409), a change by someone else (403), a part
outside the vocabulary, no selection for a part, an unknown decision, a decision naming nothing.
"""

import re

import pytest
from django.urls import reverse

from reader import attributing
from reader.attributing import Piece
from reader.models import Attribution, Span, Speaker, Status
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
    span_over,
)

HTMX = {"HX-Request": "true"}
TEXT = (
    "TEHRAN – Iran's Foreign Ministry said on Saturday that the strike was “an act of terror.” "
    "Rouhani claimed the region would be calmer.\n\n"
    "“We will respond,” he said. “Nobody doubts it.”"
)


@pytest.fixture
def article(db):
    return DocumentFactory(slug="mehr", title="Mehr", outlet="Mehr News Agency", text=TEXT)


def piece(document, words, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = document.text.index(words, start + 1)
    return {"start": start, "end": start + len(words), "exact": words}


def form(document, content_span, **parts):
    data = {"document": document.pk, "content": content_span.pk}
    for role, words in parts.items():
        found = piece(document, words)
        data.update({f"{role}_{k}": v for k, v in found.items()})
    return data


def test_an_attribution_is_made_from_a_highlight_and_selections_of_its_cue_and_source(
    user_client, user, article
):
    quote = AnnotationFactory(span=span_over(article, "“an act of terror.”"), author=user).span
    response = user_client.post(
        reverse("attribution_create"),
        form(article, quote, cue="said", source="Iran's Foreign Ministry"),
        headers=HTMX,
    )
    assert response.status_code == 200
    attribution = Attribution.objects.get()
    assert (attribution.content, attribution.cue.exact, attribution.source.exact) == (
        quote,
        "said",
        "Iran's Foreign Ministry",
    )
    assert (attribution.kind, attribution.origin, attribution.author, attribution.proposal) == (
        "direct",
        "person",
        user,
        "",
    )
    assert attribution.speaker.name == "Iran's Foreign Ministry"
    assert attribution.speaker.kind == Speaker.Kind.ORGANISATION
    html = response.content.decode()
    assert "Attribution</span>" in html
    assert 'class="part a-cue">said</span>' in html


def test_a_source_that_is_a_news_form_of_a_known_speaker_resolves_to_that_speaker(user_client, user, article):
    rouhani = SpeakerFactory(name="Hassan Rouhani")
    AnnotationFactory(
        span=span_over(article, "Iran's Foreign Ministry"),
        author=user,
        label=builtin_label("Speaker"),
        speaker=rouhani,
    )
    claim = AnnotationFactory(span=span_over(article, "the region would be calmer"), author=user).span
    user_client.post(
        reverse("attribution_create"), form(article, claim, cue="claimed", source="Rouhani"), headers=HTMX
    )
    attribution = Attribution.objects.get()
    assert attribution.speaker == rouhani
    assert attribution.kind == "indirect"
    assert Speaker.objects.count() == 1


def test_words_attributed_already_cannot_be_attributed_again(user_client, user, article):
    quote = span_over(article, "“an act of terror.”")
    user_client.post(reverse("attribution_create"), form(article, quote, cue="said"), headers=HTMX)
    response = user_client.post(reverse("attribution_create"), form(article, quote, cue="said"), headers=HTMX)
    assert response.status_code == 409
    assert Attribution.objects.count() == 1


def test_a_cue_cannot_be_the_content_itself(user_client, article):
    words = span_over(article, "claimed")
    response = user_client.post(
        reverse("attribution_create"), form(article, words, cue="claimed"), headers=HTMX
    )
    assert response.status_code == 400
    assert not Attribution.objects.exists()


def test_a_cue_selected_on_an_older_text_is_refused(user_client, article):
    quote = span_over(article, "“an act of terror.”")
    data = {**form(article, quote, cue="said"), "text_sha256": "0" * 64}
    response = user_client.post(reverse("attribution_create"), data, headers=HTMX)
    assert response.status_code == 409
    assert not Attribution.objects.exists()


@pytest.fixture
def made(user, article):
    quote = AnnotationFactory(span=span_over(article, "“an act of terror.”"), author=user).span
    return attributing.attribution_create(
        document=article, content=quote, cue=Piece(**piece(article, "said")), author=user
    )


def change(attribution, **fields):
    data = {
        "kind": attribution.kind,
        "speaker_name": "",
        "note": "",
        "version": attribution.version,
        "was_kind": attribution.kind,
        "was_speaker_name": "",
        "was_note": "",
    }
    return reverse("attribution_detail", args=[attribution.pk]), {**data, **fields}


def test_an_attributions_kind_speaker_and_note_are_edited(user_client, made):
    url, data = change(made, kind="mixed", speaker_name="Saeed Khatibzadeh", note="checked")
    assert user_client.post(url, data, headers=HTMX).status_code == 200
    made.refresh_from_db()
    assert (made.kind, made.speaker.name, made.note, made.version) == (
        "mixed",
        "Saeed Khatibzadeh",
        "checked",
        2,
    )


def test_a_stale_attribution_form_is_refused_with_409(user_client, made):
    url, data = change(made, note="first")
    user_client.post(url, data, headers=HTMX)
    response = user_client.post(url, {**data, "kind": "indirect", "note": ""}, headers=HTMX)
    assert response.status_code == 409
    assert "someone else changed this attribution" in response.content.decode()
    made.refresh_from_db()
    assert (made.kind, made.note) == ("direct", "first")


def test_someone_elses_attribution_cannot_be_changed(client, made):
    client.force_login(UserFactory(username="eve"))
    url, data = change(made, note="mine")
    assert client.post(url, data, headers=HTMX).status_code == 403


def part(attribution, role, words=None, document=None, **extra):
    data = {"role": role, "version": attribution.version, **extra}
    if words:
        data.update({f"part_{k}": v for k, v in piece(document, words).items()})
    return reverse("attribution_part", args=[attribution.pk]), data


def test_a_part_is_set_by_a_selection_and_its_old_span_goes_if_unused(user_client, made, article):
    old_cue = made.cue_id
    url, data = part(made, "source", "Iran's Foreign Ministry", article)
    assert user_client.post(url, data, headers=HTMX).status_code == 200
    made.refresh_from_db()
    url, data = part(made, "cue", "claimed", article)
    assert user_client.post(url, data, headers=HTMX).status_code == 200
    made.refresh_from_db()
    assert (made.source.exact, made.cue.exact) == ("Iran's Foreign Ministry", "claimed")
    assert not Span.objects.filter(pk=old_cue).exists()


def test_a_discontinuous_content_gets_pieces_added_and_removed(user_client, user, article):
    first = span_over(article, "“We will respond,”")
    attribution = attributing.attribution_create(
        document=article,
        content=first,
        cue=Piece(**piece(article, "said", 1)),
        source=Piece(**piece(article, "he")),
        author=user,
    )
    url, data = part(attribution, "more", "“Nobody doubts it.”", article)
    assert user_client.post(url, data, headers=HTMX).status_code == 200
    attribution.refresh_from_db()
    (second,) = attribution.content_more.all()
    assert second.exact == "“Nobody doubts it.”"
    url, data = part(attribution, "more", remove=second.pk)
    assert user_client.post(url, data, headers=HTMX).status_code == 200
    assert not attribution.content_more.exists()
    assert not Span.objects.filter(pk=second.pk).exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"role": "speaker"}, "role"),
        ({}, "Select the words"),
        ({"role": "content", "clear": "on"}, "needs its content"),
    ],
)
def test_a_bad_part_change_is_refused_and_writes_nothing(user_client, made, extra, message):
    url, data = part(made, "cue")
    response = user_client.post(url, {**data, **extra}, headers=HTMX)
    assert response.status_code == 400
    assert message in response.content.decode()
    made.refresh_from_db()
    assert made.version == 1


def test_deleting_an_attribution_keeps_its_highlights(user_client, made):
    response = user_client.post(reverse("attribution_delete", args=[made.pk]), {"version": 1}, headers=HTMX)
    assert response.status_code == 200
    assert not Attribution.objects.exists()
    assert Span.objects.filter(exact="“an act of terror.”").exists()  # the Quote annotation keeps it
    assert not Span.objects.filter(exact="said").exists()  # the cue had nothing else


# --- Drawn in the text --------------------------------------------------------------------------


def test_the_text_draws_an_attributions_parts_and_ties_them_together(user_client, made, article):
    html = user_client.get(article.get_absolute_url()).content.decode()
    cue = re.search(
        r'<mark class="([^"]*)" data-spans="\d+" title="([^"]*)"[^>]*data-attr="(\d+)"[^>]*>said</mark>', html
    )
    assert cue is not None
    assert "a-cue" in cue.group(1)
    assert cue.group(3) == str(made.pk)
    assert re.search(rf'class="[^"]*a-content[^"]*"[^>]*data-attr="{made.pk}"', html)


# --- Machine proposals -------------------------------------------------------------------------


def test_asking_for_proposals_stores_them_as_proposals_from_the_extractor(user_client, article):
    response = user_client.post(reverse("document_propose", args=[article.slug]))
    assert response.status_code == 302
    proposals = list(Attribution.objects.filter(proposal="proposed").select_related("content", "cue"))
    assert proposals
    assert all(p.origin.startswith("extractor/") and p.author is None for p in proposals)
    contents = {p.content.exact for p in proposals}
    assert "“We will respond,”" in contents
    html = user_client.get(article.get_absolute_url()).content.decode()
    assert "proposed" in html
    assert re.search(r'<span class="hint">\d+ proposals? \(', html)


def test_proposals_are_not_made_twice_nor_over_a_persons_work(user_client, made, article):
    user_client.post(reverse("document_propose", args=[article.slug]))
    count = Attribution.objects.count()
    assert Attribution.objects.filter(content=made.content).count() == 1  # the person's, not a proposal
    user_client.post(reverse("document_propose", args=[article.slug]))
    assert Attribution.objects.count() == count


def test_a_declined_proposal_is_not_proposed_again_nor_drawn(user_client, user, article):
    user_client.post(reverse("document_propose", args=[article.slug]))
    proposal = Attribution.objects.filter(proposal="proposed").first()
    response = user_client.post(
        reverse("proposals_decide"), {"decision": "decline", "attribution": proposal.pk}, headers=HTMX
    )
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.proposal == "declined"
    user_client.post(reverse("document_propose", args=[article.slug]))
    assert Attribution.objects.filter(content__start=proposal.content.start).count() == 1
    html = user_client.get(article.get_absolute_url()).content.decode()
    assert f'data-attr="{proposal.pk}"' not in html


def test_taking_a_proposal_makes_it_the_takers_attribution_with_its_origin(user_client, user, article):
    user_client.post(reverse("document_propose", args=[article.slug]))
    proposal = Attribution.objects.filter(proposal="proposed").first()
    user_client.post(
        reverse("proposals_decide"), {"decision": "take", "attribution": proposal.pk}, headers=HTMX
    )
    proposal.refresh_from_db()
    assert (proposal.proposal, proposal.author, proposal.status) == ("taken", user, Status.PENDING)
    assert proposal.origin.startswith("extractor/")


def test_every_proposal_of_an_article_or_a_paragraph_is_decided_at_once(user_client, article):
    user_client.post(reverse("document_propose", args=[article.slug]))
    first_paragraph_end = article.text.index("\n\n")
    in_first = Attribution.objects.filter(proposal="proposed", content__start__lt=first_paragraph_end).count()
    assert in_first
    user_client.post(
        reverse("proposals_decide"),
        {"decision": "take", "document": article.pk, "within_start": 0, "within_end": first_paragraph_end},
        headers=HTMX,
    )
    assert Attribution.objects.filter(proposal="taken").count() == in_first
    rest = Attribution.objects.filter(proposal="proposed").count()
    user_client.post(
        reverse("proposals_decide"), {"decision": "decline", "document": article.pk}, headers=HTMX
    )
    assert Attribution.objects.filter(proposal="declined").count() == rest


@pytest.mark.parametrize("data", [{"decision": "maybe", "document": 1}, {"decision": "take"}])
def test_a_bad_decision_is_refused(user_client, article, data):
    response = user_client.post(reverse("proposals_decide"), data, headers=HTMX)
    assert response.status_code == 400


def test_the_management_command_proposes_for_a_comparison(comparison):
    from django.core.management import call_command

    comparison.right.text = TEXT
    comparison.right.save()
    call_command("propose_attributions", "--comparison", comparison.slug, verbosity=0)
    assert Attribution.objects.filter(document=comparison.right, proposal="proposed").exists()


# --- A speaker's page ---------------------------------------------------------------------------


def test_a_speakers_page_groups_their_attributions_by_outlet_with_each_outlets_cues(
    user_client, user, article
):
    rouhani = SpeakerFactory(name="Hassan Rouhani")
    other = DocumentFactory(slug="rt", title="RT", outlet="RT", text="Rouhani said the reign would end.")
    for document, content, cue in (
        (article, "the region would be calmer", "claimed"),
        (other, "the reign would end", "said"),
    ):
        attributing.attribution_create(
            document=document,
            content=Piece(**piece(document, content)),
            cue=Piece(**piece(document, cue)),
            speaker_name="Hassan Rouhani",
            author=user,
        )
    html = user_client.get(rouhani.get_absolute_url()).content.decode()
    assert html.index("Mehr News Agency") < html.index(">RT <")
    assert '<em class="cue">claimed</em> 1' in html
    assert '<em class="cue">said</em> 1' in html
    assert "the region would be calmer" in html


def test_a_quote_given_a_speaker_and_a_cue_in_its_panel_becomes_an_attribution(user_client, user, article):
    quote = AnnotationFactory(span=span_over(article, "“an act of terror.”"), author=user)
    url = reverse("annotation_detail", args=[quote.pk])
    data = {"label": quote.label_id, "speaker_name": "Iran's Foreign Ministry", "cue": "said", "version": 1}
    assert user_client.post(url, data, headers=HTMX).status_code == 200
    attribution = Attribution.objects.get()
    assert (attribution.content_id, attribution.cue.exact, attribution.speaker.name, attribution.kind) == (
        quote.span_id,
        "said",
        "Iran's Foreign Ministry",
        "direct",
    )
    assert article.text[attribution.cue.start : attribution.cue.end] == "said"


@pytest.fixture
def curator_client(client, curator):
    curator.is_staff = True
    curator.save()
    client.force_login(curator)
    return client


def test_curators_list_attributions_in_the_admin_with_their_parts_and_filters(curator_client, made):
    url = reverse("admin:reader_attribution_changelist")
    html = curator_client.get(url).content.decode()
    assert "“an act of terror.”" in html
    assert '<td class="field-cue_words">said</td>' in html
    for query in (
        "?kind__exact=direct",
        "?status__exact=pending",
        "?q=terror",
        f"?document={made.document_id}",
    ):
        assert "an act of terror" in curator_client.get(url + query).content.decode(), query
    assert "an act of terror" not in curator_client.get(url + "?kind__exact=mixed").content.decode()


def test_curators_accept_attributions_from_the_admin_list(curator_client, curator, made):
    response = curator_client.post(
        reverse("admin:reader_attribution_changelist"),
        {"action": "accept", "_selected_action": [made.pk]},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.status, made.reviewed_by, made.reviewed_version) == (Status.ACCEPTED, curator, made.version)


def test_an_admin_edit_of_an_attribution_from_a_stale_page_is_refused(curator_client, user, made):
    stale = {
        "kind": "indirect",
        "speaker": "",
        "note": "mine",
        "status": made.status,
        "seen_version": made.version,
    }
    attributing.attribution_update(attribution=made, user=user, kind=made.kind, note="theirs")
    response = curator_client.post(reverse("admin:reader_attribution_change", args=[made.pk]), stale)
    assert "Someone else saved this attribution since you opened this page" in response.content.decode()
    made.refresh_from_db()
    assert (made.kind, made.note) == ("direct", "theirs")
