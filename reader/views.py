import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from reader import annotating, charts, indexes, report, sidebar, visibility
from reader import text as textlib
from reader.context_processors import labels_css_url
from reader.forms import (
    AnnotationForm,
    ArticleForm,
    DeleteForm,
    LinkChangeForm,
    LinkForm,
    ReportForm,
    ReviewForm,
    SelectionForm,
    SidebarForm,
    form_errors,
)
from reader.highlights import Part, changed_units, columns_for, part_html, part_of
from reader.models import (
    Annotation,
    Attribution,
    Comparison,
    Document,
    Label,
    Link,
    Relation,
    Span,
    Speaker,
    Status,
    labels_by_id,
)
from reader.responses import error_response
from reader.snapshots import read_snapshot
from reader.suggest import suggest

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")
ANNOTATIONS_CHANGED = "annotations-changed"
OPEN_PANEL = "open-panel"
SIDEBAR_PAGE = 30  # annotations (and links) the sidebar shows at a time
MAX_CANDIDATES = 500  # highlights offered in the counterpart list that works without JavaScript
# "Show more" asks for the next page of one list: the element it replaces names the partial.
MORE_PARTIALS = {"more-annotations": "annotation-items", "more-links": "link-items"}


@require_GET
def home(request):
    return render(
        request,
        "reader/home.html",
        {
            "comparisons": Comparison.objects.with_articles(),
            "documents": Document.objects.defer("text"),
        },
    )


@require_GET
@read_snapshot()
def comparison_detail(request, slug):
    # The texts by digest, from the process's cache: two long articles were 4 MB read and decoded,
    # and hashed again for the caches keyed by text, at every view.
    comparison = get_object_or_404(Comparison.objects.with_articles(), slug=slug)
    for document in comparison.documents:
        annotating.with_committed_text(document)
    return _reader(request, comparison.documents, comparison=comparison)


@require_GET
@read_snapshot()
def document_detail(request, slug):
    """One article; for a long one `?from=N` shows its part from paragraph N (the paging that
    works without JavaScript: each part ends with a link to the next)."""
    document = annotating.with_committed_text(get_object_or_404(Document.objects.defer("text"), slug=slug))
    if "from" not in request.GET:
        return _reader(request, [document])
    part = _part(request, document)
    if isinstance(part, HttpResponse):
        return part
    return _reader(request, [document], part=part)


@require_GET
@read_snapshot()
def document_part(request, slug):
    """A part of a long text, paragraphs from `?from=N` (and on past offset `?through=M` when
    given), for the page to put in place of its placeholder as the reader scrolls."""
    document = annotating.with_committed_text(get_object_or_404(Document.objects.defer("text"), slug=slug))
    part = _part(request, document)
    if isinstance(part, HttpResponse):
        return part
    if not request.htmx:
        return redirect(f"{document.get_absolute_url()}?{urlencode({'from': part.first})}")
    labels = {label.pk: label for label in Label.objects.all()}
    only = visibility.only_author(request.user, [document])
    column = Column(document, part_html(document, part, labels=labels, author=only), part=part)
    return render(request, "reader/reader.html#text-part", {"column": column})


def _part(request, document):
    """The part `?from=` (and `?through=`) names, or a 400 saying what is wrong."""
    numbers = {}
    for name in ("from", "through"):
        value = request.GET.get(name)
        if value is None:
            continue
        # ASCII digits only: int() would also read " 3", "-3" and "٣" (an Arabic-Indic three).
        if not (value.isascii() and value.isdecimal() and len(value) < 10):
            return error_response(
                request, f"“{name}” is a whole number from 0, in digits: ?{name}=12.", status=400
            )
        numbers[name] = int(value)
    seen = request.GET.get("sha256")
    if seen is not None and seen != document.text_sha256:
        # Parts of another version of the text would not join onto the page's offsets.
        return error_response(
            request, "The text was edited since this page was loaded. Reload it to read on.", status=409
        )
    if "from" not in numbers:
        return error_response(request, "Say which paragraph the part starts at: ?from=12.", status=400)
    try:
        part = part_of(document, numbers["from"], numbers.get("through"))
    except ValueError as error:
        return error_response(request, str(error), status=400)
    if part is None:
        return error_response(
            request, "This text is short enough to be shown whole: it has no parts.", status=400
        )
    return part


