"""Adjudication: a curator settles where two annotators differ, and the final version becomes the
accepted layer (what `?status=accepted` exports).

Bad inputs tried: a non-curator (page and every action), a version edited, reviewed or deleted since
the page was made, a malformed version token, a missing choice, a label that does not exist,
boundaries outside the text or only whitespace, a relation that does not exist, a unit that no
longer agrees."""

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from reader import annotating
from reader.models import CURATOR_GROUP, Annotation, Link, Relation, Status
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

HTMX = {"HX-Request": "true"}


@pytest.fixture
def read(db):
    """ann and bob read the same comparison: one quote alike, a speaker mention with other
    boundaries, a claim bob called a quote, a quote only ann tagged, a claim attributed to
    different speakers, and a link with different relations."""
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    left = DocumentFactory(slug="left-doc", title="Left article")
    right = DocumentFactory(
        slug="right-doc",
        title="Right article",
        text="The talks failed, the minister said.\n\nNo one denied it.",
    )
    comparison = ComparisonFactory(slug="pair", left=left, right=right)
    quote, speaker, claim = (builtin_label(name) for name in ("Quote", "Speaker", "Claim"))
    rouhani, zarif = SpeakerFactory(name="Hassan Rouhani"), SpeakerFactory(name="Javad Zarif")
    failed, right_failed = span_over(left, "the talks had failed"), span_over(right, "The talks failed")
    denied = span_over(left, "Officials denied it")
    objects = {
        "comparison": comparison,
        "ann": ann,
        "bob": bob,
        "agreed_a": AnnotationFactory(span=failed, label=quote, author=ann, speaker=rouhani, cue="said"),
        "agreed_b": AnnotationFactory(span=failed, label=quote, author=bob, speaker=rouhani, cue="said"),
        "minister_a": AnnotationFactory(span=span_over(left, "The minister"), label=speaker, author=ann),
        "minister_b": AnnotationFactory(span=span_over(left, "minister"), label=speaker, author=bob),
        "denied_a": AnnotationFactory(span=denied, label=claim, author=ann),
        "denied_b": AnnotationFactory(span=denied, label=quote, author=bob),
        "baseless_a": AnnotationFactory(span=span_over(left, "“baseless.”"), label=quote, author=ann),
        "right_a": AnnotationFactory(span=right_failed, label=claim, author=ann, speaker=rouhani),
        "right_b": AnnotationFactory(span=right_failed, label=claim, author=bob, speaker=zarif),
    }
    objects["link_a"] = LinkFactory(
        source=failed, target=right_failed, relation=Relation.PARAPHRASE, author=ann
    )
    objects["link_b"] = LinkFactory(
        source=right_failed, target=failed, relation=Relation.COUNTERPART, author=bob
    )
    return objects


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def page_url(read):
    return reverse("comparison_adjudicate", args=[read["comparison"].slug])


def action_url(read, name):
    return reverse(name, args=[read["comparison"].slug])


def seen(row):
    row.refresh_from_db()
    return f"{row.pk}.{row.version}.{row.status}"


def key(a, b, kind="u"):
    return f"{kind}-{a.pk if a else 0}-{b.pk if b else 0}"


def pick(client, read, a, b, choice, kind="annotation", headers=HTMX):
    data = {
        "a": seen(a) if a else "",
        "b": seen(b) if b else "",
        "choice": choice,
        "kind": kind,
        "key": key(a, b, "l" if kind == "link" else "u"),
        "pair_a": "ann",
        "pair_b": "bob",
    }
    return client.post(action_url(read, "adjudicate_pick"), data, headers=headers)


def span_key(annotation):
    span = annotation.span
    return f"{span.document.slug}:{span.start}-{span.end}"


def statuses(*rows):
    for row in rows:
        row.refresh_from_db()
    return [row.status for row in rows]


# --- the page -----------------------------------------------------------------------------------


def test_the_adjudication_page_is_for_curators_only(user_client, read):
    response = user_client.get(page_url(read))
    assert response.status_code == 403
    assert "Only curators adjudicate" in response.content.decode()


def test_the_page_groups_the_units_by_passage_in_reading_order(curator_client, read):
    response = curator_client.get(page_url(read))
    assert response.status_code == 200
    passages = [(p.side, p.number) for p in response.context["passages"]]
    assert passages == [("left", 1), ("left", 2), ("right", 1)]
    first = response.context["passages"][0]
    assert [row.differs for row in first.units] == [["boundaries"], []]
    assert [row.differs for row in first.links] == [["relation"]]


