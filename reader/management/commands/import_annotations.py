from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reader import exports


class Command(BaseCommand):
    help = (
        "Import a native JSON export (close-reader/1). All or nothing: a file with any error is refused "
        "whole, with a message naming the record and field. Importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        try:
            summary = exports.import_native(raw=raw)
        except exports.ImportRefused as error:
            raise CommandError(f"{file} was refused; nothing was imported.\n{error}") from error
        self.stdout.write(f"Imported {file}.")
        for line in summary.lines():
            self.stdout.write(line)
