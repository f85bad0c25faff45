"""Annotations out (a streamed download) and in (an upload form for curators).

Login is required by the project's middleware; the work itself is in `exports`.
"""

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reader import exports
from reader.models import Comparison, Status, user_is_curator
from reader.responses import error_response

MAX_IMPORT_BYTES = 100 * 1024 * 1024  # the whole file is parsed in memory
CONTENT_TYPES = {
    "native": "application/json; charset=utf-8",
    "w3c": 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8',
}


@require_GET
def export_annotations(request):
    format = request.GET.get("format") or "native"
    status = request.GET.get("status") or None
    slug = request.GET.get("comparison") or None
    if format not in exports.FORMATS:
        return error_response(request, f"Unknown format {format!r}: choose native or w3c.", status=400)
    if status and status not in Status.values:
        return error_response(
            request, f"Unknown status {status!r}: choose one of {', '.join(Status.values)}.", status=400
        )
    comparison = Comparison.objects.filter(slug=slug).first() if slug else None
    if slug and comparison is None:
        return error_response(request, f"There is no comparison {slug!r}.", status=404)
    chunks = exports.export_chunks(format=format, comparison=comparison, status=status)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type=CONTENT_TYPES[format]
    )
    name = "-".join(
        part for part in ["close-reader", slug, status, None if format == "native" else "w3c"] if part
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@require_http_methods(["GET", "POST"])
def import_annotations(request):
    if not user_is_curator(request.user):
        return error_response(request, "Only curators may import annotations.", status=403)
    if request.method == "GET":
        return render(request, "reader/import.html")
    upload = request.FILES.get("file")
    if upload is None:
        return _refused(request, "Choose a close-reader/1 JSON file to import.")
    if upload.size > MAX_IMPORT_BYTES:
        return _refused(request, f"The file is too large: at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    try:
        summary = exports.import_native(raw=upload.read())
    except exports.ImportRefused as error:
        return _refused(request, f"{upload.name} was refused and nothing was imported.\n{error}")
    messages.success(request, f"Imported {upload.name}. " + "; ".join(summary.lines()))
    return redirect("import_annotations")


def _refused(request, message):
    return render(request, "reader/import.html", {"error": message}, status=400)
