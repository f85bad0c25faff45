"""The comparison report: the close reading at a glance.

One function builds plain data (dicts, lists, strings, numbers) from three
queries, whatever the number of annotations and links; the page and the
JSON answer both render it.
"""

from collections import Counter, defaultdict
from types import SimpleNamespace

from reader.cues import cue_lemma
from reader.models import Annotation, Attribution, Label, Link, Relation


def _span(span, annotations_by_span, slugs, attributions_by_span=None):
    annotations = annotations_by_span.get(span.pk, [])
    attributed = (attributions_by_span or {}).get(span.pk, [])
    speakers = {a.speaker.name for a in annotations if a.speaker and a.label.attributable}
    speakers |= {a.speaker for a in attributed if a.speaker}
    cues = {a.cue for a in annotations if a.cue} | {a.cue for a in attributed if a.cue}
    return {
        "document": slugs[span.document_id],
        "start": span.start,
        "end": span.end,
        "exact": span.exact,
        "labels": sorted({a.label.name for a in annotations}),
        "speakers": sorted(speakers),
        "cues": sorted(cues),
    }


def _filtered(queryset, *, status, annotator, author="author__username"):
    if status:
        queryset = queryset.filter(status=status)
    if annotator:
        queryset = queryset.filter(**{author: annotator})
    return queryset


def _attributions(comparison, *, status=None, annotator=None):
    """The comparison's attributions as work (person-made, or proposals a person took), as light
    objects: one query of plain rows."""
    rows = _filtered(
        Attribution.objects.taken().filter(document__in=[comparison.left_id, comparison.right_id]),
        status=status,
        annotator=annotator,
    ).order_by("document", "content__start", "pk")
    return [
        SimpleNamespace(
            document_id=document_id,
            content_id=content_id,
            exact=exact,
            cue=cue or "",
            lemma=cue_lemma(cue or ""),
            kind=kind,
            speaker=speaker,
            speaker_kind=speaker_kind,
            status=row_status,
        )
        for document_id, content_id, exact, cue, kind, speaker, speaker_kind, row_status in rows.values_list(
            "document_id",
            "content_id",
            "content__exact",
            "cue__exact",
            "kind",
            "speaker__name",
            "speaker__kind",
            "status",
        )
    ]


def _annotations(comparison, *, status=None, annotator=None):
    """The comparison's annotations as light objects with the attributes the report reads.

    Plain rows, not model instances: thousands of annotations each joined to a span,
    a label, a user and a speaker made building them the report's main cost."""
    labels = {label.pk: label for label in Label.objects.all()}
    spans = {}
    result = []
    rows = (
        _filtered(
            Annotation.objects.filter(span__document__in=[comparison.left_id, comparison.right_id]),
            status=status,
            annotator=annotator,
        )
        .order_by("span__document", "span__start", "-span__end", "label__position", "id")
        .values_list(
            "span_id",
            "span__document_id",
            "span__start",
            "span__end",
            "span__exact",
            "label_id",
            "author__username",
            "speaker__name",
            "cue",
            "status",
        )
    )
    for span_id, document_id, start, end, exact, label_id, username, speaker, cue, status in rows:
        span = spans.get(span_id)
        if span is None:
            span = spans[span_id] = SimpleNamespace(
                pk=span_id, document_id=document_id, start=start, end=end, exact=exact
            )
        result.append(
            SimpleNamespace(
                span_id=span_id,
                span=span,
                label=labels[label_id],
                author=SimpleNamespace(username=username),
                speaker=SimpleNamespace(name=speaker) if speaker else None,
                cue=cue,
                status=status,
            )
        )
    return result