def test_the_page_names_what_differs_and_counts_what_is_left_to_do(curator_client, read):
    response = curator_client.get(page_url(read))
    html = response.content.decode()
    assert response.context["counts"] == {"differ": 5, "agreed": 1, "decided": 0}
    for name in ("boundaries", "label", "speaker", "relation", "only ann"):
        assert f'<span class="badge differs">{name}</span>' in html
    assert html.index("“baseless.”") > html.index("Officials denied it")  # reading order


def test_the_page_compares_the_pair_asked_for(curator_client, read):
    AnnotationFactory(span=read["agreed_a"].span, author=UserFactory(username="cy"))
    response = curator_client.get(page_url(read) + "?a=cy&b=ann")
    assert response.context["pair"] == ("ann", "cy")
    assert response.context["annotators"] == ["ann", "bob", "cy"]


def test_an_unknown_pair_falls_back_to_the_first_two_annotators(curator_client, read):
    response = curator_client.get(page_url(read) + "?a=nobody&b=ann")
    assert response.context["pair"] == ("ann", "bob")


def test_the_page_says_when_there_is_only_one_annotator(curator_client, comparison):
    AnnotationFactory(span=span_over(comparison.left, "The minister"), author=UserFactory(username="ann"))
    html = curator_client.get(reverse("comparison_adjudicate", args=[comparison.slug])).content.decode()
    assert "Adjudication needs two annotators; only ann has" in html


# --- pick ---------------------------------------------------------------------------------------


def test_picking_a_version_accepts_it_and_rejects_the_other(curator_client, curator, read):
    a, b = read["minister_a"], read["minister_b"]
    response = pick(curator_client, read, a, b, "b")
    assert response.status_code == 200
    assert statuses(a, b) == [Status.REJECTED, Status.ACCEPTED]
    assert (b.reviewed_by, b.reviewed_version) == (curator, b.version)


def test_the_htmx_answer_is_the_updated_row(curator_client, read):
    a, b = read["minister_a"], read["minister_b"]
    html = pick(curator_client, read, a, b, "a").content.decode()
    assert html.lstrip().startswith(f'<article class="unit decided" id="{key(a, b)}"')
    assert "Final: <q>The minister</q>" in html
    assert "Keep ann" not in html  # decided: no more buttons


def test_without_javascript_a_pick_redirects_back_to_the_row(curator_client, read):
    a, b = read["minister_a"], read["minister_b"]
    response = pick(curator_client, read, a, b, "a", headers={})
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(read)}?a=ann&b=bob#{key(a, b)}"
    assert statuses(a, b) == [Status.ACCEPTED, Status.REJECTED]


def test_neither_rejects_both(curator_client, read):
    a, b = read["denied_a"], read["denied_b"]
    assert pick(curator_client, read, a, b, "none").status_code == 200
    assert statuses(a, b) == [Status.REJECTED, Status.REJECTED]


def test_a_span_only_one_annotator_tagged_can_be_kept(curator_client, read):
    a = read["baseless_a"]
    assert pick(curator_client, read, a, None, "a").status_code == 200
    assert statuses(a) == [Status.ACCEPTED]


def test_picking_a_link_accepts_it_and_rejects_the_other(curator_client, read):
    a, b = read["link_a"], read["link_b"]
    assert pick(curator_client, read, a, b, "b", kind="link").status_code == 200
    assert statuses(a, b) == [Status.REJECTED, Status.ACCEPTED]


def test_a_choice_of_a_side_that_is_not_there_is_refused(curator_client, read):
    a = read["baseless_a"]
    response = pick(curator_client, read, a, None, "b")
    assert response.status_code == 400
    assert statuses(a) == [Status.PENDING]


def test_a_malformed_version_is_refused(curator_client, read):
    data = {"a": "12.x.pending", "choice": "a", "key": "u-12-0"}
    response = curator_client.post(action_url(read, "adjudicate_pick"), data, headers=HTMX)
    assert response.status_code == 400
    assert "id.version.status" in response.content.decode()


# --- refusals: stale, reviewed meanwhile, deleted, not a curator --------------------------------


def test_a_version_edited_since_the_page_was_made_is_refused_with_409(curator_client, read, curator):
    a, b = read["minister_a"], read["minister_b"]
    data = {"a": seen(a), "b": seen(b), "choice": "a", "key": key(a, b)}
    annotating.annotation_update(annotation=a, user=read["ann"], label=a.label, cue="claimed")
    response = curator_client.post(action_url(read, "adjudicate_pick"), data, headers=HTMX)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert statuses(a, b) == [Status.PENDING, Status.PENDING]


