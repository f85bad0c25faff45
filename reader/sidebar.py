"""The reader's sidebar lists: a page of annotations or links as plain rows, and their HTML.

Each item would be

    <li class="item st-{{ a.status }}"><a href="{{ detail }}" hx-get=… data-span=… data-at=…>
      <span class="tag …">{{ a.label.name }}</span> {{ a.span.exact|truncatechars:140|as_quote }}</a>
      <p class="meta">…</p>{% if a.note %}<p class="note">…</p>{% endif %}</li>

in a template loop. Written here, from tuples, because model instances with their related rows
and the template's variable lookups were over half the reader page's time (60 items, twenty
lookups each), cold or warm.

The rows come from plain statements, not the ORM: building a query cost more than running it,
and the page asks several on every view (its lists, its filters' choices, the links it draws).
"""

from html import escape

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils.safestring import mark_safe

from reader.models import Annotation, Label, Link, Span, Speaker
from reader.templatetags.reader_tags import as_quote
from reader.templatetags.report_tags import shorten


def _tables():
    return {
        "annotation": Annotation._meta.db_table,
        "span": Span._meta.db_table,
        "label": Label._meta.db_table,
        "speaker": Speaker._meta.db_table,
        "link": Link._meta.db_table,
        "user": get_user_model()._meta.db_table,
    }


def _marks(values):
    return ", ".join(["%s"] * len(values))


# An annotation `a` on its span `s`, with its label `l`, speaker `sp` and author `u`: the rows of
# the list, (pk, status, span id, document id, start, exact, label id, label kind, label name,
# speaker name, cue, author's username, note).
ANNOTATION_ROWS = (
    "SELECT a.id, a.status, a.span_id, s.document_id, s.start, s.exact, a.label_id, l.kind, l.name, "
    "sp.name, a.cue, u.username, a.note FROM {annotation} a JOIN {span} s ON s.id = a.span_id "
    "JOIN {label} l ON l.id = a.label_id LEFT JOIN {speaker} sp ON sp.id = a.speaker_id "
    "JOIN {user} u ON u.id = a.author_id"
)
# A link `k` from its source `s` to its target `t`, by its author `u`: (pk, status, relation,
# source's document, start and exact, target's document, start and exact, username, note).
LINK_ROWS = (
    "SELECT k.id, k.status, k.relation, s.document_id, s.start, s.exact, t.document_id, t.start, "
    "t.exact, u.username, k.note FROM {link} k JOIN {span} s ON s.id = k.source_id "
    "JOIN {span} t ON t.id = k.target_id JOIN {user} u ON u.id = k.author_id"
)


def _touching(ids):
    """Links with either end in one of these documents (`s` the source, `t` the target)."""
    return f"(s.document_id IN ({_marks(ids)}) OR t.document_id IN ({_marks(ids)}))", [*ids, *ids]


def annotation_page(document_ids, where, number, size):
    """A page of the documents' annotations that `where` keeps ((conditions, parameters) on `a`
    and `u`, as SidebarFilter gives them; None keeps none), each document's in reading order
    (by place, which its spans' index on (document, start, end) gives without sorting them all,
    so a page at the start costs the same for 20 or 20,000)."""
    if where is None:
        return [], None
    sql = ANNOTATION_ROWS.format(**_tables()) + " WHERE s.document_id = %s" + where[0]
    sql += ' ORDER BY s.start, s."end" DESC, l.position, a.id LIMIT %s'
    return page([(sql, [pk, *where[1]]) for pk in document_ids], number, size)


def link_page(document_ids, where, number, size):
    """A page of the links touching the documents that `where` keeps (as annotation_page's), in
    reading order of their source (the documents in the order given)."""
    if where is None:
        return [], None
    touching, params = _touching(document_ids)
    order = " ".join(f"WHEN %s THEN {i}" for i in range(len(document_ids)))
    sql = LINK_ROWS.format(**_tables()) + f" WHERE {touching}{where[0]}"
    sql += f" ORDER BY CASE s.document_id {order} ELSE {len(document_ids)} END, s.start, k.id LIMIT %s"
    return page([(sql, [*params, *where[1], *document_ids])], number, size)


