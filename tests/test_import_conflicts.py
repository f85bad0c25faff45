"""Importing an older file never silently rolls back what changed here: each record is compared
with the row of the same natural key; the newer side wins (by version, then modified; a review by
reviewed_at); where the database wins, the difference is a conflict listed by record and field;
--overwrite (on the web, "Let the file win…") is the only way to let the file win.

The "bad inputs" here are stale files: one exported before a speaker merge, a review, an edited
link note, a deleted annotation, link or document.
"""

import io
import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from reader import annotating, formats
from reader.models import Annotation, Deletion, Document, Link, Speaker, Status
from tests.factories import rich_corpus

pytestmark = pytest.mark.django_db


def export():
    return json.loads("".join(formats.export_chunks()))


def import_data(data, **options):
    return formats.import_native(raw=json.dumps(data, ensure_ascii=False), **options)


@pytest.fixture
def corpus():
    return rich_corpus()


@pytest.fixture
def earlier(corpus):
    """An export made before the changes each test then makes here."""
    return export()


def annotation(label, author, exact):
    return Annotation.objects.get(label__name=label, author__username=author, span__exact=exact)


def failed_quote():
    return annotation("Quote", "ann", "the talks had failed")


def index_of(records, **fields):
    return next(i for i, r in enumerate(records) if all(r[k] == v for k, v in fields.items()))


def test_an_identical_file_leaves_every_row_untouched_even_its_modified_time(corpus, earlier):
    before = {
        model: list(model.objects.values_list("pk", "modified", "version")) for model in (Annotation, Link)
    }
    summary = import_data(earlier)
    after = {
        model: list(model.objects.values_list("pk", "modified", "version")) for model in (Annotation, Link)
    }
    assert after == before
    assert summary.total("updated") == summary.total("conflicts") == summary.total("added") == 0


def test_a_merged_speaker_is_not_created_again_and_its_annotations_stay_with_the_one_kept(corpus, earlier):
    rouhani, ministry = (
        Speaker.objects.get(name="Hassan Rouhani"),
        Speaker.objects.get(name="Iran's Foreign Ministry"),
    )
    annotating.speakers_merge(keep=rouhani, others=[ministry])
    summary = import_data(earlier)
    assert not Speaker.objects.filter(name="Iran's Foreign Ministry").exists()
    assert annotation("Claim", "bob", "Officials denied it on Friday").speaker == rouhani
    index = index_of(earlier["speakers"], name="Iran's Foreign Ministry")
    assert (
        f"speakers[{index}] (Iran's Foreign Ministry): was merged into 'Hassan Rouhani' here; "
        "what names it goes to 'Hassan Rouhani'"
    ) in summary.conflicts


def test_the_aliases_a_merge_gave_are_not_emptied_by_an_older_file(corpus, earlier):
    rouhani, ministry = (
        Speaker.objects.get(name="Hassan Rouhani"),
        Speaker.objects.get(name="Iran's Foreign Ministry"),
    )
    annotating.speakers_merge(keep=rouhani, others=[ministry])
    summary = import_data(earlier)
    rouhani.refresh_from_db()
    assert "Iran's Foreign Ministry" in rouhani.alias_list
    index = index_of(earlier["speakers"], name="Hassan Rouhani")
    assert any(
        line.startswith(f"speakers[{index}] (Hassan Rouhani): aliases: here ") for line in summary.conflicts
    )


def test_an_accepted_annotation_does_not_go_back_to_pending(corpus, earlier):
    cora = get_user_model().objects.get(username="cora")
    item = annotation("Claim", "bob", "Officials denied it on Friday")
    annotating.review(items=Annotation.objects.filter(pk=item.pk), status=Status.ACCEPTED, reviewer=cora)
    summary = import_data(earlier)
    item.refresh_from_db()
    assert (item.status, item.reviewed_by) == (Status.ACCEPTED, cora)
    index = index_of(earlier["annotations"], label="Claim", author="bob", status="pending")
    day = f"{item.reviewed_at:%Y-%m-%d}"
    assert (
        f"annotations[{index}] ({earlier['annotations'][index]['span']} | Claim | bob): status: "
        f'here "accepted" (reviewed by cora {day}), file "pending"'
    ) in summary.conflicts
    assert summary.counts["annotations"]["conflicts"] == 1


