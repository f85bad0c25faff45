import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reader import formats
from reader.models import Comparison, Status


class Command(BaseCommand):
    help = (
        "Export annotations as native JSON (close-reader/1, which import_annotations reads back), "
        "as a W3C Web Annotation collection, as a CSV table (--table attributions, links or speakers) "
        "or as brat standoff (a .txt and a .ann per document, into the folder or .zip --output names). "
        "Streamed: memory does not grow with the number of rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=formats.FORMATS, default="native")
        parser.add_argument(
            "--comparison", metavar="SLUG", help="Only this comparison and its two documents."
        )
        parser.add_argument(
            "--status",
            choices=Status.values,
            help="Only annotations, attributions and links of this status (and their spans).",
        )
        parser.add_argument(
            "--annotator",
            metavar="USERNAME",
            help="CSV and brat: only this annotator's annotations, attributions and links.",
        )
        parser.add_argument(
            "--table", choices=formats.TABLES, help="CSV: which table (attributions, links or speakers)."
        )
        parser.add_argument(
            "--bom", action="store_true", help="CSV: start with a UTF-8 byte order mark (for Excel)."
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            type=Path,
            help="Write here instead of to stdout (brat: a folder, or a file ending in .zip).",
        )
        parser.add_argument(
            "--indent",
            type=int,
            metavar="N",
            help="Indent by N spaces, for people (default: compact, one line).",
        )
        parser.add_argument(
            "--base-url",
            metavar="URL",
            help="W3C: what annotation ids start with (default: DJANGO_SITE_URL, else http://localhost).",
        )

    def handle(
        self, *args, format, comparison, status, annotator, table, bom, output, indent, base_url, **options
    ):
        if comparison is not None:
            slug, comparison = comparison, Comparison.objects.filter(slug=comparison).first()
            if comparison is None:
                raise CommandError(f"There is no comparison {slug!r}.")
        if indent is not None and not 0 <= indent <= 16:
            raise CommandError("--indent takes 0 to 16 spaces.")
        if (table is not None or bom) and format != "csv":
            raise CommandError("--table and --bom are for CSV: add --format csv.")
        if annotator is not None:
            username, annotator = annotator, get_user_model().objects.filter(username=annotator).first()
            if annotator is None:
                raise CommandError(f"There is no annotator {username!r}.")
            if format not in ("csv", "brat"):
                raise CommandError("--annotator is for the CSV and brat formats.")
        filters = {"comparison": comparison, "status": status, "annotator": annotator}
        if format == "brat":
            return self.write_brat(filters, output)
        if format == "csv":
            if table is None:
                raise CommandError(f"Choose a --table: {', '.join(formats.TABLES)}.")
            chunks = formats.csv_chunks(table=table, bom=bom, **filters)
        else:
            chunks = formats.export_chunks(
                format=format,
                comparison=comparison,
                status=status,
                indent=indent,
                base_url=base_url or settings.SITE_URL or formats.DEFAULT_BASE_URL,
            )
        if output is None:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        # Written beside the target and renamed at the end, so a failed export leaves no half file.
        # newline="" writes the text as it is: the CSV's CRLF line ends stay CRLF.
        self.write_atomically(output, lambda path: _write_text(path, chunks))

    def write_brat(self, filters, output):
        if output is None:
            raise CommandError("brat writes two files per document: name a folder or a .zip with --output.")
        from reader.formats import brat  # only here: a native export need not load it

        files = formats.brat_files(**filters)
        if output.suffix == ".zip":
            return self.write_atomically(output, lambda path: _write_bytes(path, brat.zip_chunks(files)))
        if output.exists() and not output.is_dir():
            raise CommandError(f"{output} is a file: name a folder (or a .zip) for brat.")
        try:
            output.mkdir(parents=True, exist_ok=True)
            count = 0
            for name, data in files:
                partial = output / (name + ".part")
                partial.write_bytes(data)
                os.replace(partial, output / name)
                count += 1
        except OSError as error:
            raise CommandError(f"Cannot write into {output}: {error}") from error
        self.stderr.write(f"Wrote {count // 2} document(s) into {output}")

    def write_atomically(self, output, write):
        partial = output.with_name(output.name + ".part")
        try:
            write(partial)
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {error}") from error
        self.stderr.write(f"Wrote {output}")


def _write_text(path, chunks):
    with path.open("w", encoding="utf-8", newline="") as file:
        for chunk in chunks:
            file.write(chunk)


def _write_bytes(path, chunks):
    with path.open("wb") as file:
        for chunk in chunks:
            file.write(chunk)