def page(statements, number, size):
    """One page of rows, and the number of the next page (None at the end), from statements
    (each ending in LIMIT %s, its parameters without the limit) read one after another: each is
    asked for no more rows than the page still needs, so a page at the start costs one short
    query however many rows there are."""
    offset = (number - 1) * size
    wanted = offset + size + 1
    rows = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, [*params, wanted - len(rows)])
            rows += cursor.fetchall()
            if len(rows) >= wanted:
                break
    rows = rows[offset:]
    return rows[:size], (number + 1 if len(rows) > size else None)


def choices(document_ids, author=None):
    """What the page draws and offers besides its lists, by one statement: the links touching
    the documents as (pk, source span, target span, relation), in order of pk; the usernames of
    those who annotated them; and (pk, name) of the speakers their annotations name, by name.
    `author`: blind mode's one author whose work is shown (visibility.only_author), or None."""
    tables = _tables()
    touching, params = _touching(document_ids)
    marks = _marks(document_ids)
    mine = " AND a.author_id = %s" if author is not None else ""
    theirs = [author] if author is not None else []
    annotated = (
        "EXISTS (SELECT 1 FROM {annotation} a JOIN {span} s ON s.id = a.span_id "
        f"WHERE a.{{column}} = {{row}}.id AND s.document_id IN ({marks}){mine})"
    )
    parts = [
        "SELECT 0 AS part, k.id, k.source_id, k.target_id, k.relation AS name FROM {link} k "
        f"JOIN {{span}} s ON s.id = k.source_id JOIN {{span}} t ON t.id = k.target_id WHERE {touching}"
        + (" AND k.author_id = %s" if author is not None else ""),
        "SELECT 1, NULL, NULL, NULL, u.username FROM {user} u WHERE "
        + annotated.format(column="author_id", row="u", **tables),
        "SELECT 2, sp.id, NULL, NULL, sp.name FROM {speaker} sp WHERE "
        + annotated.format(column="speaker_id", row="sp", **tables),
    ]
    sql = " UNION ALL ".join(part.format(**tables) for part in parts)
    sql = f"SELECT * FROM ({sql}) c ORDER BY part, CASE WHEN part = 2 THEN name END, id"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *theirs, *document_ids, *theirs, *document_ids, *theirs])
        rows = cursor.fetchall()
    links = [(pk, source, target, relation) for part, pk, source, target, relation in rows if part == 0]
    annotators = [name for part, *_, name in rows if part == 1]
    speakers = [(pk, name) for part, pk, _, _, name in rows if part == 2]
    return links, annotators, speakers


def matching(document_ids, annotations_where, links_where):
    """What the filters keep, by one statement: the spans of the annotations kept (one entry per
    annotation) and the (source, target) spans of the links kept; `*_where` as annotation_page's."""
    tables = _tables()
    parts, params = [], []
    if annotations_where is not None:
        parts.append(
            "SELECT 0, a.span_id, NULL FROM {annotation} a JOIN {span} s ON s.id = a.span_id "
            f"JOIN {{user}} u ON u.id = a.author_id WHERE s.document_id IN ({_marks(document_ids)})"
            + annotations_where[0]
        )
        params += [*document_ids, *annotations_where[1]]
    if links_where is not None:
        touching, touching_params = _touching(document_ids)
        parts.append(
            "SELECT 1, k.source_id, k.target_id FROM {link} k JOIN {span} s ON s.id = k.source_id "
            f"JOIN {{span}} t ON t.id = k.target_id JOIN {{user}} u ON u.id = k.author_id "
            f"WHERE {touching}" + links_where[0]
        )
        params += [*touching_params, *links_where[1]]
    if not parts:
        return [], []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(part.format(**tables) for part in parts), params)
        rows = cursor.fetchall()
    return [span for part, span, _ in rows if part == 0], [(s, t) for part, s, t in rows if part == 1]


def count(document_ids, author=None):
    """How many annotations the documents hold (the viewer's own only, in blind mode)."""
    tables = _tables()
    sql = (
        f"SELECT COUNT(*) FROM {tables['annotation']} a JOIN {tables['span']} s ON s.id = a.span_id "
        f"WHERE s.document_id IN ({_marks(document_ids)})"
    )
    params = list(document_ids)
    if author is not None:
        sql += " AND a.author_id = %s"
        params.append(author)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


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