@dataclass
class Column:
    document: Document
    html: str = ""
    proposals: int = 0  # undecided machine proposals in this article
    part: Part | None = None  # of a long text: the rest is loaded as the reader scrolls


class SidebarFilter:
    """The sidebar's filters and page (checked by SidebarForm), applied in the database."""

    fields = ("label", "speaker", "author", "status", "relation")

    def __init__(self, cleaned):
        self.values = {
            name: "" if cleaned.get(name) in (None, "") else str(cleaned[name]) for name in self.fields
        }
        self.page = cleaned.get("page") or 1

    def annotation_where(self, author=None):
        """The filters as SQL conditions on an annotation `a` and its author `u` (sidebar's
        statements), with their parameters; None when they leave no annotation. `author`: blind
        mode's one author whose work is shown, as visibility.annotations."""
        wanted = self.values
        if wanted["relation"]:  # a relation filter asks for links only
            return None
        conditions = [("a.author_id", author)] if author is not None else []
        conditions += [
            (column, int(wanted[name]) if name in ("label", "speaker") else wanted[name])
            for column, name in (
                ("a.label_id", "label"),
                ("a.speaker_id", "speaker"),
                ("u.username", "author"),
                ("a.status", "status"),
            )
            if wanted[name]
        ]
        return "".join(f" AND {column} = %s" for column, _ in conditions), [value for _, value in conditions]

    def link_where(self, author=None):
        """As annotation_where, for a link `k` and its author `u`."""
        wanted = self.values
        if wanted["label"] or wanted["speaker"]:  # links have neither
            return None
        conditions = [("k.author_id", author)] if author is not None else []
        conditions += [
            (column, wanted[name])
            for column, name in (("k.relation", "relation"), ("u.username", "author"), ("k.status", "status"))
            if wanted[name]
        ]
        return "".join(f" AND {column} = %s" for column, _ in conditions), [value for _, value in conditions]

    def query(self, **changes):
        return urlencode({k: v for k, v in {**self.values, **changes}.items() if v})

    @property
    def active(self):
        return any(self.values.values())


def _reader(request, documents, comparison=None, part=None):
    """The reader, or one of its fragments for htmx: the sidebar, or the next page of a list.

    A fixed number of queries whatever the number of annotations and links: the
    highlights come as plain rows, and the sidebar shows a page at a time."""
    form = SidebarForm(request.GET)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    filters = SidebarFilter(form.cleaned_data)
    target = request.htmx.target if request.htmx else None
    labels = list(labels_by_id().values())
    only = visibility.only_author(request.user, documents)
    ids = [document.pk for document in documents]
    annotations, more_annotations = sidebar.annotation_page(
        ids, filters.annotation_where(only), filters.page, SIDEBAR_PAGE
    )
    links, more_links = [], None
    if comparison:  # one article's page lists no links
        links, more_links = sidebar.link_page(ids, filters.link_where(only), filters.page, SIDEBAR_PAGE)
    panel_query = f"?comparison={comparison.slug}" if comparison else ""
    context = {
        "comparison": comparison,
        "documents": documents,
        "filters": filters,
        "annotation_items": sidebar.annotation_items(
            annotations, documents=documents, panel_query=panel_query
        ),
        "more_annotations": more_annotations and filters.query(page=more_annotations),
        "link_items": sidebar.link_items(links, panel_query=panel_query),
        "more_links": more_links and filters.query(page=more_links),
        "labels": labels,
        "labels_css_url": labels_css_url(labels),
        "panel_query": panel_query,
        "blind": only is not None,
    }
    if target in MORE_PARTIALS:
        return render(request, f"reader/reader.html#{MORE_PARTIALS[target]}", context)
    link_rows, annotators, speakers = sidebar.choices(ids, only)
    context.update(
        link_json=json.dumps(
            [
                {"id": pk, "source": source, "target": target, "relation": relation}
                for pk, source, target, relation in link_rows
            ]
        ),
        link_count=len(link_rows),
        statuses=Status.choices,
        relations=Relation.choices,
        annotators=sorted(set(annotators) | {author for *_, author, _ in links}),
        speakers=speakers,
    )
    template_name = "reader/reader.html"
    if target == "sidebar":
        template_name += "#sidebar"
        context["count"] = sidebar.count(ids, only)
    else:
        html, context["count"], proposals = columns_for(
            documents,
            labels={label.pk: label for label in labels},
            linked_ids={span_id for _, source, end, _ in link_rows for span_id in (source, end)},
            author=only,
        )
        context["columns"] = [
            Column(document, html[document.pk], proposals.get(document.pk, 0), part or part_of(document))
            for document in documents
        ]
        if part is not None:  # one article, from a later part on
            (column,) = context["columns"]
            column.html = part_html(
                column.document, part, labels={label.pk: label for label in labels}, author=only
            )
    if filters.active:
        # "19 of 126", and which highlights the filter keeps, so the text can dim the others.
        spans, ends = sidebar.matching(ids, filters.annotation_where(only), filters.link_where(only))
        context["shown"] = len(spans)
        context["shown_links"] = len(ends)
        kept = {*spans, *(span for pair in ends for span in pair)}
        context["kept_spans"] = " ".join(map(str, sorted(kept)))
    if "columns" in context:
        return _with_columns(request, template_name, context)
    return render(request, template_name, context)


