"""Annotations out (a streamed download) and in (an upload form for curators; large files run
as background jobs whose page polls until they end).

Login is required by the project's middleware; the work itself is in `reader.formats`.
"""

from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reader import formats
from reader.formats import importing, jobs
from reader.models import Comparison, Document, ImportJob, Status, user_is_curator
from reader.responses import error_response

CONTENT_TYPES = {
    "native": "application/json; charset=utf-8",
    "w3c": 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8',
}


def base_url(request) -> str:
    """What W3C ids start with: the configured public address, else the one this request came to."""
    return settings.SITE_URL or request.build_absolute_uri("/")


@require_GET
def export_annotations(request):
    format = request.GET.get("format") or "native"
    status = request.GET.get("status") or None
    slug = request.GET.get("comparison") or None
    if format not in formats.FORMATS:
        return error_response(request, f"Unknown format {format!r}: choose native or w3c.", status=400)
    if status and status not in Status.values:
        return error_response(
            request, f"Unknown status {status!r}: choose one of {', '.join(Status.values)}.", status=400
        )
    comparison = Comparison.objects.filter(slug=slug).first() if slug else None
    if slug and comparison is None:
        return error_response(request, f"There is no comparison {slug!r}.", status=404)
    chunks = formats.export_chunks(
        format=format, comparison=comparison, status=status, base_url=base_url(request)
    )
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type=CONTENT_TYPES[format]
    )
    name = "-".join(
        part for part in ["close-reader", slug, status, None if format == "native" else "w3c"] if part
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


def _form(request, *, error=None, status=200):
    context = {
        "error": error,
        "documents": Document.objects.order_by("title").only("slug", "title"),
        "jobs": ImportJob.objects.select_related("created_by")[:10],
        "background_mb": settings.IMPORT_BACKGROUND_BYTES / (1024 * 1024),
    }
    return render(request, "reader/import.html", context, status=status)


@require_http_methods(["GET", "POST"])
def import_annotations(request):
    if not user_is_curator(request.user):
        return error_response(request, "Only curators may import annotations.", status=403)
    if request.method == "GET":
        return _form(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _form(request, error="Choose a close-reader/1 or W3C JSON file to import.", status=400)
    if upload.size > settings.MAX_IMPORT_BYTES:
        limit = settings.MAX_IMPORT_BYTES // (1024 * 1024)
        return _form(request, error=f"The file is too large: at most {limit} MB.", status=400)
    document = None
    if slug := request.POST.get("document"):
        document = Document.objects.filter(slug=slug).first()
        if document is None:
            return _form(request, error=f"There is no document {slug!r}.", status=400)
    options = {
        "format": "w3c" if document else "native",
        "document": document,
        "overwrite": request.POST.get("overwrite") == "on",
    }
    if upload.size > settings.IMPORT_BACKGROUND_BYTES:
        job = jobs.start(upload=upload, user=request.user, **options)
        return redirect(job)
    try:
        summary = importing.import_file(file=upload, user=request.user, **options)
    except importing.ImportRefused as error:
        return _form(
            request, error=f"{upload.name} was refused and nothing was imported.\n{error}", status=400
        )
    job = ImportJob.objects.create(
        created_by=request.user,
        file_name=upload.name[:255],
        size=upload.size,
        state=ImportJob.State.DONE,
        summary=summary.to_dict(),
        **options,
    )
    return redirect(job)


@require_GET
def import_job(request, pk):
    if not user_is_curator(request.user):
        return error_response(request, "Only curators may see imports.", status=403)
    job = jobs.check_alive(get_object_or_404(ImportJob.objects.select_related("document"), pk=pk))
    records, read = jobs.progress(job)
    context = {
        "job": job,
        "records": records,
        "read": read,
        "summary": importing.ImportSummary.from_dict(job.summary) if job.summary else None,
    }
    template = "reader/import_job.html#status" if request.htmx else "reader/import_job.html"
    return render(request, template, context)
