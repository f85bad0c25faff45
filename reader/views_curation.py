"""Pages for curators outside the admin: agreement between annotators, the sample it is measured
on, and adjudication of where they differ."""

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reader import agreement, annotating
from reader import text as textlib
from reader.models import (
    AgreementSample,
    Annotation,
    Comparison,
    Label,
    Link,
    Relation,
    Status,
    user_is_curator,
)
from reader.responses import error_response

# How a page names an annotation or a link as it showed it: "pk.version.status".
SEEN = re.compile(r"(\d{1,18})\.(\d{1,9})\.(pending|accepted|rejected)")
PASSAGE = re.compile(r"(\d{1,18}):(\d{1,9})-(\d{1,9})")
USERNAME = re.compile(r"[\w.@+-]{1,150}")
MAX_UNITS = 2000  # agreed units one "accept all" may name


def _curators_only(request, what):
    if not user_is_curator(request.user):
        return error_response(request, f"Only curators {what}.", status=403)
    return None


def _comparison(slug):
    """The comparison and its two articles, their texts from the process's cache by digest (the
    passages need them; a long article is read from the database once per process and text)."""
    comparison = get_object_or_404(Comparison.objects.with_articles(), slug=slug)
    for document in (comparison.left, comparison.right):
        annotating.with_committed_text(document)
    return comparison


def _item(annotation):
    return agreement.Item(
        annotator=annotation.author.username,
        label=annotation.label.name,
        document=annotation.span.document_id,
        start=annotation.span.start,
        end=annotation.span.end,
        ref=annotation,
        quote=annotation.span.exact,
        speaker=annotation.speaker.name if annotation.speaker else "",
        cue=annotation.cue,
    )


def _link_item(link):
    return agreement.LinkItem(
        annotator=link.author.username,
        relation=link.relation,
        ends=(
            (link.source.document_id, link.source.start, link.source.end),
            (link.target.document_id, link.target.start, link.target.end),
        ),
        ref=link,
    )


def _annotations(comparison):
    # Every annotation counts, whatever its review status: agreement measures the annotators'
    # own work, before a curator's decision.
    return Annotation.objects.for_comparison(comparison).select_related("reviewed_by")


def _links(comparison):
    return Link.objects.for_comparison(comparison).select_related("source", "target")


def _passages(comparison):
    return {document.pk: textlib.paragraphs(document.text) for document in comparison.documents}


def _sample(comparison):
    rows = AgreementSample.objects.filter(comparison=comparison).values_list("document", "start", "end")
    sample = {}
    for document, start, end in rows:
        sample.setdefault(document, []).append((start, end))
    return sample or None


@dataclass
class Passage:
    document: object
    side: str
    number: int
    start: int
    end: int
    preview: str
    counted: bool = False
    units: list = field(default_factory=list)
    links: list = field(default_factory=list)

    @property
    def key(self):
        return f"p-{self.side}-{self.number}"

    @property
    def agreed_open(self):
        return [row for row in self.units + self.links if row.open and row.agreed]


def _passage_list(comparison, regions=None):
    """Every paragraph of both articles in reading order, marked counted when it shares a
    character with `regions`."""
    found = []
    for side, document in (("left", comparison.left), ("right", comparison.right)):
        for number, (start, end) in enumerate(textlib.paragraphs(document.text), 1):
            counted = regions is not None and agreement.inside((document.pk, start, end), regions)
            preview = " ".join(document.text[start:end].split())
            found.append(Passage(document, side, number, start, end, preview, counted))
    return found


def _numbers(numbers):
    """[1, 2, 3, 5] as "1–3, 5"."""
    runs = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _counted_summary(comparison, regions):
    """Per article: which paragraphs count, as "1–3, 5", and how many of how many."""
    summary = []
    for side, document in (("Left", comparison.left), ("Right", comparison.right)):
        passages = textlib.paragraphs(document.text)
        counted = [
            n for n, (s, e) in enumerate(passages, 1) if agreement.inside((document.pk, s, e), regions or {})
        ]
        summary.append(
            {"side": side, "numbers": _numbers(counted), "count": len(counted), "of": len(passages)}
        )
    return summary


# --- Agreement ----------------------------------------------------------------------------------