def test_an_edited_link_note_is_kept(corpus, earlier):
    link = Link.objects.get(relation="paraphrase")
    link.note, link.version = "Closer than it looks.", link.version + 1
    link.save()
    summary = import_data(earlier)
    link.refresh_from_db()
    assert link.note == "Closer than it looks."
    index = index_of(earlier["links"], relation="paraphrase")
    record = earlier["links"][index]
    assert (
        f"links[{index}] ({record['source']} | {record['target']} | paraphrase): note: "
        'here "Closer than it looks.", file "Close."'
    ) in summary.conflicts


def test_a_deleted_annotation_is_not_added_again(corpus, earlier):
    item = failed_quote()
    key = Deletion.annotation_key(
        span_key=f"left-doc:{item.span.start}-{item.span.end}", label="Quote", author="ann"
    )
    item.delete()
    Deletion.objects.create(kind="annotation", key=key, deleted=timezone.now())
    summary = import_data(earlier)
    assert not Annotation.objects.filter(
        label__name="Quote", author__username="ann", span__exact="the talks had failed"
    ).exists()
    assert any(f"({key.replace('|', ' | ')}): deleted here on " in line for line in summary.conflicts)


def test_a_record_edited_after_its_deletion_here_is_added(corpus, earlier):
    item = failed_quote()
    key = Deletion.annotation_key(
        span_key=f"left-doc:{item.span.start}-{item.span.end}", label="Quote", author="ann"
    )
    item.delete()
    Deletion.objects.create(kind="annotation", key=key, deleted=datetime(2020, 1, 1, tzinfo=UTC))
    import_data(earlier)
    assert failed_quote().note == "<i>Reported</i>\nspeech."


def test_a_deleted_document_is_not_added_again_nor_its_spans(corpus, earlier):
    emoji = Document.objects.get(slug="emoji-doc")
    Link.objects.filter(source__document=emoji).delete()
    Annotation.objects.filter(span__document=emoji).delete()
    emoji.spans.all().delete()
    emoji.comparisons = None
    from reader.models import Comparison

    Comparison.objects.filter(left=emoji).delete()
    emoji.delete()
    Deletion.objects.create(kind="document", key="emoji-doc", deleted=timezone.now())
    summary = import_data(earlier)
    assert not Document.objects.filter(slug="emoji-doc").exists()
    assert summary.counts["documents"]["conflicts"] == 1
    assert summary.counts["spans"]["added"] == 0
    assert any("(emoji-doc): deleted here on" in line for line in summary.conflicts)


def test_a_newer_file_is_applied_and_counted_as_updated(corpus):
    newer = export()
    index = index_of(newer["annotations"], label="Quote", author="ann", cue="said")
    newer["annotations"][index].update(note="Edited elsewhere.", version=2, modified="2030-01-01T00:00:00Z")
    summary = import_data(newer)
    item = failed_quote()
    assert (item.note, item.version, item.modified.year) == ("Edited elsewhere.", 2, 2030)
    assert summary.counts["annotations"]["updated"] == 1
    assert summary.conflicts == []


def test_a_newer_review_in_the_file_is_applied(corpus):
    newer = export()
    index = index_of(newer["annotations"], label="Claim", author="bob", status="pending")
    newer["annotations"][index].update(
        status="rejected", reviewed_by="cora", reviewed_at="2030-01-01T00:00:00Z"
    )
    import_data(newer)
    item = annotation("Claim", "bob", "Officials denied it on Friday")
    assert (item.status, item.reviewed_by.username) == ("rejected", "cora")


