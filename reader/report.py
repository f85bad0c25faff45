"""The comparison report: the close reading at a glance.

One function builds plain data (dicts, lists, strings, numbers) from four queries (labels,
annotations, attributions, links), whatever the number of annotations and links; the page and
the JSON answer both render it.

Rows come as tuples (`values_list`), never model instances, and each annotation is looked at
once: with 2,000 annotations, building instances (a link joined to two spans, two documents and
a user) and summing up each linked span again made most of the report's time.
"""

import hashlib
from collections import Counter, defaultdict
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef

from reader.cues import cue_lemma
from reader.models import Annotation, Attribution, Label, Link, Relation, Span, Speaker, Status, in_order

ATTRIBUTABLE = (Label.Kind.QUOTE, Label.Kind.CLAIM)


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
    """The comparison's annotations as tuples (span id, document id, start, end, exact, label id,
    username, speaker name, cue, status), in reading order."""
    return list(
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


def _crossing_links(comparison, *, status=None, annotator=None):
    """Links that join the two articles of this comparison (not a third one), in reading order of
    their source, as tuples (id, relation, note, username, status, then the source's span id,
    document id, start, end and exact, then the target's)."""
    ids = [comparison.left_id, comparison.right_id]
    rows = (
        _filtered(
            Link.objects.filter(source__document__in=ids, target__document__in=ids),
            status=status,
            annotator=annotator,
        )
        .order_by(in_order("source__document", ids), "source__start", "id")
        .values_list(
            "pk", "relation", "note", "author__username", "status",
            "source_id", "source__document_id", "source__start", "source__end", "source__exact",
            "target_id", "target__document_id", "target__start", "target__end", "target__exact",
        )
    )  # fmt: skip
    return [row for row in rows if {row[6], row[11]} == set(ids)]


def annotators(comparison):
    """The usernames of everyone whose work the report may show: the annotator filter's choices."""
    ids = [comparison.left_id, comparison.right_id]
    return sorted(
        get_user_model()
        .objects.filter(
            Exists(Annotation.objects.filter(author=OuterRef("pk"), span__document__in=ids))
            | Exists(Attribution.objects.filter(author=OuterRef("pk"), document__in=ids))
            | Exists(Link.objects.filter(author=OuterRef("pk"), source__document__in=ids))
        )
        .values_list("username", flat=True)
    )


def fingerprint(comparison, *, status=None, annotator=None, usernames=()) -> str:
    """A digest of everything the report shows, to cache it under: it changes with any write
    from any server, as it is read from the database, not from a counter a process keeps.

    Per table, the count and newest id of its rows (a creation raises the newest id for good, as
    ids are never reused; a deletion lowers the count) and the sum of their versions (every edit
    bumps one); reviews, which keep the version, change the newest review time and a sum over
    the ids of accepted and rejected rows; taking a proposal changes the newest `modified` and
    the sum over taken ids. Speakers and labels are few and shared: all of them count. The
    documents' and comparison's own versions come with `comparison` (select_related), and
    `usernames` (annotators()) stands for the users, whose names the report shows.
    Read it and build the report in one read snapshot (reader.snapshots, as the report's views
    do): read apart, a write committed in between would be drawn into a report cached under the
    digest of before, which the write undone (a deletion) brings back, and it would be served."""
    a, s, k, t = (model._meta.db_table for model in (Annotation, Span, Link, Attribution))
    reviewed = "SUM(CASE WHEN x.status = %s THEN x.id WHEN x.status = %s THEN -x.id ELSE 0 END)"
    common = "COUNT(*), MAX(x.id), SUM(x.version), MAX(x.modified)"
    ids = [comparison.left_id, comparison.right_id]
    statuses = [Status.ACCEPTED, Status.REJECTED]
    sql = " UNION ALL ".join(
        [
            f"SELECT {common}, MAX(x.reviewed_at), {reviewed}, 0 FROM {a} x"  # noqa: S608 - our tables
            f" JOIN {s} s ON s.id = x.span_id WHERE s.document_id IN (%s, %s)",
            f"SELECT {common}, MAX(x.reviewed_at), {reviewed}, 0 FROM {k} x"
            f" JOIN {s} s ON s.id = x.source_id WHERE s.document_id IN (%s, %s)",
            f"SELECT {common}, MAX(x.reviewed_at), {reviewed}, SUM(CASE WHEN x.proposal = %s"
            f" THEN x.id ELSE 0 END) FROM {t} x WHERE x.document_id IN (%s, %s)",
            *(f"SELECT {common}, NULL, 0, 0 FROM {model._meta.db_table} x" for model in (Speaker, Label)),
        ]
    )
    params = [*statuses, *ids, *statuses, *ids, *statuses, Attribution.Proposal.TAKEN, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    own = [(row.pk, row.version, row.modified) for row in (comparison, comparison.left, comparison.right)]
    state = (rows, own, comparison.left.text_sha256, comparison.right.text_sha256, usernames)
    return hashlib.sha256(repr((state, status, annotator)).encode()).hexdigest()


def documents(comparison):
    """The two articles as the report names them."""
    return [
        {
            "slug": d.slug,
            "title": d.title,
            "outlet": d.outlet,
            "outlet_note": d.outlet_note,
            "published": d.published.isoformat() if d.published else None,
        }
        for d in (comparison.left, comparison.right)
    ]


def build(comparison, *, status=None, annotator=None) -> dict:
    """The report, of all the work or only accepted work (`status`), or one annotator's."""
    pair = [comparison.left, comparison.right]
    slugs = [d.slug for d in pair]
    slug_of = {d.pk: d.slug for d in pair}
    column = {}  # document id → its column (0 or 1)
    for i, document in enumerate(pair):
        column.setdefault(document.pk, i)
    labels = {pk: (name, kind) for pk, name, kind in Label.objects.values_list("pk", "name", "kind")}
    annotations = _annotations(comparison, status=status, annotator=annotator)
    attributions = _attributions(comparison, status=status, annotator=annotator)
    crossing = _crossing_links(comparison, status=status, annotator=annotator)

    annotations_by_span = defaultdict(list)
    for row in annotations:
        annotations_by_span[row[0]].append(row)
    attributions_by_span = defaultdict(list)
    for attribution in attributions:
        attributions_by_span[attribution.content_id].append(attribution)
    linked_spans = {span_id for link in crossing for span_id in (link[5], link[10])}

    def span_entry(span_id, document_id, start, end, exact, attributed=False):
        """A span with the labels, speakers and cues of its annotations (and, when `attributed`,
        of the attributions whose content it is)."""
        rows = annotations_by_span.get(span_id, ())
        attributions_here = attributions_by_span.get(span_id) if attributed else None
        if len(rows) == 1 and not attributions_here:  # most spans: no sets to build
            (row,) = rows
            name, kind = labels[row[5]]
            return {
                "document": slug_of[document_id],
                "start": start,
                "end": end,
                "exact": exact,
                "labels": [name],
                "speakers": [row[7]] if row[7] and kind in ATTRIBUTABLE else [],
                "cues": [row[8]] if row[8] else [],
            }
        speakers = {row[7] for row in rows if row[7] and labels[row[5]][1] in ATTRIBUTABLE}
        cues = {row[8] for row in rows if row[8]}
        for attribution in attributions_here or ():
            if attribution.speaker:
                speakers.add(attribution.speaker)
            if attribution.cue:
                cues.add(attribution.cue)
        return {
            "document": slug_of[document_id],
            "start": start,
            "end": end,
            "exact": exact,
            "labels": sorted({labels[row[5]][0] for row in rows}),
            "speakers": sorted(speakers),
            "cues": sorted(cues),
        }

    def link_entry(link):
        pk, relation, note, author, link_status, *ends = link
        source, target = ends[:5], ends[5:]
        # Always left article first, so the two columns of the report line up.
        first, second = (source, target) if source[1] == comparison.left_id else (target, source)
        return {
            "id": pk,
            "relation": relation,
            "note": note,
            "author": author,
            "status": link_status,
            "left": span_entry(*first, attributed=True),
            "right": span_entry(*second, attributed=True),
        }

    def speaker_entry(name):
        entry = speakers.get(name)
        if entry is None:
            entry = speakers[name] = {"speaker": name, "articles": {slug: [] for slug in slugs}}
        return entry["articles"]

    # Speakers × articles: what each speaker is reported as saying, with the cue each outlet
    # used: attributions, and attributed quotes and claims whose words have no attribution.
    speakers = {}
    for attribution in attributions:
        if attribution.speaker:
            speaker_entry(attribution.speaker)[slug_of[attribution.document_id]].append(
                {
                    "label": f"{attribution.kind} speech",
                    "kind": "attribution",
                    "exact": attribution.exact,
                    "cue": attribution.cue,
                    "status": attribution.status,
                    "linked": attribution.content_id in linked_spans,
                }
            )

    # One pass over the annotations: their speakers, what only one article has (claims and
    # quotes no link joins to the other article: what each outlet left out), the counts, and
    # the cues of attributed quotes and claims whose words have no attribution.
    only_in = {slug: {"claims": [], "quotes": []} for slug in slugs}
    seen = set()
    label_counts = {}
    annotators = Counter()
    cues = []
    for row in annotations:
        span_id, document_id, start, end, exact, label_id, username, speaker, cue, row_status = row
        name, kind = labels[label_id]
        slug = slug_of[document_id]
        annotators[username] += 1
        counts = label_counts.get(name)
        if counts is None:
            counts = label_counts[name] = {"label": name, "per_document": [0, 0], "total": 0}
        counts["per_document"][column[document_id]] += 1
        counts["total"] += 1
        if kind not in ATTRIBUTABLE:
            continue
        if span_id not in attributions_by_span:  # else its attribution is listed
            if speaker:
                speaker_entry(speaker)[slug].append(
                    {
                        "label": name,
                        "kind": kind,
                        "exact": exact,
                        "cue": cue,
                        "status": row_status,
                        "linked": span_id in linked_spans,
                    }
                )
            if cue:
                cues.append((document_id, speaker, cue_lemma(cue)))
        if span_id not in linked_spans and (span_id, kind) not in seen:
            seen.add((span_id, kind))
            bucket = "claims" if kind == Label.Kind.CLAIM else "quotes"
            only_in[slug][bucket].append(span_entry(span_id, document_id, start, end, exact))

    by_speaker = sorted(
        speakers.values(), key=lambda s: (-sum(len(v) for v in s["articles"].values()), s["speaker"])
    )
    for entry in by_speaker:
        entry["articles"] = [{"document": slug, "items": entry["articles"][slug]} for slug in slugs]

    by_relation = {value: [] for value in Relation.values}
    for link in crossing:
        by_relation[link[1]].append(link_entry(link))
    linkers = Counter(link[3] for link in crossing)

    return {
        "comparison": {"slug": comparison.slug, "title": comparison.title},
        "filters": {"status": status, "annotator": annotator},
        "reporting": _reporting(attributions, cues, slugs, slug_of),
        "documents": documents(comparison),
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


def _reporting(attributions, annotation_cues, slugs, slug_of):
    """How each outlet reports: its cue lemmas (said 5, alleged 2, …) overall and per speaker, and
    its share of direct, indirect and mixed speech. Attributions count; so do Quote and Claim
    annotations with a cue whose words have no attribution (work from before attributions):
    `annotation_cues` are their (document id, speaker, lemma)."""
    cues = [(a.document_id, a.speaker, a.lemma) for a in attributions if a.lemma]
    cues += annotation_cues
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
