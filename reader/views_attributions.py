"""Attributions in the reader: make one from a highlight and two selections, change its parts,
ask the machine for proposals and take or decline them, and a speaker's page.

Short views: parse with a form, call `attributing`, answer as the annotation views do (the panel
with the touched sentences swapped out of band, and a nudge to the sidebar)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from reader import attributing
from reader import text as textlib
from reader.attribution import EXTRACTOR_VERSION, propose
from reader.forms import (
    AttributionChangeForm,
    AttributionForm,
    AttributionPartForm,
    DecisionForm,
    form_errors,
    piece_of,
)
from reader.models import Attribution, Document, Span, Speaker
from reader.responses import error_response
from reader.views import ANNOTATIONS_CHANGED, _changed, _comparison_query, _gone, _panel, _panel_spans

ORIGIN = f"extractor/{EXTRACTOR_VERSION}"
ERRORS = (attributing.AnnotatingError, textlib.SelectionError)


def _touched(attribution):
    """The spans an attribution's parts lie on, to re-render their sentences."""
    return [span for span in (attribution.content, attribution.cue, attribution.source) if span is not None]


def _answer(request, attribution, also=()):
    if not request.htmx:
        return redirect(attribution.content.document.get_absolute_url() + _comparison_query(request))
    spans = _touched(attribution)
    return _changed(request, spans[0], focus=None, also=[*spans[1:], *also])


@require_POST
def attribution_create(request):
    form = AttributionForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    data = form.cleaned_data
    content = (
        Span.objects.filter(pk=data["content"]).first() if data["content"] else piece_of(data, "content")
    )
    if content is None:
        return _gone(request, "highlight")
    try:
        attribution = attributing.attribution_create(
            document=data["document"],
            content=content,
            cue=piece_of(data, "cue"),
            source=piece_of(data, "source"),
            kind=data["kind"],
            speaker_name=data["speaker_name"],
            note=data["note"],
            author=request.user,
            seen_sha256=data["text_sha256"] or None,
        )
    except ERRORS as error:
        return error_response(request, str(error), status=error.status)
    return _answer(request, Attribution.objects.with_spans().get(pk=attribution.pk))


@require_http_methods(["GET", "POST"])
def attribution_detail(request, pk):
    if request.method == "GET":
        attribution = get_object_or_404(Attribution.objects.only("content_id"), pk=pk)
        return _panel(request, _panel_spans(Span.objects.filter(pk=attribution.content_id)))
    form = AttributionChangeForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    data = form.cleaned_data
    try:
        attributing.attribution_update(
            attribution=Attribution(pk=pk),
            user=request.user,
            kind=data["kind"],
            speaker_name=data["speaker_name"],
            note=data["note"],
            version=data["version"],
            seen=form.seen(),
        )
    except attributing.Stale as stale:
        return _stale(request, stale, form.changes())
    except ERRORS as error:
        return error_response(request, str(error), status=error.status)
    return _answer(request, Attribution.objects.with_spans().get(pk=pk))


def _stale(request, stale, mine):
    """409: the panel again, with what changed meanwhile and this person's changes on top."""
    current = stale.current
    conflict = {"pk": current.pk, "kind": "attribution", "changed": stale.changed, "mine": mine}
    spans = _panel_spans(Span.objects.filter(pk=current.content_id))
    return _panel(request, spans, conflict=conflict, status=409)


@require_POST
def attribution_part(request, pk):
    form = AttributionPartForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    data = form.cleaned_data
    before = Attribution.objects.with_spans().filter(pk=pk).first()
    if before is None:
        return _gone(request, "attribution")
    if data["remove"] is not None:
        piece = Span.objects.filter(pk=data["remove"]).first()
        if piece is None:
            return _gone(request, "piece")
    else:
        piece = None if data["clear"] else piece_of(data, "part")
    try:
        attributing.attribution_set_piece(
            attribution=before,
            user=request.user,
            role=data["role"],
            piece=piece,
            version=data["version"],
            seen_sha256=data["text_sha256"] or None,
        )
    except attributing.Stale as stale:
        return _stale(request, stale, {})
    except ERRORS as error:
        return error_response(request, str(error), status=error.status)
    return _answer(request, Attribution.objects.with_spans().get(pk=pk), also=_touched(before))


