"""Annotations out and in, one module per format: `native` (close-reader/1), `w3c` (Web
Annotation JSON-LD), `csv` (tables for papers) and `brat` (brat standoff, as PolNeAR and
INCEpTION write it) write exports; `importing` checks, compares and writes imports (`w3c` and
`brat` turn their files into its records); `scope` says what an export holds.

The web views, the admin and the management commands call only what this module exports.
"""

from reader.formats.csv import TABLES
from reader.formats.importing import ImportRefused, ImportSummary, import_native
from reader.formats.native import FORMAT, native_chunks, native_schema
from reader.formats.scope import Scope
from reader.formats.w3c import DEFAULT_BASE_URL, w3c_chunks

JSON_FORMATS = ("native", "w3c")  # what /export/annotations.json writes
FORMATS = (*JSON_FORMATS, "csv", "brat")  # what the export command writes

__all__ = [
    "FORMAT",
    "DEFAULT_BASE_URL",
    "FORMATS",
    "JSON_FORMATS",
    "TABLES",
    "ImportRefused",
    "ImportSummary",
    "Scope",
    "brat_files",
    "csv_chunks",
    "export_chunks",
    "import_native",
    "native_schema",
]


def export_chunks(
    *,
    format="native",
    comparison=None,
    status=None,
    annotation_ids=None,
    base_url=None,
    indent=None,
    exported=None,
):
    """The whole export as str chunks, for a file, stdout or a streaming response. Lazy: nothing
    is read from the database before the first chunk is asked for."""
    scope = Scope(
        comparison=comparison,
        status=status,
        annotation_ids=tuple(annotation_ids) if annotation_ids is not None else None,
    )
    if format == "w3c":
        return w3c_chunks(scope, base_url=base_url or DEFAULT_BASE_URL, indent=indent)
    return native_chunks(scope, exported=exported, indent=indent)


def csv_chunks(*, table, comparison=None, status=None, annotator=None, bom=False):
    """A CSV table (attributions, links or speakers) as str chunks; see reader.formats.csv."""
    from reader.formats import csv

    scope = Scope(comparison=comparison, status=status, annotator=getattr(annotator, "pk", annotator))
    return csv.csv_chunks(scope, table, bom=bom)


def brat_files(*, comparison=None, status=None, annotator=None):
    """(file name, bytes) of a brat standoff export, a document at a time; see reader.formats.brat."""
    from reader.formats import brat

    scope = Scope(comparison=comparison, status=status, annotator=getattr(annotator, "pk", annotator))
    return brat.brat_files(scope)