def test_overwrite_lets_the_file_win_and_says_what_it_replaced(corpus, earlier):
    link = Link.objects.get(relation="paraphrase")
    link.note, link.version = "Closer than it looks.", link.version + 1
    link.save()
    summary = import_data(earlier, overwrite=True)
    link.refresh_from_db()
    assert link.note == "Close."
    assert link.version == 3  # still moves forward, so a form made from version 2 is refused
    assert summary.counts["links"]["updated"] == 1
    assert any(
        line.endswith('note: here "Closer than it looks.", file "Close." (overwritten)')
        for line in summary.conflicts
    )
    assert "the file won" in summary.conflict_heading


def test_overwrite_brings_back_what_was_deleted_here(corpus, earlier):
    item = failed_quote()
    key = Deletion.annotation_key(
        span_key=f"left-doc:{item.span.start}-{item.span.end}", label="Quote", author="ann"
    )
    item.delete()
    Deletion.objects.create(kind="annotation", key=key, deleted=timezone.now())
    import_data(earlier, overwrite=True)
    assert failed_quote()
    assert not Deletion.objects.filter(key=key).exists()


def test_the_summary_counts_each_outcome_per_section_and_lists_conflicts(corpus, earlier):
    link = Link.objects.get(relation="paraphrase")
    link.note, link.version = "Closer than it looks.", 2
    link.save()
    lines = import_data(earlier).lines()
    assert "links: 0 added, 3 left alone, 0 updated, 1 in conflict" in lines
    assert "annotations: 0 added, 11 left alone, 0 updated, 0 in conflict" in lines
    assert lines[7].startswith("1 conflict(s): what is here is newer")
    assert lines[8].startswith("  links[")


def test_the_command_lists_conflicts_and_takes_overwrite(corpus, earlier, tmp_path):
    link = Link.objects.get(relation="paraphrase")
    link.note, link.version = "Closer than it looks.", 2
    link.save()
    path = tmp_path / "earlier.json"
    path.write_text(json.dumps(earlier), encoding="utf-8")
    out = io.StringIO()
    call_command("import_annotations", str(path), stdout=out)
    assert 'note: here "Closer than it looks.", file "Close."' in out.getvalue()
    link.refresh_from_db()
    assert link.note == "Closer than it looks."
    call_command("import_annotations", str(path), "--overwrite", stdout=io.StringIO())
    link.refresh_from_db()
    assert link.note == "Close."


def test_only_the_first_fifty_conflicts_are_listed(corpus, earlier):
    from reader.formats import importing

    summary = importing.ImportSummary()
    for n in range(60):
        summary.conflict(f"line {n}")
    assert len(summary.conflicts) == 50
    assert summary.lines()[-1] == "  …and 10 more."


def test_the_upload_page_lists_conflicts_and_its_checkbox_lets_the_file_win(corpus, earlier, client):
    from tests.factories import CuratorFactory

    link = Link.objects.get(relation="paraphrase")
    link.note, link.version = "Closer than it looks.", 2
    link.save()
    client.force_login(CuratorFactory(username="cura"))

    def upload(**fields):
        file = io.BytesIO(json.dumps(earlier).encode("utf-8"))
        file.name = "earlier.json"
        response = client.post("/import/", {"file": file, **fields})
        return client.get(response["Location"]).content.decode()

    page = upload()
    assert "<h2>Conflicts</h2>" in page
    assert "note: here &quot;Closer than it looks.&quot;, file &quot;Close.&quot;" in page
    link.refresh_from_db()
    assert link.note == "Closer than it looks."
    page = upload(overwrite="on")
    link.refresh_from_db()
    assert link.note == "Close."
    assert "the file won (overwrite)" in page


def test_a_reset_to_pending_here_is_not_undone_by_an_older_files_accept(corpus, earlier):
    quote = failed_quote()
    assert quote.status == Status.ACCEPTED
    cora = get_user_model().objects.get(username="cora")
    annotating.review(items=Annotation.objects.filter(pk=quote.pk), status=Status.PENDING, reviewer=cora)
    summary = import_data(earlier)
    quote.refresh_from_db()
    assert (quote.status, quote.reviewed_by) == (Status.PENDING, cora)
    assert summary.total("conflicts") >= 1