def test_a_version_reviewed_since_the_page_was_made_is_refused_with_409(curator_client, read):
    a, b = read["minister_a"], read["minister_b"]
    data = {"a": seen(a), "b": seen(b), "choice": "a", "key": key(a, b)}
    Annotation.objects.filter(pk=b.pk).update(status=Status.ACCEPTED)  # another curator's decision
    response = curator_client.post(action_url(read, "adjudicate_pick"), data, headers=HTMX)
    assert response.status_code == 409
    assert "was marked accepted" in response.content.decode()
    assert statuses(a, b) == [Status.PENDING, Status.ACCEPTED]


def test_a_version_deleted_since_the_page_was_made_is_gone_410(curator_client, read):
    a, b = read["minister_a"], read["minister_b"]
    data = {"a": seen(a), "b": seen(b), "choice": "a", "key": key(a, b)}
    annotating.annotation_delete(annotation=b, user=read["bob"])
    response = curator_client.post(action_url(read, "adjudicate_pick"), data, headers=HTMX)
    assert response.status_code == 410
    assert statuses(a) == [Status.PENDING]


@pytest.mark.parametrize(
    "name", ["adjudicate_pick", "adjudicate_write", "adjudicate_link_write", "adjudicate_agreed"]
)
def test_someone_who_is_not_a_curator_cannot_adjudicate(user_client, read, name):
    a, b = read["minister_a"], read["minister_b"]
    data = {
        "a": seen(a),
        "b": seen(b),
        "choice": "a",
        "boundaries": "a",
        "unit": f"annotation:{seen(a)},{seen(b)}",
    }
    response = user_client.post(action_url(read, name), data, headers=HTMX)
    assert response.status_code == 403
    assert statuses(a, b) == [Status.PENDING, Status.PENDING]


def test_the_annotating_functions_refuse_a_non_curator_too(read):
    with pytest.raises(annotating.NotAllowed):
        annotating.adjudicate_pick(chosen=read["minister_a"], others=[], curator=read["ann"])


# --- merge and write ----------------------------------------------------------------------------


def write(client, read, a, b, headers=HTMX, **fields):
    data = {
        "a": seen(a) if a else "",
        "b": seen(b) if b else "",
        "key": key(a, b),
        "pair_a": "ann",
        "pair_b": "bob",
        "boundaries": "a",
        "label_from": "a",
        "speaker_from": "a",
        "cue_from": "a",
        **fields,
    }
    return client.post(action_url(read, "adjudicate_write"), data, headers=headers)


def test_a_merge_is_the_curators_accepted_annotation_and_rejects_both(curator_client, curator, read):
    a, b = read["right_a"], read["right_b"]  # same span and label, other speakers
    response = write(curator_client, read, a, b, speaker_from="b", cue_from="other", cue="told")
    assert response.status_code == 200
    final = Annotation.objects.get(author=curator)
    assert (final.span, final.label.name, final.speaker.name, final.cue) == (
        a.span,
        "Claim",
        "Javad Zarif",
        "told",
    )
    assert (final.status, final.reviewed_by) == (Status.ACCEPTED, curator)
    assert statuses(a, b) == [Status.REJECTED, Status.REJECTED]
    assert "Javad Zarif" in response.content.decode()


def test_a_merge_takes_the_boundaries_of_one_and_the_label_of_the_other(curator_client, curator, read):
    a, b = read["minister_a"], read["minister_b"]
    Annotation.objects.filter(pk=b.pk).update(label=builtin_label("Quote"))
    write(curator_client, read, a, b, boundaries="b", label_from="a")
    final = Annotation.objects.get(author=curator)
    assert (final.span.exact, final.label.name) == ("minister", "Speaker")


def test_a_written_version_takes_other_boundaries_label_and_speaker(curator_client, curator, read):
    a, b = read["denied_a"], read["denied_b"]
    start = a.span.document.text.index("Officials denied it on Friday")
    response = write(
        curator_client,
        read,
        a,
        b,
        boundaries="other",
        start=start,
        end=start + len("Officials denied it on Friday"),
        label_from="other",
        label="Claim",
        speaker_from="other",
        speaker="Iran's Foreign Ministry",
        note="Settled.",
    )
    assert response.status_code == 200
    final = Annotation.objects.get(author=curator)
    assert (final.span.exact, final.label.name, final.speaker.name, final.note) == (
        "Officials denied it on Friday",
        "Claim",
        "Iran's Foreign Ministry",
        "Settled.",
    )
    assert statuses(a, b) == [Status.REJECTED, Status.REJECTED]


def test_a_final_version_equal_to_one_candidate_picks_it_and_makes_no_copy(curator_client, curator, read):
    a, b = read["right_a"], read["right_b"]
    write(curator_client, read, a, b, speaker_from="b")
    assert not Annotation.objects.filter(author=curator).exists()
    assert statuses(a, b) == [Status.REJECTED, Status.ACCEPTED]


