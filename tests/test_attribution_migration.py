"""The data migration that turns attributed Quote and Claim annotations into attributions, run on
a database at the migration before it, with the historical models."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reader", "0007_attributions")]
AFTER = [("reader", "0008_attributions_from_annotations")]
TEXT = (
    "Iran's Foreign Ministry said the strike was “an act of terror,” and added that it would answer. "
    "Later, Rouhani claimed the region would be calmer. “We will respond,” he tweeted."
)

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # leave the schema whole


def span(apps, document, words, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = document.text.index(words, start + 1)
    return apps.get_model("reader", "Span").objects.create(
        document=document, start=start, end=start + len(words), exact=words
    )


def test_attributed_quotes_and_claims_become_attributions_and_nothing_is_lost(old_apps):
    apps = old_apps
    Label, Speaker, Annotation = (
        apps.get_model("reader", name) for name in ("Label", "Speaker", "Annotation")
    )
    User = apps.get_model("auth", "User")
    author = User.objects.create(username="ann")
    document = apps.get_model("reader", "Document").objects.create(
        slug="d", title="D", text=TEXT, text_sha256="x"
    )
    quote = Label.objects.get_or_create(name="Quote", defaults={"kind": "quote", "colour": "#e69f00"})[0]
    claim = Label.objects.get_or_create(name="Claim", defaults={"kind": "claim", "colour": "#009e73"})[0]
    mention = Label.objects.get_or_create(name="Speaker", defaults={"kind": "speaker", "colour": "#0072b2"})[
        0
    ]
    ministry = Speaker.objects.create(name="Iran's Foreign Ministry")
    rouhani = Speaker.objects.create(name="Hassan Rouhani")
    Annotation.objects.create(
        span=span(apps, document, "Iran's Foreign Ministry"), label=mention, author=author, speaker=ministry
    )
    direct = Annotation.objects.create(
        span=span(apps, document, "“an act of terror,”"),
        label=quote,
        author=author,
        speaker=ministry,
        cue="said",
        status="accepted",
    )
    indirect = Annotation.objects.create(
        span=span(apps, document, "the region would be calmer"),
        label=claim,
        author=author,
        speaker=rouhani,
        cue="claimed",
    )
    lost_cue = Annotation.objects.create(
        span=span(apps, document, "“We will respond,”"),
        label=quote,
        author=author,
        speaker=rouhani,
        cue="warned",
    )
    Annotation.objects.create(
        span=span(apps, document, "it would answer"), label=claim, author=author, cue="added"
    )
    before = list(
        Annotation.objects.order_by("pk").values_list("pk", "span_id", "speaker_id", "cue", "note", "status")
    )

    apps = migrate(AFTER)
    Attribution = apps.get_model("reader", "Attribution")
    Annotation = apps.get_model("reader", "Annotation")
    assert (
        list(
            Annotation.objects.order_by("pk").values_list(
                "pk", "span_id", "speaker_id", "cue", "note", "status"
            )
        )
        == before
    )
    rows = {
        a.content_id: a for a in Attribution.objects.select_related("content", "cue", "source", "speaker")
    }
    assert set(rows) == {direct.span_id, indirect.span_id, lost_cue.span_id}  # not the one without a speaker

    said = rows[direct.span_id]
    assert (said.kind, said.speaker.name, said.cue.exact, said.source.exact) == (
        "direct",
        "Iran's Foreign Ministry",
        "said",
        "Iran's Foreign Ministry",
    )
    assert TEXT[said.cue.start : said.cue.end] == "said"
    assert (said.status, said.origin, said.author.username) == ("accepted", "person", "ann")

    claimed = rows[indirect.span_id]
    assert (claimed.kind, claimed.cue.exact, claimed.source) == ("indirect", "claimed", None)

    unfound = rows[lost_cue.span_id]
    assert unfound.cue is None
    assert unfound.note == "Migrated: the cue “warned” was not found near the content."