def _with_columns(request, template_name, context):
    """The page rendered with a marker for each column's text, the texts put in its place after:
    a text of thousands of highlights, passed through the template's nested blocks, loops and
    partials, was copied again at every level (a tenth of the page's time, and more the longer
    the text). The markers carry a random token, so nothing in a text or a title can match one."""
    token = secrets.token_hex(8)
    texts = []
    for index, column in enumerate(context["columns"]):
        texts.append((f"<!--{token}:{index}-->", column.html))
        column.html = mark_safe(texts[-1][0])
    rest = render_to_string(template_name, context, request)
    chunks = []
    for marker, html in texts:
        before, rest = rest.split(marker, 1)
        chunks += [before, html]
    return HttpResponse(b"".join(chunk.encode() for chunk in [*chunks, rest]))


def _report_filters(request, slug):
    """The comparison and what its report is limited to (status, annotator: one's own work in blind
    mode), with the filter form; the filters are None when the form is not valid."""
    comparison = get_object_or_404(Comparison.objects.with_articles(), slug=slug)
    form = ReportForm(request.GET)
    if not form.is_valid():
        return comparison, form, None
    data = form.cleaned_data
    annotator = data["annotator"] or None
    if visibility.only_author(request.user, [comparison.left_id, comparison.right_id]) is not None:
        annotator = request.user.get_username()  # blind mode: one's own work only
    return comparison, form, {"status": data["status"] or None, "annotator": annotator}


# A report is built and rendered once per state of its comparison's work: cached under
# report.fingerprint (read from the database, so a write through any server changes it) and its
# filters, which name the annotator blind mode limits a reader to.
REPORT_CACHE_SECONDS = 600


def _cached_report(kind, comparison, filters, annotators, make):
    """`make()`'s answer (a string), cached for this state of the comparison's work and these filters
    (the view reads both in one snapshot: read_snapshot)."""
    digest = report.fingerprint(comparison, **filters, usernames=annotators)
    key = f"report-{kind}:{comparison.pk}:{digest}"
    found = cache.get(key)
    if found is None:
        found = make()
        cache.set(key, found, REPORT_CACHE_SECONDS)
    return found


def _report_body(comparison, filters):
    """The report's sections, rendered: all of the page but its head (links, filter form)."""
    built = report.build(comparison, **filters)
    # As the table heads say, and told apart by their first words where neither names an outlet.
    labels = [
        document["outlet"] or f"Unknown outlet (“{Truncator(document['title']).words(4)}”)"
        for document in built["documents"]
    ]
    chart = charts.grouped_bars(
        [(row["lemma"], row["counts"]) for row in built["reporting"]["verbs"]],
        labels,
        title="Reporting verbs (cue lemmas) per outlet",
    )
    return render_to_string("reader/report.html#body", {"report": built, "verbs_chart": chart})


