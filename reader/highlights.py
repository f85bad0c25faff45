"""Render a document's text with its highlights, on the server.

The rendered text holds the stored text character for character (gaps between
paragraphs are kept in hidden elements), so the browser can turn any selection
into offsets by counting the text before it. Built with string joins, not
template loops: a page may hold thousands of segments.
"""

import hashlib
import re
from functools import lru_cache
from html import escape

from django.db.models import Q
from django.utils.safestring import mark_safe

from reader import text as textlib


class SpanLook:
    """What a highlight shows of one span: its labels (in label order) and whether it
    is linked, with the strings every piece of the span repeats worked out once."""

    __slots__ = ("start", "end", "labels", "linked", "classes", "names", "marker", "annotations", "title")
    __slots__ += ("tag", "roles", "attributions", "proposed")

    def __init__(self, start, end):
        self.start, self.end = start, end
        self.labels = []
        self.linked = False
        self.classes, self.names, self.marker = "hl k-other", (), ""
        self.annotations = 0
        self.roles = set()  # content, cue, source: the parts of attributions this span plays
        self.attributions = []  # their ids
        self.proposed = True  # every attribution it plays a part in is an undecided proposal


ROLE_TITLES = {"source": "source", "cue": "cue", "content": "attributed"}


def span_looks(rows, labels, linked=(), roles=()) -> dict:
    """Each span's look, from plain rows (fast: a page may show thousands).

    `rows` are (span id, start, end, label id) of annotations, `labels` maps label
    ids to Labels, `linked` holds (span id, start, end) of spans with a link; one
    whose annotations were all deleted still shows, so its link stays visible.
    Orphaned spans are left out by the queries: their offsets belong to an old text.
    """
    looks = {}
    for span_id, start, end, label_id in rows:
        look = looks.get(span_id)
        if look is None:
            look = looks[span_id] = SpanLook(start, end)
        look.annotations += 1
        if label_id not in look.labels:
            look.labels.append(label_id)
    for span_id, start, end in linked:
        if span_id not in looks:
            looks[span_id] = SpanLook(start, end)
        looks[span_id].linked = True
    for span_id, start, end, role, attribution_id, proposed in roles:
        look = looks.get(span_id)
        if look is None:
            look = looks[span_id] = SpanLook(start, end)
        look.roles.add(role)
        if attribution_id not in look.attributions:
            look.attributions.append(attribution_id)
        look.proposed = look.proposed and proposed
    order = {pk: (label.position, label.name) for pk, label in labels.items()}
    # Spans mostly share a few label combinations: work each one out once.
    styles = {}
    for look in looks.values():
        key = tuple(sorted(look.labels, key=order.__getitem__))
        style = styles.get(key)
        if style is None:
            chosen = [labels[pk] for pk in key]
            style = styles[key] = (
                f"hl lab-{chosen[0].pk} k-{chosen[0].kind}" if chosen else "hl k-other",
                tuple(label.name for label in chosen),
                "".join(label.marker for label in chosen),
            )
        look.labels = key
        look.classes, look.names, look.marker = style
        if look.linked:
            look.classes += " linked"
            look.marker += "↔"
        names = look.names
        if look.roles:
            look.classes += "".join(f" a-{role}" for role in sorted(look.roles))
            if look.proposed and not look.annotations:
                look.classes += " proposed"
            names = (*names, *(ROLE_TITLES[role] for role in sorted(look.roles)))
        look.title = escape(" · ".join(names) or "linked")
        # The first piece of a linked span takes focus, so its counterpart can be found by keyboard.
        look.tag = f' data-tag="{escape(look.marker)}"' + (' tabindex="0"' if look.linked else "")
    return looks


def _attributes(ids):
    """The attributions of a piece, for the page to light their parts together."""
    return f' data-attr="{" ".join(map(str, ids))}"' if ids else ""


