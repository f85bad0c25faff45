"""Speakers are looked up by an index of their folded names and aliases (SpeakerName): every path
that writes a name or aliases keeps it in step, or a tag would make a second speaker of a name
already known."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from reader import annotating, formats
from reader.models import Annotation, Speaker, SpeakerName
from tests.factories import DocumentFactory, SpeakerFactory, builtin_label


def found(name):
    return Speaker.objects.all().matching(name)


def test_a_speaker_renamed_as_the_admin_saves_is_found_by_its_new_name_only(db):
    speaker = SpeakerFactory(name="Hasan Rowhani")
    speaker.name = "Hassan Rouhani"
    speaker.save(update_fields=["name", "version", "modified"])
    assert found("hassan rouhani") == [speaker]
    assert found("Hasan Rowhani") == []


def test_an_alias_added_as_the_admin_saves_finds_its_speaker(db):
    speaker = SpeakerFactory(name="Hassan Rouhani")
    speaker.aliases = "President Rouhani\n  Mr.   Rouhani "
    speaker.save(update_fields=["aliases", "version", "modified"])
    assert found("PRESIDENT ROUHANI") == [speaker]
    assert found("mr. rouhani") == [speaker]


def test_a_save_of_other_fields_keeps_the_names_found(db):
    speaker = SpeakerFactory(name="Hassan Rouhani", aliases="Rouhani")
    speaker.description = "President of Iran."
    speaker.save(update_fields=["description", "version", "modified"])
    assert found("rouhani") == [speaker]
    assert SpeakerName.objects.filter(speaker=speaker).count() == 2


def test_the_names_of_merged_speakers_find_the_one_kept(db):
    keep = SpeakerFactory(name="Hassan Rouhani")
    other = SpeakerFactory(name="Rowhani", aliases="Dr. Rowhani")
    annotating.speakers_merge(keep=keep, others=[other])
    assert found("rowhani") == [keep]
    assert found("dr. rowhani") == [keep]


def test_a_speaker_made_by_a_tag_is_found_by_a_tag_in_an_unrelated_article(user_client):
    first = DocumentFactory(slug="first", text="Zimmerman spoke first.")
    second = DocumentFactory(slug="second", text="Then zimmerman spoke again.")
    for document in (first, second):
        start = document.text.casefold().index("zimmerman")
        data = {
            "document": document.pk,
            "start": start,
            "end": start + 9,
            "exact": document.text[start : start + 9],
            "label": builtin_label("Speaker").pk,
        }
        assert user_client.post(reverse("annotation_create"), data).status_code == 302
    assert Speaker.objects.count() == 1
    assert set(Annotation.objects.values_list("speaker__name", flat=True)) == {"Zimmerman"}


def test_an_import_whose_newer_aliases_win_makes_them_find_the_speaker(db):
    speaker = SpeakerFactory(name="Hassan Rouhani")
    data = json.loads("".join(formats.export_chunks()))
    (record,) = data["speakers"]
    record["aliases"] = ["President Rouhani"]
    record["modified"] = (timezone.now() + timedelta(hours=1)).isoformat()
    formats.import_native(raw=json.dumps(data).encode("utf-8"))
    assert found("president rouhani") == [speaker]


def test_an_import_that_changes_no_alias_leaves_the_index_as_it_was(db):
    SpeakerFactory(name="Hassan Rouhani", aliases="Rouhani")
    data = json.loads("".join(formats.export_chunks()))
    before = list(SpeakerName.objects.order_by("pk").values_list("pk", "folded"))
    formats.import_native(raw=json.dumps(data).encode("utf-8"))
    assert list(SpeakerName.objects.order_by("pk").values_list("pk", "folded")) == before


def test_a_stale_index_row_finds_nobody(db):
    """The index narrows; the names decide: a row left behind by a write that skipped the index
    does not make a speaker answer to a name it no longer has."""
    speaker = SpeakerFactory(name="Hassan Rouhani")
    SpeakerName.objects.create(speaker=speaker, folded="rowhani")
    assert found("rowhani") == []
    assert annotating.speaker_resolve(name="Rowhani") != speaker


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_the_speakers_already_there():
    executor = MigrationExecutor(connection)
    executor.migrate([("reader", "0013_annotation_modified_index")])
    apps = executor.loader.project_state([("reader", "0013_annotation_modified_index")]).apps
    apps.get_model("reader", "Speaker").objects.create(
        name="Hassan  Rouhani", aliases="Rouhani\n\nPresident Rouhani"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    speaker = Speaker.objects.get()
    assert sorted(SpeakerName.objects.values_list("folded", flat=True)) == [
        "hassan rouhani",
        "president rouhani",
        "rouhani",
    ]
    assert found("Hassan Rouhani") == [speaker]
