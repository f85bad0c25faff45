from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reader.formats import importing, jobs
from reader.models import Document, ImportJob


class Command(BaseCommand):
    help = (
        "Import a native JSON export (close-reader/1), or a W3C Web Annotation file onto a document. "
        "All or nothing: a file with any error is refused whole, with a message naming the record and "
        "field. Records are compared with what is here: new ones are added, identical ones left alone, "
        "and where the database is newer it wins and the difference is listed as a conflict (unless "
        "--overwrite). Importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--format", choices=["native", "w3c"], default="native")
        parser.add_argument(
            "--document",
            metavar="SLUG",
            help="W3C: the document to anchor annotations on (targets whose source is a document here "
            "go to that document).",
        )
        parser.add_argument(
            "--author",
            metavar="USERNAME",
            help="W3C: who annotations without a creator nickname are by (an existing user).",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Let the file win where the database is newer (and bring back what was deleted here).",
        )
        parser.add_argument(
            "--job", type=int, metavar="ID", help="Run a queued web import job (started by the upload page)."
        )

    def handle(self, *args, file, format, document, author, overwrite, job, **options):
        if job is not None:
            return self.run_job(job)
        if file is None:
            raise CommandError("Name the file to import.")
        target = None
        if document:
            target = Document.objects.filter(slug=document).first()
            if target is None:
                raise CommandError(f"There is no document {document!r}.")
        if format == "native" and (document or author):
            raise CommandError("--document and --author are for W3C files: add --format w3c.")
        user = None
        if author:
            user = get_user_model().objects.filter(username=author).first()
            if user is None:
                raise CommandError(f"There is no user {author!r}.")
        try:
            with file.open("rb") as stream:
                summary = importing.import_file(
                    file=stream, format=format, document=target, overwrite=overwrite, user=user
                )
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        except importing.ImportRefused as error:
            raise CommandError(f"{file} was refused; nothing was imported.\n{error}") from error
        self.stdout.write(f"Imported {file}.")
        for line in summary.lines():
            self.stdout.write(line)

    def run_job(self, job_id):
        try:
            job = jobs.run(job_id)
        except ImportJob.DoesNotExist as error:
            raise CommandError(f"There is no import job {job_id}.") from error
        except importing.ImportRefused as error:
            raise CommandError(str(error)) from error
        if job.state != job.State.DONE:
            raise CommandError(f"Import job {job.pk} {job.state}: {job.error}")
        self.stdout.write(f"Import job {job.pk} done.")
