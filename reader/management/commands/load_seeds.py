import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reader import text as textlib
from reader.formats import ImportRefused, import_native
from reader.models import Annotation, Comparison, Document

SEEDS = Path(settings.BASE_DIR) / "seeds"
COMPARISON = {
    "slug": "soleimani-first-anniversary",
    "title": "First anniversary of Qasem Soleimani's killing: an Iranian and a Russian account",
}


READING = "reading.json"


class Command(BaseCommand):
    help = (
        "Load the shipped articles (seeds/) and their comparison, and with --with-reading the shipped "
        "close reading (seeds/reading.json) into a database that has no annotations yet. Running it "
        "again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seeds", type=Path, default=SEEDS, help="Folder holding manifest.json")
        parser.add_argument(
            "--with-reading",
            action="store_true",
            help=f"Also import {READING} (a native export) through the importer, unless the database "
            "already has annotations: then it is left alone.",
        )

    @transaction.atomic
    def handle(self, *args, seeds, with_reading=False, **options):
        try:
            manifest = json.loads((seeds / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {seeds / 'manifest.json'}: {error}") from error
        headings = self.headings(seeds)
        documents = [
            self.load(seeds, {"headings": headings.get(entry["slug"], []), **entry})
            for entry in manifest["documents"]
        ]
        left, right = documents[:2]
        _, created = Comparison.objects.get_or_create(
            slug=COMPARISON["slug"], defaults={**COMPARISON, "left": left, "right": right}
        )
        self.stdout.write(f"Comparison {COMPARISON['slug']}: {'created' if created else 'already there'}")
        if with_reading:
            self.load_reading(seeds / READING)

    def load_reading(self, path):
        """The shipped reading, imported as any native file is (its users are made inactive). Only
        into a database with no annotations: the reading is a starting point, not an update, so a
        database where people have worked is never touched."""
        if Annotation.objects.exists():
            self.stdout.write(f"Reading {path.name}: left alone (this database has annotations already)")
            return
        try:
            with path.open("rb") as file:
                summary = import_native(file=file)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        except ImportRefused as error:
            raise CommandError(f"{path} was refused; nothing was imported.\n{error}") from error
        self.stdout.write(f"Reading {path.name}: imported")
        for line in summary.lines():
            self.stdout.write(f"  {line}")

    def headings(self, seeds):
        """Subheadings by document slug, from seeds/headings.json (the project's addition)."""
        path = seeds / "headings.json"
        if not path.exists():
            return {}
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        return {slug: lines for slug, lines in found.items() if isinstance(lines, list)}

    def load(self, seeds, entry):
        # Byte for byte: the text is decoded, never normalised, so offsets count what is on disk.
        text = (seeds / entry["file"]).read_bytes().decode("utf-8")
        outlet, outlet_note = textlib.split_outlet(entry.get("outlet", ""))
        fields = {
            "title": entry["title"],
            "outlet": outlet[:300],
            "outlet_note": entry.get("outlet_note", outlet_note)[:300],
            "headings": textlib.heading_lines(text, entry.get("headings", [])),
            "published": entry.get("published"),
            "published_note": entry.get("published_note", "")[:300],
            "language": entry.get("language", "en"),
            "url": entry.get("url", ""),
            "text": text,
        }
        document, created = Document.objects.get_or_create(slug=entry["slug"], defaults=fields)
        if not created and document.text != text:
            self.stderr.write(
                f"Document {entry['slug']} exists with another text; left as it is "
                "(edit it in the admin to re-anchor its spans)."
            )
        self.stdout.write(f"Document {entry['slug']}: {'created' if created else 'already there'}")
        return document
