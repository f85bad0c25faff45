"""The comparison report: the close reading at a glance.

One function builds plain data (dicts, lists, strings, numbers) from three
queries, whatever the number of annotations and links; the page and the
JSON answer both render it.
"""

from collections import Counter, defaultdict
from types import SimpleNamespace

from reader.models import Annotation, Label, Link, Relation


def _span(span, annotations_by_span, slugs):
    annotations = annotations_by_span.get(span.pk, [])
    speakers = sorted({a.speaker.name for a in annotations if a.speaker and a.label.attributable})
    return {
        "document": slugs[span.document_id],
        "start": span.start,
        "end": span.end,
        "exact": span.exact,
        "labels": sorted({a.label.name for a in annotations}),
        "speakers": speakers,
        "cues": sorted({a.cue for a in annotations if a.cue}),
    }


def _annotations(comparison):
    """The comparison's annotations as light objects with the attributes the report reads.

    Plain rows, not model instances: thousands of annotations each joined to a span,
    a label, a user and a speaker made building them the report's main cost."""
    labels = {label.pk: label for label in Label.objects.all()}
    spans = {}
    result = []
    rows = (
        Annotation.objects.filter(span__document__in=[comparison.left_id, comparison.right_id])
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


def build(comparison) -> dict:
    documents = [comparison.left, comparison.right]
    slugs = [d.slug for d in documents]
    slug_of = {d.pk: d.slug for d in documents}
    annotations = _annotations(comparison)
    links = list(
        Link.objects.for_comparison(comparison).defer("source__document__text", "target__document__text")
    )

    annotations_by_span = defaultdict(list)
    for annotation in annotations:
        annotations_by_span[annotation.span_id].append(annotation)

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
            "left": _span(first, annotations_by_span, slug_of),
            "right": _span(second, annotations_by_span, slug_of),
        }

    # Speakers × articles: each speaker's quotes and claims, with the cue each outlet used.
    speakers = {}
    for annotation in annotations:
        if not (annotation.speaker and annotation.label.attributable):
            continue
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