@require_GET
@read_snapshot()
def comparison_report(request, slug):
    comparison, form, filters = _report_filters(request, slug)
    if filters is None:
        return error_response(request, form_errors(form), status=400)
    annotators = report.annotators(comparison)
    body = _cached_report("page", comparison, filters, annotators, lambda: _report_body(comparison, filters))
    context = {
        "comparison": comparison,
        "documents": report.documents(comparison),
        "filters": filters,
        "body": mark_safe(body),  # noqa: S308 - rendered by the template, which escapes
        "form": form,
        "annotators": annotators,
        "query": urlencode({k: v for k, v in form.cleaned_data.items() if v}),
    }
    return render(request, "reader/report.html", context)


@require_GET
@read_snapshot()
def comparison_report_json(request, slug):
    comparison, form, filters = _report_filters(request, slug)
    if filters is None:
        return error_response(request, form_errors(form), status=400)
    body = _cached_report(
        "json",
        comparison,
        filters,
        report.annotators(comparison),
        lambda: json.dumps(
            report.build(comparison, **filters), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
        ),
    )
    return HttpResponse(body, content_type="application/json")


@require_http_methods(["GET", "POST"])
def comparison_new(request):
    forms = [
        ArticleForm(request.POST or None, request.FILES or None, prefix=side) for side in ("left", "right")
    ]
    if request.method == "POST":
        if all([form.is_valid() for form in forms]):
            try:
                made = annotating.comparison_create(
                    left=forms[0].document_fields(),
                    right=forms[1].document_fields(),
                    created_by=request.user,
                )
            except annotating.AnnotatingError as error:
                return error_response(request, str(error), status=error.status)
            if not made.created:
                messages.info(
                    request, "These two articles are already compared here: this is that comparison."
                )
            for document in made.reused if made.created else ():
                messages.info(
                    request, f"“{document.title}” was already here with the same text: it is used as it is."
                )
            return redirect(made.comparison)
        status = 400
    else:
        status = 200
    return render(request, "reader/comparison_new.html", {"forms": forms}, status=status)


@require_POST
def annotation_create(request):
    labels = labels_by_id()
    form = SelectionForm(request.POST, labels=labels)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    data = form.cleaned_data
    try:
        annotation = annotating.annotation_create(
            document=data["document"],
            start=data["start"],
            end=data["end"],
            exact=data["exact"],
            label=data["label"],
            author=request.user,
            seen_sha256=data["text_sha256"] or None,
        )
    except (textlib.SelectionError, annotating.AnnotatingError) as error:
        return error_response(request, str(error), status=error.status)
    if not request.htmx:
        return _back(request, annotation)
    # Tagging is the hot path: answer with the changed sentences only, and let the
    # page open the new annotation in the panel with a request of its own.
    span = annotation.span
    panel_url = annotation.get_absolute_url() + _comparison_query(request)
    only = visibility.only_author(request.user, [span.document_id])
    units = changed_units(span.document, span.start, span.end, author=only, labels=labels)
    if units is None:
        return HttpResponseClientRefresh()  # its text was edited meanwhile: the page shows the old one
    response = HttpResponse("".join(units))
    trigger_client_event(response, ANNOTATIONS_CHANGED)
    return trigger_client_event(response, OPEN_PANEL, {"url": panel_url, "span": span.pk})


def _comparison_query(request):
    slug = request.POST.get("comparison") or request.GET.get("comparison")
    return f"?{urlencode({'comparison': slug})}" if slug else ""


def _back(request, obj):
    """Without JavaScript, back to `obj`'s page, keeping the comparison it was opened from (its
    link form, suggestions and candidate list need it)."""
    return redirect(obj.get_absolute_url() + _comparison_query(request))


def _gone(request, what):
    return error_response(
        request,
        f"This {what} was deleted by someone else meanwhile; nothing was saved. Reload the page.",
        status=410,
    )


@require_GET
def span_panel(request):
    """The annotations of the spans under a click (several when highlights overlap)."""
    values = request.GET.getlist("span")[:20]
    ids = [int(value) for value in values if value.isascii() and value.isdecimal() and len(value) < 19]
    if not values or len(ids) < len(values):
        return error_response(request, "Name the highlights by their numbers: ?span=12&span=13.", status=400)
    spans = _panel_spans(Span.objects.filter(pk__in=ids))
    if not spans:
        return error_response(request, "These highlights no longer exist; reload the page.", status=404)
    # In the order asked: the page names the innermost highlight under the pointer first.
    spans.sort(key=lambda span: ids.index(span.pk))
    first = spans[0]
    for span in spans[1:]:
        span.relation_to_first = (
            "around" if span.start <= first.start and first.end <= span.end else "overlapping"
        )
    return _panel(request, spans)