def test_without_javascript_a_write_redirects_back_to_the_row(curator_client, read):
    a, b = read["right_a"], read["right_b"]
    response = write(curator_client, read, a, b, headers={}, cue_from="other", cue="said")
    assert response["Location"] == f"{page_url(read)}?a=ann&b=bob#{key(a, b)}"


def test_a_written_version_outside_the_text_is_refused(curator_client, curator, read):
    a, b = read["denied_a"], read["denied_b"]
    response = write(curator_client, read, a, b, boundaries="other", start=5, end=10**6)
    assert response.status_code == 400
    assert "lies outside the text" in response.content.decode()
    assert not Annotation.objects.filter(author=curator).exists()
    assert statuses(a, b) == [Status.PENDING, Status.PENDING]


def test_a_written_version_of_only_whitespace_is_refused(curator_client, curator, read):
    a, b = read["denied_a"], read["denied_b"]
    gap = a.span.document.text.index("\n\n")
    response = write(curator_client, read, a, b, boundaries="other", start=gap, end=gap + 2)
    assert response.status_code == 400
    assert not Annotation.objects.filter(author=curator).exists()


def test_a_written_version_with_an_unknown_label_is_refused(curator_client, curator, read):
    a, b = read["denied_a"], read["denied_b"]
    response = write(curator_client, read, a, b, label_from="other", label="Gossip")
    assert response.status_code == 400
    assert "There is no label “Gossip”" in response.content.decode()


def test_a_write_over_a_version_edited_meanwhile_is_refused_and_writes_nothing(curator_client, curator, read):
    a, b = read["right_a"], read["right_b"]
    data_a, data_b = seen(a), seen(b)
    annotating.annotation_update(annotation=b, user=read["bob"], label=b.label, speaker_name="Someone")
    data = {
        "a": data_a,
        "b": data_b,
        "key": key(a, b),
        "boundaries": "a",
        "label_from": "a",
        "speaker_from": "other",
        "speaker": "New Speaker",
        "cue_from": "a",
    }
    response = curator_client.post(action_url(read, "adjudicate_write"), data, headers=HTMX)
    assert response.status_code == 409
    assert not Annotation.objects.filter(author=curator).exists()
    assert statuses(a, b) == [Status.PENDING, Status.PENDING]


def test_the_curators_own_annotation_on_that_span_and_label_becomes_the_final_one(read):
    curator = read["ann"]
    curator.groups.add(Group.objects.get_or_create(name=CURATOR_GROUP)[0])
    a, b = read["right_a"], read["right_b"]  # ann is A and the curator
    final = annotating.adjudicate_write(
        document=a.span.document_id,
        start=a.span.start,
        end=a.span.end,
        label=a.label,
        speaker_name="Someone Else",
        replaces=[a, b],
        curator=curator,
    )
    assert final.pk == a.pk
    assert statuses(a, b) == [Status.ACCEPTED, Status.REJECTED]
    assert a.speaker.name == "Someone Else"


def test_a_written_link_takes_the_ends_of_one_and_a_relation(curator_client, curator, read):
    a, b = read["link_a"], read["link_b"]
    data = {"a": seen(a), "b": seen(b), "ends": "b", "relation": Relation.ELABORATES, "key": key(a, b, "l")}
    response = curator_client.post(action_url(read, "adjudicate_link_write"), data, headers=HTMX)
    assert response.status_code == 200
    final = Link.objects.get(author=curator)
    assert (final.source, final.target, final.relation, final.status) == (
        b.source,
        b.target,
        Relation.ELABORATES,
        Status.ACCEPTED,
    )
    assert statuses(a, b) == [Status.REJECTED, Status.REJECTED]


def test_a_written_link_equal_to_a_candidate_accepts_it(curator_client, curator, read):
    a, b = read["link_a"], read["link_b"]
    data = {"a": seen(a), "b": seen(b), "ends": "b", "relation": Relation.PARAPHRASE, "key": key(a, b, "l")}
    curator_client.post(action_url(read, "adjudicate_link_write"), data, headers=HTMX)
    assert not Link.objects.filter(author=curator).exists()
    assert statuses(a, b) == [Status.ACCEPTED, Status.REJECTED]


def test_a_written_link_with_an_unknown_relation_is_refused(curator_client, read):
    a, b = read["link_a"], read["link_b"]
    data = {"a": seen(a), "b": seen(b), "ends": "a", "relation": "rhymes", "key": key(a, b, "l")}
    response = curator_client.post(action_url(read, "adjudicate_link_write"), data, headers=HTMX)
    assert response.status_code == 400
    assert statuses(a, b) == [Status.PENDING, Status.PENDING]