@require_GET
def comparison_agreement(request, slug):
    """Per pair of annotators and per label, how far they agree on the passages both read (or on
    the curator's sample), and the spans where they differ."""
    if denied := _curators_only(request, "see the agreement between annotators"):
        return denied
    comparison = _comparison(slug)
    items = [_item(a) for a in _annotations(comparison)]
    links = [_link_item(link) for link in _links(comparison)]
    labels = [
        name for name in Label.objects.values_list("name", flat=True) if any(i.label == name for i in items)
    ]
    sample = _sample(comparison)
    pairs = agreement.compare(
        items, labels=labels, passages=_passages(comparison), sample=sample, links=links
    )
    for pair in pairs:
        pair.summary = _counted_summary(comparison, pair.regions)
        pair.fields = [("Speaker", pair.speaker), ("Cue", pair.cue), ("Link relation", pair.relation)]
    context = {
        "comparison": comparison,
        "annotators": sorted({item.annotator for item in items} | {link.annotator for link in links}),
        "pairs": pairs,
        "sample": sample,
        "passages": _passage_list(comparison, sample),
    }
    return render(request, "reader/agreement.html", context)


@require_POST
def agreement_sample(request, slug):
    """Replace the sample agreement is measured on with the passages ticked (none: no sample)."""
    if denied := _curators_only(request, "choose the sample agreement is measured on"):
        return denied
    comparison = _comparison(slug)
    ranges = []
    if "clear" not in request.POST:
        for value in request.POST.getlist("passage")[:10000]:
            found = PASSAGE.fullmatch(value)
            if not found:
                return error_response(
                    request, f"Name a passage as document:start-end, not {value!r}.", status=400
                )
            ranges.append(tuple(int(n) for n in found.groups()))
    try:
        count = annotating.agreement_sample_set(comparison=comparison, ranges=ranges, curator=request.user)
    except annotating.AnnotatingError as error:
        return error_response(request, str(error), status=error.status)
    if count:
        messages.success(request, f"Agreement now counts only the {count} passages marked.")
    else:
        messages.success(request, "No sample: agreement counts the passages both annotators worked on.")
    return redirect(reverse("comparison_agreement", args=[comparison.slug]) + "#sample")


# --- Adjudication -------------------------------------------------------------------------------


@dataclass
class Row:
    """One unit as the adjudication page shows it."""

    unit: object
    is_link: bool = False
    final: object = None  # the accepted version, once decided

    @property
    def a(self):
        return self.unit.a.ref if self.unit.a else None

    @property
    def b(self):
        return self.unit.b.ref if self.unit.b else None

    @property
    def candidates(self):
        return [row for row in (self.a, self.b) if row is not None]

    @property
    def key(self):
        return f"{'l' if self.is_link else 'u'}-{self.a.pk if self.a else 0}-{self.b.pk if self.b else 0}"

    @property
    def differs(self):
        return self.unit.differs

    @property
    def agreed(self):
        return self.unit.agreed

    @property
    def open(self):
        return any(row.status == Status.PENDING for row in self.candidates)

    @property
    def seen_a(self):
        return _token(self.a)

    @property
    def seen_b(self):
        return _token(self.b)

    @property
    def agreed_unit(self):
        """How "accept agreed" names this unit: A's copy is kept, B's identical one its twin."""
        return f"{'link' if self.is_link else 'annotation'}:{self.seen_a},{self.seen_b}"


def _token(row):
    return f"{row.pk}.{row.version}.{row.status}" if row is not None else ""


def _pair_of(request, annotators):
    """The two annotators compared: ?a=…&b=… when both annotated, else the first two."""
    a = request.GET.get("a") or request.POST.get("pair_a", "")
    b = request.GET.get("b") or request.POST.get("pair_b", "")
    if a in annotators and b in annotators and a != b:
        return tuple(sorted((a, b)))
    return tuple(annotators[:2])


def _annotators(comparison):
    found = set(_annotations(comparison).values_list("author__username", flat=True))
    return sorted(found | set(_links(comparison).values_list("author__username", flat=True)))