@require_http_methods(["GET", "POST"])
def annotation_detail(request, pk):
    if request.method == "GET":
        annotation = get_object_or_404(Annotation.objects.only("span_id"), pk=pk)
        return _panel(request, _panel_spans(Span.objects.filter(pk=annotation.span_id)), focus=annotation)
    form = AnnotationForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    data = form.cleaned_data
    try:
        annotation = annotating.annotation_update(
            annotation=Annotation(pk=pk),
            user=request.user,
            label=data["label"],
            speaker_name=data["speaker_name"],
            cue=data["cue"],
            note=data["note"],
            version=data["version"],
            seen=form.seen(),
        )
    except annotating.Stale as stale:
        return _conflict(request, stale, form.changes())
    except annotating.AnnotatingError as error:
        return error_response(request, str(error), status=error.status)
    if not request.htmx:
        messages.success(request, "Saved.")
        return _back(request, annotation)
    return _changed(request, annotation.span, focus=annotation)


def _conflict(request, stale, mine):
    """409: the panel again, showing what changed since the form was opened, with the form
    holding the row as it is now and this person's own changes applied on top."""
    current = stale.current
    span_id = current.span_id if isinstance(current, Annotation) else current.source_id
    spans = _panel_spans(Span.objects.filter(pk=span_id))
    conflict = {
        "pk": current.pk,
        "kind": type(current).__name__.lower(),
        "changed": stale.changed,
        "mine": mine,
    }
    if isinstance(current, Link):
        return _link_panel(
            request, Link.objects.with_related().get(pk=current.pk), conflict=conflict, status=409
        )
    return _panel(request, spans, focus=current, conflict=conflict, status=409)


@require_POST
def annotation_delete(request, pk):
    form = DeleteForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    annotation = (
        Annotation.objects.select_related("span__document")
        .defer("span__document__text")
        .filter(pk=pk)
        .first()
    )
    if annotation is None:
        return _gone(request, "annotation")
    span = annotation.span
    try:
        annotating.annotation_delete(
            annotation=annotation, user=request.user, version=form.cleaned_data["version"]
        )
    except annotating.Stale as stale:
        return _conflict(request, stale, {})
    except annotating.AnnotatingError as error:
        return error_response(request, str(error), status=error.status)
    if not request.htmx:
        messages.success(request, "Deleted.")
        comparison = _comparison_from(request)
        return redirect(comparison or span.document)
    return _changed(request, span)


@require_POST
def annotation_review(request, pk):
    """Accept, reject or reset an annotation from the reader's panel (curators only)."""
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    status = form.cleaned_data["status"]
    try:
        reviewed = annotating.review(
            items=Annotation.objects.filter(pk=pk), status=status, reviewer=request.user
        )
    except annotating.AnnotatingError as error:
        return error_response(request, str(error), status=error.status)
    if not reviewed:
        return _gone(request, "annotation")
    annotation = Annotation.objects.select_related("span__document").defer("span__document__text").get(pk=pk)
    if not request.htmx:
        messages.success(request, f"Marked {status}.")
        return _back(request, annotation)
    return _changed(request, annotation.span, focus=annotation)


def _panel_spans(spans, author=None):
    """The spans, each with the annotations the viewer may see (`author`: only theirs, in blind mode)."""
    return list(
        # The text is taken by its digest when needed (annotating.with_committed_text).
        spans.select_related("document")
        .defer("document__text")
        .prefetch_related(
            Prefetch(
                "annotations",
                queryset=visibility.annotations(Annotation.objects.with_related(), author).order_by(
                    "label__position", "id"
                ),
            )
        )
    )


def _comparison_from(request):
    """The comparison a panel belongs to: it decides which article holds the counterparts."""
    slug = request.POST.get("comparison") or request.GET.get("comparison")
    if not slug or not SLUG.fullmatch(slug):
        return None
    return Comparison.objects.with_articles().filter(slug=slug).first()