def _covering(spans, looks):
    """Whether any span covering a piece is linked, the roles (content, cue, source) and the
    attributions they play a part in: worked out once per link of the chain and kept on it, as
    pieces share their outer links, so a deep nest costs a step per span, not per span per piece."""
    pending = []
    link = spans
    while link is not None and (link.memo is None or link.memo[0] is not looks):
        pending.append(link)
        link = link.outer
    linked, roles, attributions = (False, (), ()) if link is None else link.memo[1:]
    for link in reversed(pending):
        look = looks[link.innermost]
        linked = linked or look.linked
        if not look.roles.issubset(roles):
            added = (*roles, *look.roles)
            roles = tuple(role for role in ("content", "cue", "source") if role in added)
        new = [pk for pk in look.attributions if pk not in attributions]
        if new:
            attributions = (*attributions, *new)
        link.memo = (looks, linked, roles, attributions)
    return spans.memo[1:]


def _made_here(spans, start):
    """The links of a piece's chain made where it starts, innermost first: those of the spans
    that start there (or, after a crossing end or a sentence edge, restart there)."""
    made = []
    for link in spans.chain():
        if link.since != start:
            break
        made.append(link)
    return made


# A piece under more spans than this names in data-spans only those whose links were made where
# it starts, and in data-outer how many of the previous piece's spans (outermost first) cover it
# too; reader.js rebuilds the rest. Listing every covering span made a deep nest's page quadratic.
LISTED_DEPTH = 8


def _mark(text, segment, looks):
    """One piece of highlighted text; `segment.spans` is a chain from textlib.segments."""
    words = escape(text[segment.start : segment.end], quote=False)
    spans = segment.spans
    if len(spans) == 1:  # most pieces: one span, every string ready
        span_id = spans[-1]
        look = looks[span_id]
        tag = look.tag if look.start == segment.start else ""
        if look.attributions:
            tag += _attributes(look.attributions)
        return f'<mark class="{look.classes}" data-spans="{span_id}" title="{look.title}"{tag}>{words}</mark>'
    # The span that started last (or the shortest among those starting
    # together) is the innermost: it sets the colour, the style and the tooltip
    # (the panel lists every span; deep nests would make tooltips long and slow).
    inner = looks[spans[-1]]
    linked, roles, attributions = _covering(spans, looks)
    classes = inner.classes.replace(" linked", "")
    classes += " deep" if len(spans) > 2 else " nested"
    if linked:
        classes += " linked"
    for role in roles:
        if f" a-{role}" not in classes:
            classes += f" a-{role}"
    made = [link.innermost for link in reversed(_made_here(spans, segment.start))]
    starting = [looks[span_id] for span_id in made if looks[span_id].start == segment.start]
    tag = f' data-tag="{escape(" ".join(look.marker for look in starting))}"' if starting else ""
    if any(look.linked for look in starting):
        tag += ' tabindex="0"'
    tag += _attributes(attributions)
    if len(spans) > LISTED_DEPTH and len(made) < len(spans):
        named = f'data-spans="{" ".join(map(str, made))}" data-outer="{len(spans) - len(made)}"'
    else:
        named = f'data-spans="{" ".join(map(str, spans))}"'
    return f'<mark class="{classes}" {named} title="{inner.title}"{tag}>{words}</mark>'


def _unit(document, text, unit, looks, oob=False):
    inner = "".join(
        _mark(text, segment, looks)
        if segment.spans
        else escape(text[segment.start : segment.end], quote=False)
        for segment in unit.segments
    )
    swap = ' hx-swap-oob="true"' if oob else ""
    return f'<span id="u-{document.pk}-{unit.index}" class="u"{swap}>{inner}</span>'


def _paragraph(document, text, block, looks, headings=()):
    inner = "".join(_unit(document, text, unit, looks) for unit in block.units)
    if (block.start, block.end) in headings:
        return (
            f'<h3 id="p-{document.pk}-{block.index}" class="para heading" data-start="{block.start}">'
            f"{_hide_marker(inner)}</h3>"
        )
    return f'<p id="p-{document.pk}-{block.index}" class="para" data-start="{block.start}">{inner}</p>'


_MARKER = re.compile(r"^((?:<span [^>]*>)?(?:<mark [^>]*>)?)(#{1,6}[ \t]+)")


def _hide_marker(html):
    """A Markdown heading's "## " stays in the page, as every character of the text does, but
    hidden (like the gaps between paragraphs), so offsets still count it."""
    return _MARKER.sub(r'\1<span class="heading-marker" hidden>\2</span>', html, count=1)