def _adjudication(comparison, a, b):
    """The units of A's and B's work, with their final versions, grouped by passage."""
    annotations = list(_annotations(comparison))
    mine = [x for x in annotations if x.author.username in (a, b)]
    units = agreement.units(
        [_item(x) for x in mine if x.author.username == a], [_item(x) for x in mine if x.author.username == b]
    )
    links = [
        link for link in _links(comparison).select_related("reviewed_by") if link.author.username in (a, b)
    ]
    link_units = agreement.link_units(
        [_link_item(link) for link in links if link.author.username == a],
        [_link_item(link) for link in links if link.author.username == b],
    )
    # A version a curator wrote is accepted and authored by neither A nor B.
    written = [x for x in annotations if x.author.username not in (a, b) and x.status == Status.ACCEPTED]
    rows = [Row(unit, final=_final(unit, written)) for unit in units]
    rows += [Row(unit, is_link=True, final=_final_link(unit)) for unit in link_units]

    passages = _passage_list(comparison)
    starts = {}
    for index, passage in enumerate(passages):
        starts.setdefault(passage.document.pk, []).append((passage.start, index))
    for row in rows:
        if row.is_link:
            ends = row.unit.first.ends
            place = next((end for end in ends if end[0] == comparison.left_id), ends[0])
        else:
            place = row.unit.first.place
        document_starts = starts.get(place[0], [])
        at = bisect_right([s for s, _ in document_starts], place[1]) - 1
        passage = passages[document_starts[max(at, 0)][1]]
        (passage.links if row.is_link else passage.units).append(row)
    return [passage for passage in passages if passage.units or passage.links]


def _final(unit, written):
    for item in (unit.a, unit.b):
        if item and item.ref.status == Status.ACCEPTED:
            return item.ref
    if all(item.ref.status == Status.REJECTED for item in (unit.a, unit.b) if item):
        places = [item.place for item in (unit.a, unit.b) if item]
        for annotation in written:
            span = annotation.span
            if any(p[0] == span.document_id and p[1] < span.end and span.start < p[2] for p in places):
                return annotation
    return None


def _final_link(unit):
    for item in (unit.a, unit.b):
        if item and item.ref.status == Status.ACCEPTED:
            return item.ref
    return None


@require_GET
def comparison_adjudicate(request, slug):
    """A's and B's versions side by side, passage by passage, where they differ; the curator
    picks one, merges them or writes the final version, and accepts what they agree on."""
    if denied := _curators_only(request, "adjudicate"):
        return denied
    comparison = _comparison(slug)
    annotators = _annotators(comparison)
    pair = _pair_of(request, annotators)
    passages = _adjudication(comparison, *pair) if len(pair) == 2 else []
    rows = [row for passage in passages for row in passage.units + passage.links]
    context = {
        "comparison": comparison,
        "annotators": annotators,
        "pair": pair,
        "passages": passages,
        "labels": list(Label.objects.all()),
        "relations": Relation.choices,
        "counts": {
            "differ": sum(1 for row in rows if row.open and not row.agreed),
            "agreed": sum(1 for row in rows if row.open and row.agreed),
            "decided": sum(1 for row in rows if not row.open),
        },
    }
    return render(request, "reader/adjudicate.html", context)


def _seen(value, model):
    """The row as the page showed it (pk, version, status), unsaved; None when not given."""
    if not value:
        return None
    found = SEEN.fullmatch(value)
    if not found:
        raise annotating.AnnotatingError(f"Name a version as id.version.status, not {value!r}.")
    pk, version, status = found.groups()
    return model(pk=int(pk), version=int(version), status=status)


def _answer(request, comparison, pair, key, final=None, message=""):
    """htmx: the updated row (or passage); without JavaScript, back to it on the page."""
    if not request.htmx:
        if message:
            messages.success(request, message)
        query = urlencode({"a": pair[0], "b": pair[1]}) if len(pair) == 2 else ""
        return redirect(f"{reverse('comparison_adjudicate', args=[comparison.slug])}?{query}#{key}")
    passages = _adjudication(comparison, *pair) if key else []
    context = {"comparison": comparison, "pair": pair, "labels": list(Label.objects.all())}
    context["relations"] = Relation.choices
    for passage in passages:
        if passage.key == key:
            return render(request, "reader/adjudicate.html#passage", {**context, "passage": passage})
        for row in passage.units + passage.links:
            if row.key == key:
                if final is not None:
                    row.final = final
                template = "link-row" if row.is_link else "unit-row"
                return render(request, f"reader/adjudicate.html#{template}", {**context, "row": row})
    # The form named no row, or its row is no longer one unit (the annotations changed since):
    # the decision is saved, and the whole page shows where things stand.
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


