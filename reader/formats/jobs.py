"""Large imports as background jobs: the upload is stored, an ImportJob row made, and a detached
`python manage.py import_annotations --job ID` imports it, so no web worker's timeout can cut it
short. The job writes its progress to a small file beside the upload (the import's own
transaction holds the database until it ends, so progress written there would not be seen), and
its outcome (summary, or the reason it was refused) to its row.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from reader.formats import importing
from reader.models import ImportJob

log = logging.getLogger(__name__)
PROGRESS = "progress.json"


def store_upload(upload) -> Path:
    """Copy an uploaded file into a folder of its own under IMPORT_JOBS_DIR."""
    folder = Path(settings.IMPORT_JOBS_DIR) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / "upload.json"
    with path.open("wb") as file:
        for chunk in upload.chunks():
            file.write(chunk)
    return path


def start(*, upload, user, format, document=None, overwrite=False) -> ImportJob:
    path = store_upload(upload)
    job = ImportJob.objects.create(
        created_by=user,
        file_name=upload.name[:255],
        path=str(path),
        size=upload.size,
        format=format,
        document=document,
        overwrite=overwrite,
    )
    launch(job)
    return job


def launch(job):
    """Start the job in a process of its own session: a web worker killed for its timeout, or
    restarted, takes its children along, but not a process that left its session."""
    folder = Path(job.path).parent
    with (folder / "job.log").open("ab") as log_file:
        subprocess.Popen(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "import_annotations",
                "--job",
                str(job.pk),
            ],
            cwd=settings.BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            start_new_session=True,
            close_fds=True,
        )


def _write_progress(folder, records, read):
    partial = folder / (PROGRESS + ".part")
    partial.write_text(json.dumps({"records": records, "bytes": read}))
    os.replace(partial, folder / PROGRESS)


def progress(job) -> tuple[int, int]:
    """(records done, bytes read) of a job, from its progress file while it runs."""
    if job.state == ImportJob.State.RUNNING and job.path:
        try:
            data = json.loads((Path(job.path).parent / PROGRESS).read_text())
            return data["records"], data["bytes"]
        except (OSError, ValueError, KeyError):
            pass
    return job.records_done, job.bytes_done


def run(job_id) -> ImportJob:
    """Run a job to its end (the command's --job): the outcome is written to its row."""
    job = ImportJob.objects.get(pk=job_id)
    if job.state != ImportJob.State.QUEUED:
        raise importing.ImportRefused(f"Import job {job.pk} has already run ({job.state}).")
    job.state, job.pid, job.started = ImportJob.State.RUNNING, os.getpid(), timezone.now()
    job.save(update_fields=["state", "pid", "started"])
    path = Path(job.path)
    done = {"records": 0, "bytes": 0}

    def report(records, read):
        done.update(records=records, bytes=read)
        _write_progress(path.parent, records, read)

    try:
        with path.open("rb") as file:
            summary = importing.import_file(
                file=file,
                format=job.format,
                document=job.document,
                overwrite=job.overwrite,
                progress=report,
                user=job.created_by,
            )
        job.state, job.summary = ImportJob.State.DONE, summary.to_dict()
    except importing.ImportRefused as error:
        job.state, job.error = ImportJob.State.REFUSED, str(error)
    except Exception as error:  # the job's page must say something, whatever happened
        log.exception("Import job %s failed", job.pk)
        job.state = ImportJob.State.FAILED
        job.error = (
            f"The import stopped unexpectedly ({type(error).__name__}: {error}); nothing was imported."
        )
    job.finished, job.records_done, job.bytes_done = timezone.now(), done["records"], done["bytes"]
    job.save(update_fields=["state", "summary", "error", "finished", "records_done", "bytes_done"])
    shutil.rmtree(path.parent, ignore_errors=True)
    return job


def check_alive(job):
    """A job whose process is gone without saying how it ended (killed, out of memory) failed;
    its transaction died with it, so nothing was imported."""
    if job.state != ImportJob.State.RUNNING or not job.pid or _alive(job.pid):
        return job
    job.refresh_from_db()
    if job.state == ImportJob.State.RUNNING:
        job.state, job.finished = ImportJob.State.FAILED, timezone.now()
        job.error = "The import process stopped before it finished; nothing was imported. Try again."
        job.save(update_fields=["state", "finished", "error"])
        if job.path:
            shutil.rmtree(Path(job.path).parent, ignore_errors=True)
    return job


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