@require_POST
def attribution_delete(request, pk):
    attribution = Attribution.objects.with_spans().filter(pk=pk).first()
    if attribution is None:
        return _gone(request, "attribution")
    version = request.POST.get("version", "")
    try:
        attributing.attribution_delete(
            attribution=attribution, user=request.user, version=int(version) if version.isdecimal() else None
        )
    except attributing.Stale as stale:
        return _stale(request, stale, {})
    except ERRORS as error:
        return error_response(request, str(error), status=error.status)
    if not request.htmx:
        messages.success(request, "Attribution deleted.")
        return redirect(attribution.document.get_absolute_url() + _comparison_query(request))
    spans = _touched(attribution)
    return _changed(request, spans[0], also=spans[1:])


@require_POST
def proposals_decide(request):
    """Take or decline proposals: one (A / X in the panel), or all of an article or a paragraph."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    data = form.cleaned_data
    within = None
    if data["within_start"] is not None and data["within_end"] is not None:
        within = (data["within_start"], data["within_end"])
    chosen = (
        list(Attribution.objects.with_spans().filter(pk__in=data["attribution"]))
        if data["attribution"]
        else []
    )
    decided = attributing.proposals_decide(
        user=request.user,
        take=data["decision"] == "take",
        attributions=chosen if data["attribution"] else None,
        document=data["document"],
        within=within,
    )
    if data["attribution"] and not decided:
        return error_response(
            request, "These proposals were decided already, or deleted; reload the page.", status=409
        )
    word = "taken" if data["decision"] == "take" else "declined"
    if not request.htmx:
        messages.success(request, f"{decided} proposal{'' if decided == 1 else 's'} {word}.")
        return redirect(request.POST.get("next") or "/")
    if len(chosen) == 1:
        spans = _touched(chosen[0])
        response = _changed(request, spans[0], also=spans[1:])
    else:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # many sentences changed: the page is drawn again
    return trigger_client_event(response, ANNOTATIONS_CHANGED)


@require_POST
def document_propose(request, slug):
    """Ask the machine for attributions in one article: they appear as proposals."""
    document = get_object_or_404(Document.objects.only("pk", "slug", "text"), slug=slug)
    stored = attributing.proposals_store(document=document, proposals=propose(document.text), origin=ORIGIN)
    message = (
        f"{stored} attribution{'' if stored == 1 else 's'} proposed in “{document}”: take them (A) or "
        "decline them (X) one by one (next with J, back with K), or all at once."
        if stored
        else f"Nothing new to propose in “{document}”."
    )
    messages.info(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(request.POST.get("next") or document.get_absolute_url())


@require_GET
def speaker_detail(request, pk):
    """Every attribution to a speaker across all articles, grouped by outlet, with each outlet's cues."""
    speaker = get_object_or_404(Speaker, pk=pk)
    attributions = (
        Attribution.objects.taken()
        .filter(speaker=speaker)
        .select_related("document", "content", "cue", "source")
        .prefetch_related(Prefetch("content_more", queryset=Span.objects.order_by("start")))
        .defer("document__text")
        .order_by("document__outlet", "document__title", "content__start")
    )
    outlets = {}
    for attribution in attributions:
        outlet = attribution.document.outlet or "Unknown outlet"
        group = outlets.setdefault(outlet, {"outlet": outlet, "items": [], "cues": {}})
        group["items"].append(attribution)
        if attribution.cue is not None:
            cue = attribution.cue.exact.casefold()
            group["cues"][cue] = group["cues"].get(cue, 0) + 1
    for group in outlets.values():
        group["cues"] = sorted(group["cues"].items(), key=lambda pair: (-pair[1], pair[0]))
    mentions = speaker.annotations.select_related("span__document", "label").defer("span__document__text")
    context = {"speaker": speaker, "outlets": list(outlets.values()), "mentions": mentions[:200]}
    return render(request, "reader/speaker.html", context)
