"""Large uploads import as background jobs: the upload is stored, a detached
`manage.py import_annotations --job ID` runs it, and the job's page polls (htmx, every second)
until it shows the summary or why the file was refused. Small uploads import at once and show
the same page.

The bad inputs: a refused file run as a job, a job run twice, a job whose process died, an
unknown job id (command), a job page asked for by someone who is not a curator.
"""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from reader import formats
from reader.formats import jobs
from reader.models import Annotation, Comparison, Document, ImportJob, Label, Link, Span, Speaker
from tests.factories import CuratorFactory, UserFactory, rich_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported():
    rich_corpus()
    data = json.loads("".join(formats.export_chunks()))
    for model in (Link, Annotation, Span, Comparison, Document, Speaker):
        model.objects.all().delete()
    Label.objects.exclude(name__in=["Quote", "Speaker", "Claim"]).delete()
    get_user_model().objects.all().delete()
    return data


@pytest.fixture
def launched(monkeypatch, settings, tmp_path):
    """Background jobs are recorded, not started: the test runs them (the test database lives in
    this process's memory, where a real subprocess cannot see it)."""
    settings.IMPORT_BACKGROUND_BYTES = 100
    settings.IMPORT_JOBS_DIR = tmp_path / "jobs"
    started = []
    monkeypatch.setattr(jobs, "launch", started.append)
    return started


@pytest.fixture
def curator_client(exported, client):
    client.force_login(CuratorFactory(username="cura"))
    return client


def upload(client, data, **fields):
    file = io.BytesIO(data if isinstance(data, bytes) else json.dumps(data).encode("utf-8"))
    file.name = "export.json"
    return client.post("/import/", {"file": file, **fields})


def test_a_large_upload_becomes_a_job_and_its_page_polls(curator_client, exported, launched):
    response = upload(curator_client, exported)
    (job,) = launched
    assert response.status_code == 302
    assert response["Location"] == f"/import/jobs/{job.pk}/"
    assert Path(job.path).read_bytes() == json.dumps(exported).encode("utf-8")
    page = curator_client.get(response["Location"]).content.decode()
    assert "Waiting to start" in page
    assert f'hx-get="/import/jobs/{job.pk}/" hx-trigger="every 1s" hx-swap="outerHTML"' in page
    assert "<script>" not in page  # the CSP allows neither
    assert " style=" not in page
    assert Annotation.objects.count() == 0


def test_a_job_runs_to_completion_and_its_page_shows_the_summary(curator_client, exported, launched):
    upload(curator_client, exported)
    (job,) = launched
    out = io.StringIO()
    call_command("import_annotations", "--job", str(job.pk), stdout=out)
    job.refresh_from_db()
    assert job.state == "done"
    assert Annotation.objects.count() == len(exported["annotations"])
    assert job.records_done > len(exported["annotations"])
    assert not Path(job.path).exists()  # the stored upload is removed
    page = curator_client.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "Imported export.json" in page
    assert "<th>annotations</th><td>11</td><td>0</td><td>0</td><td>0</td>" in page
    assert "hx-trigger" not in page  # it stops polling


def test_a_refused_file_s_job_shows_the_error(curator_client, exported, launched):
    exported["spans"][0]["start"] = -1
    upload(curator_client, exported)
    (job,) = launched
    with pytest.raises(CommandError, match="refused"):
        call_command("import_annotations", "--job", str(job.pk), stdout=io.StringIO())
    job.refresh_from_db()
    assert job.state == "refused"
    page = curator_client.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "export.json was refused and nothing was imported." in page
    assert "spans[0].start: -1 is less than the minimum of 0" in page
    assert Document.objects.count() == 0


def test_the_polled_fragment_is_the_status_alone(curator_client, exported, launched):
    upload(curator_client, exported)
    (job,) = launched
    response = curator_client.get(f"/import/jobs/{job.pk}/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="job-status"')
    assert "<html" not in html


def test_a_running_job_shows_its_progress_from_its_progress_file(curator_client, exported, launched):
    upload(curator_client, exported)
    (job,) = launched
    job.state, job.pid = "running", 1  # pid 1 is alive: this is not a dead job
    job.save()
    jobs._write_progress(Path(job.path).parent, 1234, 2048)
    page = curator_client.get(f"/import/jobs/{job.pk}/").content.decode()
    assert "1234 records checked" in page
    assert '<progress max="' in page
    assert 'value="2048"' in page


def test_a_job_whose_process_died_is_marked_failed(curator_client, exported, launched):
    upload(curator_client, exported)
    (job,) = launched
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    job.state, job.pid = "running", int(dead.stdout)
    job.save()
    page = curator_client.get(f"/import/jobs/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.state == "failed"
    assert "stopped before it finished; nothing was imported" in page


def test_a_job_runs_only_once(curator_client, exported, launched):
    upload(curator_client, exported)
    (job,) = launched
    call_command("import_annotations", "--job", str(job.pk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="has already run"):
        call_command("import_annotations", "--job", str(job.pk), stdout=io.StringIO())


def test_the_command_refuses_an_unknown_job():
    with pytest.raises(CommandError, match="There is no import job 999"):
        call_command("import_annotations", "--job", "999", stdout=io.StringIO())


def test_a_job_is_launched_as_a_detached_manage_py_process(monkeypatch, settings, tmp_path):
    settings.IMPORT_JOBS_DIR = tmp_path
    calls = []
    monkeypatch.setattr(jobs.subprocess, "Popen", lambda args, **kwargs: calls.append((args, kwargs)))
    folder = tmp_path / "a"
    folder.mkdir()
    job = ImportJob.objects.create(file_name="x.json", path=str(folder / "upload.json"))
    jobs.launch(job)
    ((args, kwargs),) = calls
    assert args[1:] == [
        str(Path(settings.BASE_DIR) / "manage.py"),
        "import_annotations",
        "--job",
        str(job.pk),
    ]
    assert kwargs["start_new_session"] is True  # a worker killed for its timeout does not take it along
    assert kwargs["stdin"] == subprocess.DEVNULL


def test_a_small_upload_imports_at_once_and_shows_the_same_page(curator_client, exported, launched, settings):
    settings.IMPORT_BACKGROUND_BYTES = 100 * 1024 * 1024
    response = upload(curator_client, exported)
    assert launched == []
    job = ImportJob.objects.get()
    assert (response["Location"], job.state) == (f"/import/jobs/{job.pk}/", "done")
    assert Annotation.objects.count() == len(exported["annotations"])


def test_a_job_page_is_for_curators(client, exported, launched):
    job = ImportJob.objects.create(file_name="x.json")
    client.force_login(UserFactory(username="dan"))
    assert client.get(f"/import/jobs/{job.pk}/").status_code == 403


def test_the_upload_form_offers_overwrite_and_a_document_for_w3c(curator_client, exported):
    Document.objects.create(slug="talks", title="Talks", text="Some text.")
    page = curator_client.get("/import/").content.decode()
    assert '<input type="checkbox" name="overwrite">' in page
    assert "Let the file win over newer data here" in page
    assert '<option value="talks">Talks (talks)</option>' in page