def _panel_context(request, spans, focus=None, comparison=None, conflict=None):
    only = visibility.only_author(request.user, {span.document_id for span in spans})
    if only is not None:  # blind mode: the prefetched annotations are everyone's; keep the viewer's
        spans = _panel_spans(Span.objects.filter(pk__in=[span.pk for span in spans]), only)
    links = list(visibility.links(Link.objects.touching([span.pk for span in spans]), only).with_related())
    labels = list(Label.objects.all())
    attributions = _attributions_of(spans, request.user, conflict, only)
    for span in spans:
        for annotation in span.annotations.all():
            annotation.editable = annotation.can_change(request.user)
            annotation.form = _annotation_form_values(annotation, labels, conflict)
        span.link_list = [link for link in links if span.pk in (link.source_id, link.target_id)]
        for link in span.link_list:
            link.editable = link.can_change(request.user)
            link.other = link.other_end(span.pk)
        span.other_document = comparison.other(span.document) if comparison else None
        if span.other_document:
            other = annotating.with_committed_text(span.other_document)
            span.candidates = _candidates(other, only)
            # Hundreds of options: joined here, not in a template loop (a third of the panel's time).
            span.candidate_options = format_html_join(
                "", '<option value="{}">{}</option>', ((c.pk, c.choice) for c in span.candidates)
            )
            span.suggestions = suggest(
                span.exact,
                text=other.text,
                language=other.language,
                index=indexes.index_for(other),
                highlights=[(c.pk, c.start, c.end) for c in span.candidates],
                headings=other.heading_ranges,
            )
        first = next(iter(span.annotations.all()), None)
        span.default_label_id = first.label_id if first else None
        span.attribution_list = [a for a in attributions if span.pk in a.span_ids]
        for attribution in span.attribution_list:
            if attribution.is_proposal:  # "take all in this paragraph" needs its bounds
                attribution.paragraph = next(
                    (
                        p
                        for p in textlib.paragraphs(annotating.with_committed_text(span.document).text)
                        if p[0] <= attribution.content.start < p[1]
                    ),
                    None,
                )
        span.is_attributed = any(a.content_id == span.pk for a in span.attribution_list)
    return {
        "spans": spans,
        "focus": focus,
        "comparison": comparison,
        "conflict": conflict,
        "labels": labels,
        "relations": Relation.choices,
        "speaker_names": _speaker_names(),
    }


def _attributions_of(spans, user, conflict=None, only=None):
    """The attributions (and undecided proposals) each span plays a part in, ready for the panel."""
    ids = [span.pk for span in spans]
    found = list(
        visibility.attributions(Attribution.objects.shown(), only)
        .filter(Q(content__in=ids) | Q(cue__in=ids) | Q(source__in=ids) | Q(content_more__in=ids))
        .with_spans()
        .distinct()
        .order_by("content__start", "pk")
    )
    for attribution in found:
        more = list(attribution.content_more.all())
        attribution.pieces = more
        attribution.span_ids = {
            attribution.content_id,
            attribution.cue_id,
            attribution.source_id,
            *(p.pk for p in more),
        }
        attribution.editable = attribution.can_change(user)
        values = {
            "kind": attribution.kind,
            "speaker_name": attribution.speaker.name if attribution.speaker else "",
            "note": attribution.note,
        }
        attribution.form = {"values": dict(values), "seen": values}
        if conflict and conflict["kind"] == "attribution" and conflict["pk"] == attribution.pk:
            attribution.form["values"].update(conflict["mine"])
            attribution.conflict = [
                {
                    "field": name.replace("_name", ""),
                    "then": then,
                    "now": now,
                    "mine": conflict["mine"].get(name),
                }
                for name, (then, now) in conflict["changed"].items()
            ]
    return found