def _errors(view):
    """Answer an adjudication's refusal with its status and message, writing nothing."""

    def wrapped(request, slug):
        try:
            return view(request, slug)
        except annotating.AnnotatingError as error:
            return error_response(request, str(error), status=error.status)
        except textlib.SelectionError as error:
            return error_response(request, str(error), status=error.status)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _key(request):
    key = request.POST.get("key", "")
    return key if re.fullmatch(r"[ul]-\d{1,18}-\d{1,18}|p-(left|right)-\d{1,6}", key) else ""


@require_POST
@_errors
def adjudicate_pick(request, slug):
    """Keep A's version, B's, or neither (`choice` = a, b or none)."""
    if denied := _curators_only(request, "adjudicate"):
        return denied
    comparison = _comparison(slug)
    model = Link if request.POST.get("kind") == "link" else Annotation
    a, b = _seen(request.POST.get("a"), model), _seen(request.POST.get("b"), model)
    choice = request.POST.get("choice")
    if choice not in ("a", "b", "none") or (choice == "a" and a is None) or (choice == "b" and b is None):
        return error_response(request, "Choose A's version, B's, or neither.", status=400)
    chosen = {"a": a, "b": b, "none": None}[choice]
    others = [row for row in (a, b) if row is not None and row is not chosen]
    annotating.adjudicate_pick(chosen=chosen, others=others, curator=request.user)
    pair = _pair_of(request, _annotators(comparison))
    what = "Neither version is kept." if chosen is None else f"{choice.upper()}'s version is the final one."
    return _answer(request, comparison, pair, _key(request), message=what)


class WriteForm(forms.Form):
    """The final version of one unit: each field taken from A, from B, or written."""

    FROM = [("a", "A"), ("b", "B"), ("other", "other")]
    boundaries = forms.ChoiceField(choices=FROM)
    start = forms.IntegerField(required=False, min_value=0, max_value=10**9)
    end = forms.IntegerField(required=False, min_value=0, max_value=10**9)
    label_from = forms.ChoiceField(choices=FROM)
    label = forms.CharField(required=False, max_length=60)
    speaker_from = forms.ChoiceField(choices=FROM)
    speaker = forms.CharField(required=False, max_length=200)
    cue_from = forms.ChoiceField(choices=FROM)
    cue = forms.CharField(required=False, max_length=100)
    note = forms.CharField(required=False, max_length=10000)


def _take(source, a, b, other):
    return {"a": a, "b": b}.get(source, other)


@require_POST
@_errors
def adjudicate_write(request, slug):
    """The final version merged from A's and B's, or written by the curator."""
    if denied := _curators_only(request, "adjudicate"):
        return denied
    comparison = _comparison(slug)
    seen = {side: _seen(request.POST.get(side), Annotation) for side in ("a", "b")}
    seen = {side: row for side, row in seen.items() if row is not None}
    if not seen:
        return error_response(request, "Name the versions the final one replaces.", status=400)
    form = WriteForm(request.POST)
    if not form.is_valid():
        messages_ = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return error_response(request, f"The final version is incomplete: {messages_}", status=400)
    data = form.cleaned_data
    now = {
        row.pk: row
        for row in Annotation.objects.filter(pk__in=[r.pk for r in seen.values()]).select_related(
            "span", "label", "speaker"
        )
    }
    if len(now) < len(seen):
        return error_response(
            request,
            "A version you are deciding on was deleted meanwhile; nothing was saved. Reload the page.",
            410,
        )
    a, b = (now.get(seen[side].pk) if side in seen else None for side in ("a", "b"))
    for side, chosen in (("boundaries", data["boundaries"]), ("label", data["label_from"])):
        if (chosen == "a" and a is None) or (chosen == "b" and b is None):
            return error_response(request, f"There is no version to take the {side} from.", status=400)
    for name in ("speaker_from", "cue_from"):
        if (data[name] == "a" and a is None) or (data[name] == "b" and b is None):
            return error_response(request, "There is no version to take that from.", status=400)

    if data["boundaries"] == "other":
        if data["start"] is None or data["end"] is None:
            return error_response(request, "Give the final version's start and end.", status=400)
        document = (a or b).span.document_id
        start, end = data["start"], data["end"]
    else:
        span = (a if data["boundaries"] == "a" else b).span
        document, start, end = span.document_id, span.start, span.end
    label_name = _take(data["label_from"], a and a.label.name, b and b.label.name, data["label"].strip())
    label = Label.objects.filter(name=label_name).first()
    if label is None:
        return error_response(request, f"There is no label “{label_name}”.", status=400)
    speaker = _take(
        data["speaker_from"],
        a and (a.speaker.name if a.speaker else ""),
        b and (b.speaker.name if b.speaker else ""),
        data["speaker"],
    )
    cue = _take(data["cue_from"], a and a.cue, b and b.cue, data["cue"])
    final = annotating.adjudicate_write(
        document=document,
        start=start,
        end=end,
        label=label,
        speaker_name=speaker or "",
        cue=cue or "",
        note=data["note"],
        replaces=list(seen.values()),
        curator=request.user,
    )
    pair = _pair_of(request, _annotators(comparison))
    return _answer(
        request, comparison, pair, _key(request), final=final, message="The final version is saved."
    )


