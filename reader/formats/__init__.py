"""Annotations out and in, one module per format: `native` (close-reader/1) and `w3c` (Web
Annotation JSON-LD) write exports; `importing` checks, compares and writes imports; `scope`
says what an export holds. (brat and CSV exports will sit beside them.)

The web views, the admin and the management commands call only what this module exports.
"""

from reader.formats.importing import ImportRefused, ImportSummary, import_native
from reader.formats.native import FORMAT, native_chunks, native_schema
from reader.formats.scope import Scope
from reader.formats.w3c import DEFAULT_BASE_URL, w3c_chunks

FORMATS = ("native", "w3c")

__all__ = [
    "FORMAT",
    "DEFAULT_BASE_URL",
    "FORMATS",
    "ImportRefused",
    "ImportSummary",
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