def _candidates(document, only=None):
    """The other article's highlights for the list that works without JavaScript, each told
    apart by its label and the words around it ("Rouhani" three times is no choice)."""
    first_label = visibility.annotations(Annotation.objects.filter(span=OuterRef("pk")), only).order_by(
        "label__position", "pk"
    )
    spans = Span.objects.filter(document=document, orphaned=False)
    if only is not None:
        spans = spans.filter(Exists(first_label))
    candidates = list(
        spans.order_by("start", "-end")
        .only("start", "end", "exact", "prefix", "suffix")
        .annotate(label_name=Subquery(first_label.values("label__name")[:1]))[:MAX_CANDIDATES]
    )
    for candidate in candidates:
        before = " ".join(candidate.prefix.split()[-4:])
        after = " ".join(candidate.suffix.split()[:4])
        words = candidate.exact if len(candidate.exact) <= 70 else candidate.exact[:67] + "…"
        candidate.choice = f"{candidate.label_name or 'linked'} · …{before} [{words}] {after}…"
    return candidates


def _annotation_form_values(annotation, labels, conflict):
    """What the edit form shows: the annotation as it is, and after a refused save (409) the
    saver's own changes applied on top, so one more Save re-applies them knowingly."""
    values = {
        "label": annotation.label_id,
        "speaker_name": annotation.speaker.name if annotation.speaker else "",
        "cue": annotation.cue,
        "note": annotation.note,
    }
    if not annotation.speaker and annotation.label.kind == Label.Kind.SPEAKER:
        values["speaker_name"] = annotation.span.exact[:200]
    # `seen` is the annotation as stored: what the next save is checked against.
    seen = {**values, "label": annotation.label.name}
    if not annotation.speaker:
        seen["speaker_name"] = ""
    if conflict and conflict["kind"] == "annotation" and conflict["pk"] == annotation.pk:
        mine = dict(conflict["mine"])
        if "label" in mine:
            mine["label"] = next(
                (label.pk for label in labels if label.name == mine["label"]), values["label"]
            )
        values.update(mine)
        annotation.conflict = [
            {
                "field": name.replace("_name", "").replace("_", " "),
                "then": then,
                "now": now,
                "mine": conflict["mine"].get(name),
            }
            for name, (then, now) in conflict["changed"].items()
        ]
    return {"values": values, "seen": seen}


def _speaker_names():
    return sorted({name for speaker in Speaker.objects.all() for name in speaker.names})


def _panel(request, spans, focus=None, conflict=None, status=200):
    template_name = "reader/panel.html"
    if request.htmx:
        template_name += "#panel"
    context = _panel_context(request, spans, focus, _comparison_from(request), conflict)
    return render(request, template_name, context, status=status)


def _changed(request, span, focus=None, also=()):
    """After a write: the panel, the touched sentences out of band, and a nudge to the sidebar.

    The spans' documents are read without their texts, which come by digest from
    annotating.committed_text; when a text edit committed since then, changed_units renders
    nothing and the page is told to load again (the sentences and the spans over them always
    belong to one text; the page's own would no longer match the stored one)."""
    if not request.htmx:
        return _back(request, focus or span.document)
    still_there = _panel_spans(Span.objects.filter(pk=span.pk))
    comparison = _comparison_from(request)
    context = _panel_context(request, still_there, focus, comparison)
    only = visibility.only_author(request.user, [span.document_id])
    changed = (span, *also)
    # Documents loaded already (the spans', the panel's, the comparison's), the others read
    # without their texts.
    loaded = [s.document for s in (*changed, *still_there) if Span.document.is_cached(s)]
    documents = {d.pk: d for d in (*loaded, *(comparison.documents if comparison else ()))}
    missing = {s.document_id for s in changed} - documents.keys()
    if missing:
        documents.update(Document.objects.only("slug", "text_sha256", "language").in_bulk(missing))
    units = [
        changed_units(annotating.with_committed_text(documents[s.document_id]), s.start, s.end, author=only)
        for s in changed
    ]
    if None in units:
        return HttpResponseClientRefresh()  # a text was edited meanwhile: the page shows the old one
    context["units"] = [unit for some in units for unit in some]
    response = render(request, "reader/panel.html#changed", context)
    return trigger_client_event(response, ANNOTATIONS_CHANGED)