# --- accepting what they agree on ---------------------------------------------------------------


def agree(client, read, *pairs, key_="", headers=HTMX):
    data = {
        "unit": [f"{kind}:{seen(x)},{seen(y)}" for kind, x, y in pairs],
        "key": key_,
        "pair_a": "ann",
        "pair_b": "bob",
    }
    return client.post(action_url(read, "adjudicate_agreed"), data, headers=headers)


def test_accepting_an_agreed_item_keeps_one_copy_in_the_final_layer(curator_client, read):
    a, b = read["agreed_a"], read["agreed_b"]
    response = agree(curator_client, read, ("annotation", a, b), key_=key(a, b))
    assert response.status_code == 200
    assert statuses(a, b) == [Status.ACCEPTED, Status.REJECTED]
    assert f'id="{key(a, b)}"' in response.content.decode()


def test_accepting_all_agreed_in_a_passage_answers_with_the_passage(curator_client, read):
    a, b = read["agreed_a"], read["agreed_b"]
    link_a, link_b = read["link_a"], read["link_b"]
    Link.objects.filter(pk=link_b.pk).update(relation=Relation.PARAPHRASE)  # drawn the other way round
    response = agree(curator_client, read, ("annotation", a, b), ("link", link_a, link_b), key_="p-left-1")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section class="passage" id="p-left-1">')
    assert statuses(a, b, link_a, link_b) == [Status.ACCEPTED, Status.REJECTED] * 2


def test_the_page_offers_accept_all_where_a_passage_has_several_agreed_items(curator_client, read):
    AnnotationFactory(span=read["minister_b"].span, label=read["minister_b"].label, author=read["ann"])
    html = curator_client.get(page_url(read)).content.decode()
    assert "Accept all 2 agreed in this paragraph" in html


def test_items_that_no_longer_agree_are_not_accepted(curator_client, read):
    a, b = read["right_a"], read["right_b"]  # other speakers
    response = agree(curator_client, read, ("annotation", a, b))
    assert response.status_code == 409
    assert statuses(a, b) == [Status.PENDING, Status.PENDING]


def test_accepting_nothing_is_refused(curator_client, read):
    response = curator_client.post(action_url(read, "adjudicate_agreed"), {"unit": []}, headers=HTMX)
    assert response.status_code == 400


def test_a_malformed_agreed_unit_is_refused(curator_client, read):
    response = curator_client.post(
        action_url(read, "adjudicate_agreed"), {"unit": "poem:1.1.pending"}, headers=HTMX
    )
    assert response.status_code == 400


# --- the accepted layer -------------------------------------------------------------------------


def test_after_adjudication_the_accepted_export_holds_exactly_the_final_layer(curator_client, curator, read):
    agree(curator_client, read, ("annotation", read["agreed_a"], read["agreed_b"]))
    pick(curator_client, read, read["minister_a"], read["minister_b"], "b")
    pick(curator_client, read, read["denied_a"], read["denied_b"], "none")
    pick(curator_client, read, read["baseless_a"], None, "a")
    write(
        curator_client, read, read["right_a"], read["right_b"], speaker_from="other", speaker="The minister"
    )
    pick(curator_client, read, read["link_a"], read["link_b"], "a", kind="link")

    url = reverse("export_annotations") + "?comparison=pair&status=accepted"
    data = json.loads(b"".join(curator_client.get(url).streaming_content))
    exported = {(a["span"], a["label"], a["author"], a["speaker"]) for a in data["annotations"]}
    assert exported == {
        (span_key(read["agreed_a"]), "Quote", "ann", "Hassan Rouhani"),
        (span_key(read["minister_b"]), "Speaker", "bob", None),
        (span_key(read["baseless_a"]), "Quote", "ann", None),
        (span_key(read["right_a"]), "Claim", curator.username, "The minister"),
    }
    assert [(link["relation"], link["author"]) for link in data["links"]] == [("paraphrase", "ann")]
    # The page has nothing left to decide.
    assert curator_client.get(page_url(read)).context["counts"] == {"differ": 0, "agreed": 0, "decided": 6}


def test_an_htmx_decision_naming_no_row_refreshes_the_whole_page(curator_client, read):
    a, b = read["minister_a"], read["minister_b"]
    data = {"a": seen(a), "b": seen(b), "choice": "a"}
    response = curator_client.post(action_url(read, "adjudicate_pick"), data, headers=HTMX)
    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
    assert statuses(a, b) == [Status.ACCEPTED, Status.REJECTED]
