"""The reader's sidebar lists: a page of annotations or links as plain rows, and their HTML.

Each item would be

    <li class="item st-{{ a.status }}"><a href="{{ detail }}" hx-get=… data-span=… data-at=…>
      <span class="tag …">{{ a.label.name }}</span> {{ a.span.exact|truncatechars:140|as_quote }}</a>
      <p class="meta">…</p>{% if a.note %}<p class="note">…</p>{% endif %}</li>

in a template loop. Written here, from tuples, because model instances with their related rows
and the template's variable lookups were over half the reader page's time (60 items, twenty
lookups each), cold or warm.
"""

from html import escape

from django.urls import reverse
from django.utils.safestring import mark_safe

from reader.templatetags.reader_tags import as_quote
from reader.templatetags.report_tags import shorten

ANNOTATION_FIELDS = (
    "pk",
    "status",
    "span_id",
    "span__document_id",
    "span__start",
    "span__exact",
    "label_id",
    "label__kind",
    "label__name",
    "speaker__name",
    "cue",
    "author__username",
    "note",
)
LINK_FIELDS = (
    "pk",
    "status",
    "relation",
    "source__document_id",
    "source__start",
    "source__exact",
    "target__document_id",
    "target__start",
    "target__exact",
    "author__username",
    "note",
)


def page(querysets, fields, number, size):
    """One page of rows (tuples of `fields`), and the number of the next page (None at the end),
    from querysets read one after another (each document's annotations in its reading order):
    each is asked for no more rows than the page still needs, so a page at the start costs one
    short query however many rows there are."""
    offset = (number - 1) * size
    wanted = offset + size + 1
    rows = []
    for queryset in querysets:
        rows += queryset.values_list(*fields)[: wanted - len(rows)]
        if len(rows) >= wanted:
            break
    rows = rows[offset:]
    return rows[:size], (number + 1 if len(rows) > size else None)


def _detail_url(name):
    """The panel's URL for a pk, as a prefix and suffix: reversing it for each of 60 items costs
    more than the rest of the item."""
    prefix, suffix = reverse(name, args=[0]).rsplit("0", 1)
    return prefix, suffix


def _item(status, anchor, said, author, note):
    """One list item: the anchor that opens the panel, who made it and its status, its note."""
    status = escape(status)
    note = f'<p class="note">{escape(shorten(note, 240))}</p>' if note else ""
    meta = f'{said}{escape(author)} · <span class="status st-{status}">{status}</span>'
    return f'<li class="item st-{status}">\n{anchor}\n<p class="meta">{meta}</p>{note}\n</li>'


def _anchor(detail, data, inside):
    return f'<a href="{detail}" hx-get="{detail}" hx-target="#panel" hx-swap="innerHTML" {data}>{inside}</a>'


def annotation_items(rows, *, documents, panel_query):
    """The list items of a page of annotations, each article's opening with its title when the
    reader shows two."""
    prefix, suffix = _detail_url("annotation_detail")
    query = escape(panel_query)
    headings = (
        {d.pk: f'<li class="doc-heading"><h3>{escape(shorten(d.title, 60))}</h3></li>' for d in documents}
        if len(documents) > 1
        else {}
    )
    items, previous = [], None
    for pk, status, span, document, start, exact, label, kind, name, speaker, cue, author, note in rows:
        if document != previous and headings:
            items.append(headings.get(document, headings[documents[1].pk]))
        previous = document
        cue = f'<em class="cue">{escape(cue)}</em>' if cue else ""
        if speaker:
            said = f'<span class="speaker">{escape(speaker)}</span>{" " if cue else ""}{cue} · '
        else:
            said = f"{cue} · " if cue else ""
        anchor = _anchor(
            f"{prefix}{pk}{suffix}{query}",
            f'data-span="{span}" data-at="{document}:{start}"',
            f'<span class="tag lab-{label} k-{escape(kind)}">{escape(name)}</span> '
            f"{as_quote(shorten(exact, 140))}",
        )
        items.append(_item(status, anchor, said, author, note))
    return mark_safe("\n".join(items))


def link_items(rows, *, panel_query):
    """The list items of a page of links."""
    prefix, suffix = _detail_url("link_detail")
    query = escape(panel_query)
    items = []
    for pk, status, relation, source_at, source_start, source, target_at, target_start, target, *rest in rows:
        author, note = rest
        relation = escape(relation)
        anchor = _anchor(
            f"{prefix}{pk}{suffix}{query}",
            f'data-link="{pk}" data-at="{source_at}:{source_start} {target_at}:{target_start}"',
            f'<span class="rel rel-{relation}">{relation}</span> {as_quote(shorten(source, 70))} ↔ '
            f"{as_quote(shorten(target, 70))}",
        )
        items.append(_item(status, anchor, "", author, note))
    return mark_safe("\n".join(items))