@require_POST
def link_create(request):
    form = LinkForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    data = form.cleaned_data
    try:
        if data["target"]:
            link = annotating.link_create(
                source=data["source"],
                target=data["target"],
                relation=data["relation"],
                note=data["note"],
                author=request.user,
            )
        else:
            link = annotating.link_to_selection(
                source=data["source"],
                document=data["target_document"],
                start=data["target_start"],
                end=data["target_end"],
                exact=data["target_exact"],
                label=data["label"] or _first_label(data["source"]),
                relation=data["relation"],
                note=data["note"],
                author=request.user,
                seen_sha256=data["target_sha256"] or None,
            )
    except (annotating.AnnotatingError, textlib.SelectionError) as error:
        return error_response(request, str(error), status=error.status)
    if not request.htmx:
        messages.success(request, "Linked.")
        return _back(request, link)
    link = Link.objects.select_related("source", "target").get(pk=link.pk)
    return _changed(request, link.source, also=[link.target])


def _first_label(span_id):
    """New text takes its source's label unless the reader picked another (None if it has none)."""
    first = (
        Annotation.objects.filter(span=span_id).select_related("label").order_by("label__position").first()
    )
    return first.label if first else None


@require_http_methods(["GET", "POST"])
def link_detail(request, pk):
    if request.method == "GET":
        return _link_panel(request, get_object_or_404(Link.objects.with_related(), pk=pk))
    form = LinkChangeForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    data = form.cleaned_data
    try:
        annotating.link_update(
            link=Link(pk=pk),
            user=request.user,
            relation=data["relation"],
            note=data["note"],
            version=data["version"],
            seen=form.seen(),
        )
    except annotating.Stale as stale:
        return _conflict(request, stale, form.changes())
    except annotating.AnnotatingError as error:
        return error_response(request, str(error), status=error.status)
    link = Link.objects.with_related().get(pk=pk)
    if not request.htmx:
        messages.success(request, "Saved.")
        return _back(request, link)
    return trigger_client_event(_link_panel(request, link), ANNOTATIONS_CHANGED)


def _link_panel(request, link, conflict=None, status=200):
    template_name = "reader/link.html"
    if request.htmx:
        template_name += "#link-panel"
    link.editable = link.can_change(request.user)
    values = {"relation": link.relation, "note": link.note}
    seen = dict(values)
    if conflict:
        values.update(conflict["mine"])
        link.conflict = [
            {"field": name, "then": then, "now": now, "mine": conflict["mine"].get(name)}
            for name, (then, now) in conflict["changed"].items()
        ]
    context = {
        "link": link,
        "form": {"values": values, "seen": seen},
        "diff": textlib.word_diff(link.source.exact, link.target.exact),
        "relations": Relation.choices,
        "comparison": _comparison_from(request),
    }
    return render(request, template_name, context, status=status)


@require_POST
def link_review(request, pk):
    """Accept, reject or reset a link from its panel (curators only)."""
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    status = form.cleaned_data["status"]
    try:
        reviewed = annotating.review(items=Link.objects.filter(pk=pk), status=status, reviewer=request.user)
    except annotating.AnnotatingError as error:
        return error_response(request, str(error), status=error.status)
    if not reviewed:
        return _gone(request, "link")
    link = Link.objects.with_related().get(pk=pk)
    if not request.htmx:
        messages.success(request, f"Marked {status}.")
        return _back(request, link)
    return trigger_client_event(_link_panel(request, link), ANNOTATIONS_CHANGED)


@require_POST
def link_delete(request, pk):
    form = DeleteForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_errors(form), status=400)
    link = Link.objects.with_related().filter(pk=pk).first()
    if link is None:
        return _gone(request, "link")
    source, target = link.source, link.target
    try:
        annotating.link_delete(link=link, user=request.user, version=form.cleaned_data["version"])
    except annotating.Stale as stale:
        return _conflict(request, stale, {})
    except annotating.AnnotatingError as error:
        return error_response(request, str(error), status=error.status)
    if not request.htmx:
        messages.success(request, "Link deleted.")
        return redirect(_comparison_from(request) or source.document)
    return _changed(request, source, also=[target])


@require_GET
def labels_css(request):
    """Label colours as CSS, since the Content Security Policy forbids inline styles."""
    rules = [f".lab-{label.pk}{{--hl:{label.colour}}}" for label in Label.objects.only("pk", "colour")]
    css = "\n".join(rules) + "\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
