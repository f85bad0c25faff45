"""Render a document's text with its highlights, on the server.

The rendered text holds the stored text character for character (gaps between
paragraphs are kept in hidden elements), so the browser can turn any selection
into offsets by counting the text before it. Built with string joins, not
template loops: a page may hold thousands of segments.
"""

from dataclasses import dataclass, field
from html import escape

from django.db.models import Q
from django.utils.safestring import mark_safe

from reader import text as textlib


@dataclass
class SpanLook:
    """What a highlight shows of one span: its labels, in label order."""

    start: int
    end: int
    labels: list = field(default_factory=list)
    linked: bool = False


def span_looks(annotations, linked_spans=()) -> dict:
    """Each span's look. `linked_spans` are this document's spans that have a link;
    one whose annotations were all deleted still shows, so its link stays visible."""
    looks = {}
    for annotation in annotations:
        span = annotation.span
        if span.orphaned:  # its offsets are from a text that changed: they would mark other words
            continue
        look = looks.get(span.pk)
        if look is None:
            look = looks[span.pk] = SpanLook(span.start, span.end)
        if annotation.label not in look.labels:
            look.labels.append(annotation.label)
    for span in linked_spans:
        if span.orphaned:
            continue
        looks.setdefault(span.pk, SpanLook(span.start, span.end)).linked = True
    for look in looks.values():
        look.labels.sort(key=lambda label: (label.position, label.name))
    return looks


def _mark(text, segment, looks):
    # The span that started last (or the shortest among those starting
    # together) is the innermost: its first label sets the colour and style.
    inner = looks[segment.spans[-1]]
    if inner.labels:
        label = inner.labels[0]
        classes = f"hl lab-{label.pk} k-{label.kind}"
    else:
        classes = "hl k-other"
    if len(segment.spans) > 1:
        classes += " deep" if len(segment.spans) > 2 else " nested"
    names = []
    markers = []
    starts_linked = False
    for span_id in segment.spans:
        look = looks[span_id]
        names.extend(label.name for label in look.labels)
        if look.start == segment.start:
            markers.append("".join(label.marker for label in look.labels) + ("↔" if look.linked else ""))
            starts_linked = starts_linked or look.linked
    if any(looks[span_id].linked for span_id in segment.spans):
        classes += " linked"
    tag = f' data-tag="{escape(" ".join(markers))}"' if markers else ""
    # The first piece of a linked span takes focus, so its counterpart can be found by keyboard.
    focus = ' tabindex="0"' if starts_linked else ""
    return (
        f'<mark class="{classes}" data-spans="{" ".join(map(str, segment.spans))}"'
        f' title="{escape(" · ".join(dict.fromkeys(names)) or "linked")}"{tag}{focus}>'
        f"{escape(text[segment.start : segment.end], quote=False)}</mark>"
    )


def _paragraph(document, text, block, looks, oob):
    inner = "".join(
        _mark(text, segment, looks)
        if segment.spans
        else escape(text[segment.start : segment.end], quote=False)
        for segment in block.segments
    )
    swap = ' hx-swap-oob="true"' if oob else ""
    return f'<p id="p-{document.pk}-{block.index}" class="para" data-start="{block.start}"{swap}>{inner}</p>'


def _blocks(document, annotations, linked_spans):
    looks = span_looks(annotations, linked_spans)
    spans = [(span_id, look.start, look.end) for span_id, look in looks.items()]
    return looks, textlib.layout(document.text, spans)


def render_text(document, annotations, linked_spans=()):
    """The whole text with highlights: the inside of a column's text element."""
    looks, blocks = _blocks(document, annotations, linked_spans)
    text = document.text
    parts = [
        _paragraph(document, text, block, looks, oob=False)
        if block.is_paragraph
        else f'<span class="gap" hidden>{escape(text[block.start : block.end], quote=False)}</span>'
        for block in blocks
    ]
    return mark_safe("".join(parts))


def render_paragraphs(document, annotations, linked_spans, start, end):
    """The paragraphs that [start, end) touches, ready for an out-of-band swap.

    `annotations` and `linked_spans` need to hold only those overlapping the paragraphs.
    """
    looks, blocks = _blocks(document, annotations, linked_spans)
    return [
        mark_safe(_paragraph(document, document.text, block, looks, oob=True))
        for block in blocks
        if block.is_paragraph and block.start < end and start < block.end
    ]


def changed_paragraphs(document, start, end):
    """Re-render the paragraphs a write at [start, end) touched, with all their highlights."""
    from reader.models import Annotation, Span

    touched = [(s, e) for s, e in textlib.paragraphs(document.text) if s < end and start < e]
    if not touched:
        return []
    low, high = touched[0][0], touched[-1][1]
    annotations = Annotation.objects.filter(
        span__document=document, span__start__lt=high, span__end__gt=low
    ).select_related("span", "label")
    linked = (
        Span.objects.filter(document=document)
        .overlapping(low, high)
        .filter(Q(links_out__isnull=False) | Q(links_in__isnull=False))
        .distinct()
    )
    return render_paragraphs(document, annotations, linked, start, end)
