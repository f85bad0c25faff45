import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reader import formats
from reader.models import Comparison, Status


class Command(BaseCommand):
    help = (
        "Export annotations as native JSON (close-reader/1, which import_annotations reads back) "
        "or as a W3C Web Annotation collection. Streamed: memory does not grow with the number of rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=formats.FORMATS, default="native")
        parser.add_argument(
            "--comparison", metavar="SLUG", help="Only this comparison and its two documents."
        )
        parser.add_argument(
            "--status",
            choices=Status.values,
            help="Only annotations and links of this status (and their spans).",
        )
        parser.add_argument("--output", metavar="FILE", type=Path, help="Write here instead of to stdout.")
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

    def handle(self, *args, format, comparison, status, output, indent, base_url, **options):
        if comparison is not None:
            slug, comparison = comparison, Comparison.objects.filter(slug=comparison).first()
            if comparison is None:
                raise CommandError(f"There is no comparison {slug!r}.")
        if indent is not None and not 0 <= indent <= 16:
            raise CommandError("--indent takes 0 to 16 spaces.")
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
        partial = output.with_name(output.name + ".part")
        try:
            with partial.open("w", encoding="utf-8", newline="\n") as file:
                for chunk in chunks:
                    file.write(chunk)
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {error}") from error
        self.stderr.write(f"Wrote {output}")