@require_POST
@_errors
def adjudicate_link_write(request, slug):
    """The final link: the ends of A's or B's link, with the relation the curator chose."""
    if denied := _curators_only(request, "adjudicate"):
        return denied
    comparison = _comparison(slug)
    seen = {side: _seen(request.POST.get(side), Link) for side in ("a", "b")}
    ends = seen.get(request.POST.get("ends"))
    if ends is None:
        return error_response(request, "Take the ends of A's link or of B's.", status=400)
    final = annotating.adjudicate_link_write(
        ends_of=ends,
        relation=request.POST.get("relation", ""),
        replaces=[row for row in seen.values() if row is not None],
        curator=request.user,
    )
    pair = _pair_of(request, _annotators(comparison))
    return _answer(request, comparison, pair, _key(request), final=final, message="The final link is saved.")


@require_POST
@_errors
def adjudicate_agreed(request, slug):
    """Accept what A and B agree on: one unit, or every agreed unit of a passage. Each `unit` is
    "kind:kept,twin" in the id.version.status form; A's copy is kept, B's identical one rejected."""
    if denied := _curators_only(request, "adjudicate"):
        return denied
    comparison = _comparison(slug)
    units = []
    for value in request.POST.getlist("unit")[:MAX_UNITS]:
        kind, _, rest = value.partition(":")
        model = {"annotation": Annotation, "link": Link}.get(kind)
        parts = rest.split(",")
        if model is None or len(parts) != 2:
            return error_response(
                request, f"Name an agreed unit as kind:kept,twin, not {value!r}.", status=400
            )
        kept, twin = (_seen(part, model) for part in parts)
        if kept is None or twin is None:
            return error_response(request, "An agreed unit names two versions.", status=400)
        units.append((kept, [twin]))
    count = annotating.adjudicate_accept_agreed(units=units, curator=request.user)
    pair = _pair_of(request, _annotators(comparison))
    message = f"Accepted {count} agreed item{'' if count == 1 else 's'}."
    return _answer(request, comparison, pair, _key(request), message=message)


@require_POST
def comparison_blind(request, slug):
    """Curators make a comparison blind (annotators see only their own work) or open it for all."""
    if not user_is_curator(request.user):
        return error_response(
            request, "Only curators open a comparison for all or make it blind.", status=403
        )
    value = request.POST.get("blind", "")
    if value not in ("0", "1"):
        return error_response(
            request, "Say blind=1 (annotators see only their own work) or blind=0.", status=400
        )
    comparison = get_object_or_404(Comparison.objects.only("pk", "slug", "blind", "version"), slug=slug)
    blind = value == "1"
    if comparison.blind != blind:
        Comparison.objects.filter(pk=comparison.pk).update(
            blind=blind, version=F("version") + 1, modified=timezone.now()
        )
    messages.success(
        request,
        "Blind mode: annotators now see only their own work here."
        if blind
        else "Opened for all: everyone now sees everyone's work here.",
    )
    return redirect(comparison)
