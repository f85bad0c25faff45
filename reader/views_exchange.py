"""Annotations out (streamed downloads: JSON, CSV tables, a brat zip) and in (an upload form for
curators; large files run as background jobs whose page polls until they end).

Login is required by the project's middleware; the work itself is in `reader.formats`.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reader import formats
from reader.formats import brat, importing, jobs
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
    if format not in formats.JSON_FORMATS:
        return error_response(request, f"Unknown format {format!r}: choose native or w3c.", status=400)
    if status and status not in Status.values:
        return error_response(
            request, f"Unknown status {status!r}: choose one of {', '.join(Status.values)}.", status=400
        )
    comparison = Comparison.objects.filter(slug=slug).first() if slug else None
    if slug and comparison is None:
        return error_response(request, f"There is no comparison {slug!r}.", status=404)
    if blind_for(request.user, comparison):
        return error_response(
            request,
            "This work is in blind mode: its exports are for curators until a curator opens it for all.",
            status=403,
        )
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


class BadQuery(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _filters(request):
    """The comparison, status and annotator a download asks for (each optional), checked."""
    slug = request.GET.get("comparison") or None
    status = request.GET.get("status") or None
    username = request.GET.get("annotator") or None
    if status and status not in Status.values:
        raise BadQuery(f"Unknown status {status!r}: choose one of {', '.join(Status.values)}.")
    annotator = None
    if username:
        annotator = get_user_model().objects.filter(username=username).first()
        if annotator is None:
            raise BadQuery(f"There is no annotator {username!r}.")
    comparison = Comparison.objects.filter(slug=slug).first() if slug else None
    if slug and comparison is None:
        raise BadQuery(f"There is no comparison {slug!r}.", status=404)
    return {"comparison": comparison, "status": status, "annotator": annotator}


def _file_name(stem, filters, suffix):
    parts = [
        "close-reader",
        stem,
        filters["comparison"].slug if filters["comparison"] else None,
        filters["status"],
        filters["annotator"].get_username() if filters["annotator"] else None,
    ]
    return "-".join(part for part in parts if part) + suffix


@require_GET
def export_table(request, table):
    """A CSV table (attributions, links, speakers): `comparison`, `status` and `annotator` narrow
    it, `bom=1` starts it with a byte order mark for Excel (see reader.formats.csv)."""
    try:
        filters = _filters(request)
    except BadQuery as error:
        return error_response(request, str(error), status=error.status)
    bom = request.GET.get("bom") in ("1", "true", "yes")
    chunks = formats.csv_chunks(table=table, bom=bom, **filters)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(table, filters, ".csv")}"'
    return response


@require_GET
def export_brat(request):
    """The documents in brat standoff (`<slug>.txt` and `<slug>.ann` each), as a zip streamed a
    document at a time; `comparison`, `status` and `annotator` narrow it."""
    try:
        filters = _filters(request)
    except BadQuery as error:
        return error_response(request, str(error), status=error.status)
    response = StreamingHttpResponse(
        brat.zip_chunks(formats.brat_files(**filters)), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name("brat", filters, ".zip")}"'
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
        return _form(
            request, error="Choose a close-reader/1 or W3C JSON file, or a brat zip, to import.", status=400
        )
    if upload.size > settings.MAX_IMPORT_BYTES:
        limit = settings.MAX_IMPORT_BYTES // (1024 * 1024)
        return _form(request, error=f"The file is too large: at most {limit} MB.", status=400)
    document = None
    if slug := request.POST.get("document"):
        document = Document.objects.filter(slug=slug).first()
        if document is None:
            return _form(request, error=f"There is no document {slug!r}.", status=400)
    zipped = _is_zip(upload)
    if zipped and document is not None:
        return _form(
            request, error="A brat zip brings its own texts: choose no document to anchor it on.", status=400
        )
    options = {
        "format": "brat" if zipped else "w3c" if document else "native",
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


def _is_zip(upload):
    """A brat collection comes zipped: told by its name, or its first bytes."""
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    return upload.name.lower().endswith(".zip") or head == b"PK\x03\x04"


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


def blind_for(user, comparison):
    """Whether an export would show this user work that blind mode hides from them: a blind
    comparison's, or everything while any comparison is blind (curators see all)."""
    if user_is_curator(user):
        return False
    if comparison is not None:
        return comparison.blind
    return Comparison.objects.filter(blind=True).exists()