def build(comparison, *, status=None, annotator=None) -> dict:
    """The report, of all the work or only accepted work (`status`), or one annotator's."""
    documents = [comparison.left, comparison.right]
    slugs = [d.slug for d in documents]
    slug_of = {d.pk: d.slug for d in documents}
    annotations = _annotations(comparison, status=status, annotator=annotator)
    attributions = _attributions(comparison, status=status, annotator=annotator)
    links = list(
        _filtered(Link.objects.for_comparison(comparison), status=status, annotator=annotator).defer(
            "source__document__text", "target__document__text"
        )
    )

    annotations_by_span = defaultdict(list)
    for annotation in annotations:
        annotations_by_span[annotation.span_id].append(annotation)
    attributions_by_span = defaultdict(list)
    for attribution in attributions:
        attributions_by_span[attribution.content_id].append(attribution)

    # Links that join the two articles of this comparison (not a third one).
    ids = {comparison.left_id, comparison.right_id}
    crossing = [link for link in links if {link.source.document_id, link.target.document_id} == ids]
    linked_spans = {span_id for link in crossing for span_id in (link.source_id, link.target_id)}

    def link_entry(link):
        # Always left article first, so the two columns of the report line up.
        first, second = (
            (link.source, link.target)
            if link.source.document_id == comparison.left_id
            else (link.target, link.source)
        )
        return {
            "id": link.pk,
            "relation": link.relation,
            "note": link.note,
            "author": link.author.username,
            "status": link.status,
            "left": _span(first, annotations_by_span, slug_of, attributions_by_span),
            "right": _span(second, annotations_by_span, slug_of, attributions_by_span),
        }

    # Speakers × articles: what each speaker is reported as saying, with the cue each outlet
    # used: attributions, and attributed quotes and claims whose words have no attribution.
    speakers = {}
    for attribution in attributions:
        if not attribution.speaker:
            continue
        entry = speakers.setdefault(
            attribution.speaker,
            {"speaker": attribution.speaker, "articles": {slug: [] for slug in slugs}},
        )
        entry["articles"][slug_of[attribution.document_id]].append(
            {
                "label": f"{attribution.kind} speech",
                "kind": "attribution",
                "exact": attribution.exact,
                "cue": attribution.cue,
                "status": attribution.status,
                "linked": attribution.content_id in linked_spans,
            }
        )
    for annotation in annotations:
        if not (annotation.speaker and annotation.label.attributable):
            continue
        if annotation.span_id in attributions_by_span:
            continue  # its attribution is listed
        entry = speakers.setdefault(
            annotation.speaker.name,
            {"speaker": annotation.speaker.name, "articles": {slug: [] for slug in slugs}},
        )
        entry["articles"][slug_of[annotation.span.document_id]].append(
            {
                "label": annotation.label.name,
                "kind": annotation.label.kind,
                "exact": annotation.span.exact,
                "cue": annotation.cue,
                "status": annotation.status,
                "linked": annotation.span_id in linked_spans,
            }
        )
    by_speaker = sorted(
        speakers.values(), key=lambda s: (-sum(len(v) for v in s["articles"].values()), s["speaker"])
    )
    for entry in by_speaker:
        entry["articles"] = [{"document": slug, "items": entry["articles"][slug]} for slug in slugs]

    # Claims (and quotes) no link joins to the other article: what each outlet left out.
    only_in = {slug: {"claims": [], "quotes": []} for slug in slugs}
    seen = set()
    for annotation in annotations:
        kind = annotation.label.kind
        if kind not in (Label.Kind.CLAIM, Label.Kind.QUOTE) or annotation.span_id in linked_spans:
            continue
        key = (annotation.span_id, kind)
        if key in seen:
            continue
        seen.add(key)
        bucket = "claims" if kind == Label.Kind.CLAIM else "quotes"
        only_in[slug_of[annotation.span.document_id]][bucket].append(
            _span(annotation.span, annotations_by_span, slug_of)
        )

    by_relation = {value: [] for value in Relation.values}
    for link in crossing:
        by_relation[link.relation].append(link_entry(link))

    label_counts = {}
    for annotation in annotations:
        counts = label_counts.setdefault(
            annotation.label.name, {"label": annotation.label.name, "per_document": [0, 0], "total": 0}
        )
        counts["per_document"][slugs.index(slug_of[annotation.span.document_id])] += 1
        counts["total"] += 1
    annotators = Counter(a.author.username for a in annotations)
    linkers = Counter(link.author.username for link in crossing)

    return {
        "comparison": {"slug": comparison.slug, "title": comparison.title},
        "filters": {"status": status, "annotator": annotator},
        "reporting": _reporting(attributions, annotations, attributions_by_span, slugs, slug_of),
        "documents": [
            {
                "slug": d.slug,
                "title": d.title,
                "outlet": d.outlet,
                "outlet_note": d.outlet_note,
                "published": d.published.isoformat() if d.published else None,
            }
            for d in documents
        ],
        "speakers": by_speaker,
        "links": by_relation,
        "only_in": [{"document": slug, **only_in[slug]} for slug in slugs],
        "contradictions": by_relation[Relation.CONTRADICTS],
        "counts": {
            "labels": sorted(label_counts.values(), key=lambda c: (-c["total"], c["label"])),
            "annotators": [
                {"username": name, "annotations": annotators[name], "links": linkers[name]}
                for name in sorted(set(annotators) | set(linkers))
            ],
            "annotations": len(annotations),
            "links": len(crossing),
        },
    }


KINDS = ("direct", "indirect", "mixed")


def _reporting(attributions, annotations, attributions_by_span, slugs, slug_of):
    """How each outlet reports: its cue lemmas (said 5, alleged 2, …) overall and per speaker, and
    its share of direct, indirect and mixed speech. Attributions count; so do Quote and Claim
    annotations with a cue whose words have no attribution (work from before attributions)."""
    cues = [(a.document_id, a.speaker, a.lemma) for a in attributions if a.lemma]
    cues += [
        (a.span.document_id, a.speaker.name if a.speaker else None, cue_lemma(a.cue))
        for a in annotations
        if a.cue and a.label.attributable and a.span_id not in attributions_by_span
    ]
    per_outlet = {slug: Counter() for slug in slugs}
    per_speaker = defaultdict(lambda: {slug: Counter() for slug in slugs})
    for document_id, speaker, lemma in cues:
        per_outlet[slug_of[document_id]][lemma] += 1
        if speaker:
            per_speaker[speaker][slug_of[document_id]][lemma] += 1
    lemmas = sorted(
        {lemma for counts in per_outlet.values() for lemma in counts},
        key=lambda lemma: (-sum(counts[lemma] for counts in per_outlet.values()), lemma),
    )
    kinds = {slug: Counter() for slug in slugs}
    for attribution in attributions:
        kinds[slug_of[attribution.document_id]][attribution.kind] += 1
    return {
        "verbs": [
            {"lemma": lemma, "counts": [per_outlet[slug][lemma] for slug in slugs]} for lemma in lemmas
        ],
        "by_speaker": [
            {
                "speaker": speaker,
                "outlets": [
                    {
                        "document": slug,
                        "cues": sorted(counts[slug].items(), key=lambda item: (-item[1], item[0])),
                    }
                    for slug in slugs
                ],
            }
            for speaker, counts in sorted(per_speaker.items(), key=lambda item: item[0])
        ],
        "kinds": [
            {
                "document": slug,
                "total": sum(kinds[slug].values()),
                **{kind: kinds[slug][kind] for kind in KINDS},
                "shares": {kind: _share(kinds[slug][kind], sum(kinds[slug].values())) for kind in KINDS},
            }
            for slug in slugs
        ],
    }


def _share(part, whole):
    return round(100 * part / whole) if whole else 0