def _blocks(document, looks):
    spans = [(span_id, look.start, look.end) for span_id, look in looks.items()]
    return textlib.layout(document.text, spans)


def render_text(document, looks):
    """The whole text with highlights: the inside of a column's text element."""
    blocks = _blocks(document, looks)
    text = document.text
    headings = set(document.heading_ranges)
    parts = [
        _paragraph(document, text, block, looks, headings)
        if block.is_paragraph
        else f'<span class="gap" hidden>{escape(text[block.start : block.end], quote=False)}</span>'
        for block in blocks
    ]
    return mark_safe("".join(parts))


def looks_for(documents, *, within=None, labels=None, linked_ids=None, author=None):
    """Every highlight of these documents (or of one stretch [low, high) of one), by
    document id, from plain rows whatever the number of annotations.

    `linked_ids`, the ids of spans with a link, saves a query when the caller has
    them; only linked spans without any annotation are then looked up."""
    from reader.models import Annotation, Label, Span

    ids = [document.pk for document in documents]
    # .order_by(): the models' default orderings would join documents and sort for nothing.
    annotations = Annotation.objects.filter(span__document__in=ids, span__orphaned=False).order_by()
    if author is not None:  # blind mode: the viewer's own work only
        annotations = annotations.filter(author=author)
    if within:
        low, high = within
        annotations = annotations.filter(span__start__lt=high, span__end__gt=low)
    labels = labels or {label.pk: label for label in Label.objects.all()}
    rows = {pk: [] for pk in ids}
    bounds = {}
    for document_id, span_id, start, end, label_id in annotations.values_list(
        "span__document_id", "span_id", "span__start", "span__end", "label_id"
    ):
        rows[document_id].append((span_id, start, end, label_id))
        bounds[span_id] = (document_id, start, end)
    if linked_ids is None:
        if author is None:
            spans = Span.objects.filter(document__in=ids, orphaned=False).filter(
                Q(links_out__isnull=False) | Q(links_in__isnull=False)
            )
        else:
            spans = Span.objects.filter(document__in=ids, orphaned=False).filter(
                Q(links_out__author=author) | Q(links_in__author=author)
            )
        if within:
            spans = spans.filter(start__lt=high, end__gt=low)
        linked_ids = set()
        found = spans.order_by().values_list("id", "document_id", "start", "end").distinct()
        for span_id, document_id, start, end in found:
            linked_ids.add(span_id)
            bounds[span_id] = (document_id, start, end)
    missing = [span_id for span_id in linked_ids if span_id not in bounds]
    if missing:
        spans = Span.objects.filter(pk__in=missing, document__in=ids, orphaned=False)
        if within:
            spans = spans.filter(start__lt=high, end__gt=low)
        for span_id, document_id, start, end in spans.order_by().values_list(
            "id", "document_id", "start", "end"
        ):
            bounds[span_id] = (document_id, start, end)
    linked = {pk: [] for pk in ids}
    for span_id in linked_ids:
        if span_id in bounds:
            document_id, start, end = bounds[span_id]
            linked[document_id].append((span_id, start, end))
    roles = attribution_roles(ids, within, author)
    return {pk: span_looks(rows[pk], labels, linked[pk], roles[pk]) for pk in ids}


def attribution_roles(document_ids, within=None, author=None):
    """(span id, start, end, role, attribution id, proposed) of every part of the attributions
    (and undecided proposals) of these documents, by document id, from plain rows."""
    from reader import visibility
    from reader.models import Attribution

    found = {pk: [] for pk in document_ids}
    attributions = visibility.attributions(
        Attribution.objects.filter(document__in=document_ids).shown(), author
    ).order_by()
    columns = ["pk", "document_id", "proposal"]
    for role in ("content", "cue", "source"):
        columns += [f"{role}_id", f"{role}__start", f"{role}__end", f"{role}__orphaned"]
    for row in attributions.values_list(*columns):
        pk, document_id, proposal = row[:3]
        proposed = proposal == Attribution.Proposal.PROPOSED
        for index, role in enumerate(("content", "cue", "source")):
            span_id, start, end, orphaned = row[3 + 4 * index : 7 + 4 * index]
            if span_id is None or orphaned or (within and not (start < within[1] and within[0] < end)):
                continue
            found[document_id].append((span_id, start, end, role, pk, proposed))
    more = Attribution.content_more.through.objects.filter(
        attribution__in=attributions.values("pk"), span__orphaned=False
    )
    for pk, document_id, proposal, span_id, start, end in more.values_list(
        "attribution_id",
        "attribution__document_id",
        "attribution__proposal",
        "span_id",
        "span__start",
        "span__end",
    ):
        if within and not (start < within[1] and within[0] < end):
            continue
        found[document_id].append(
            (span_id, start, end, "content", pk, proposal == Attribution.Proposal.PROPOSED)
        )
    return found


@lru_cache(maxsize=64)
def _unit_ranges(text):
    # Texts rarely change and writes come in runs on the same one.
    return [
        (unit.index, unit.start, unit.end)
        for block in textlib.layout(text, [])
        if block.is_paragraph
        for unit in block.units
    ]


def changed_units(document, start, end, author=None):
    """Re-render the sentences a write at [start, end) touched, with all their highlights (the
    viewer's only, in blind mode: `author`)."""
    touched = [(i, s, e) for i, s, e in _unit_ranges(document.text) if s < end and start < e]
    if not touched:
        return []
    looks = looks_for([document], within=(touched[0][1], touched[-1][2]), author=author)[document.pk]
    spans = [(span_id, look.start, look.end) for span_id, look in looks.items()]
    units = [textlib.Unit(i, s, e, textlib.segments(s, e, spans)) for i, s, e in touched]
    return [mark_safe(_unit(document, document.text, unit, looks, oob=True)) for unit in units]


COLUMN_CACHE_SECONDS = 600


def columns_for(documents, *, labels, linked_ids, author=None):
    """Each document's rendered text, by document id, and its number of annotations.

    Rendering thousands of highlights is the page's biggest cost, so the HTML is
    cached under a fingerprint of everything it shows: the text, the labels, the
    count, newest id and newest change of the document's annotations (a save
    bumps `modified`; a deletion changes the count or, with a creation, the
    newest id), and the linked spans. One aggregate query decides; only
    documents whose fingerprint changed are rendered again.
    """
    from django.core.cache import cache
    from django.db.models import Count, Max

    from reader.models import Annotation, Attribution

    marks = [(label.pk, label.name, label.kind, label.shortcut, label.position) for label in labels.values()]
    stats = {
        row["span__document"]: row
        for row in Annotation.objects.filter(
            span__document__in=[d.pk for d in documents], **({"author": author} if author is not None else {})
        )
        .values("span__document")
        .annotate(count=Count("id"), newest=Max("id"), changed=Max("modified"))
        .order_by()
    }
    links = sorted(linked_ids)
    # Attributions change what the text shows too (their parts, proposals taken or declined).
    drawn = {
        row["document"]: row
        for row in Attribution.objects.filter(document__in=[d.pk for d in documents])
        .values("document")
        .annotate(count=Count("id"), newest=Max("id"), changed=Max("modified"))
        .order_by()
    }
    keys = {}
    for document in documents:
        row = stats.get(document.pk, {})
        fingerprint = (
            document.text_sha256,
            document.headings,
            marks,
            row.get("count"),
            row.get("newest"),
            row.get("changed"),
            links,
            tuple(sorted(drawn.get(document.pk, {}).items())),
        )
        fingerprint += (author,)  # in blind mode each annotator sees a page of their own
        digest = hashlib.sha256(repr(fingerprint).encode()).hexdigest()
        keys[document.pk] = f"column:{document.pk}:{digest}"
    found = cache.get_many(keys.values())
    missing = [document for document in documents if keys[document.pk] not in found]
    if missing:
        looks = looks_for(missing, labels=labels, linked_ids=linked_ids, author=author)
        rendered = {keys[d.pk]: str(render_text(d, looks[d.pk])) for d in missing}
        cache.set_many(rendered, COLUMN_CACHE_SECONDS)
        found.update(rendered)
    html = {document.pk: mark_safe(found[keys[document.pk]]) for document in documents}
    return html, sum(row["count"] for row in stats.values())
