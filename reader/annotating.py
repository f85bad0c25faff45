"""Writes that touch several objects: keyword-only, validated, atomic.

Each function either does all of its work or raises and writes nothing. Views catch
`AnnotatingError` (and `text.SelectionError`) and answer with the error's status and message.

Written for several people at once (DESIGN, "Writes when several people work at once"):
- each function loads the rows it changes *inside* its transaction, locked (`select_for_update`
  on PostgreSQL; SQLite's IMMEDIATE transaction takes the write lock at BEGIN), and checks them
  there, never against a copy loaded before;
- an edit names the `version` its form was made from: another version means someone changed the
  row meanwhile, and the edit is refused (`Stale`, 409) with what changed, instead of overwriting it;
- each write touches only its own columns, by a conditional UPDATE: a review (status columns) and
  an edit (content columns) of the same row both survive, and an edit racing a delete finds the
  row gone (`Gone`, 410) instead of inserting it again, as `save()` would;
- offsets are checked against the text as committed, with the document locked against a text
  edit until the write commits.
"""

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from reader import names
from reader import text as textlib
from reader.models import (
    Annotation,
    Comparison,
    Deletion,
    Document,
    Label,
    Link,
    Span,
    Speaker,
    SpeakerName,
    Status,
    alias_lines,
    fold_name,
    span_natural_key,
    user_is_curator,
)


class AnnotatingError(Exception):
    status = 400


class NotAllowed(AnnotatingError):
    status = 403


class Conflict(AnnotatingError):
    status = 409


class Gone(AnnotatingError):
    """The row was deleted meanwhile: nothing was written, and nothing comes back."""

    status = 410


@dataclass
class Stale(Conflict):
    """The form was made from an older version of the row. `current` is the row as it is now;
    `changed` names the fields that differ from what the form showed, {field: (then, now)}."""

    message: str
    current: object = None
    changed: dict = field(default_factory=dict)

    def __post_init__(self):
        super().__init__(self.message)

    def __str__(self):
        return self.message


def _stale(row, version, what, *, seen=None):
    """The Stale error for `row` when its form showed `version` (and, field by field, `seen`)."""
    changed = {}
    for name, then in (seen or {}).items():
        now = _shown(row, name)
        if then is not None and then != now:
            changed[name] = (then, now)
    when = timezone.localtime(row.modified).strftime("%H:%M:%S") if getattr(row, "modified", None) else ""
    return Stale(
        f"This {what} was changed by someone else since you opened it (version {version} → "
        f"{row.version}{f', at {when}' if when else ''}). Nothing was saved: look at the change, "
        "then apply yours again.",
        current=row,
        changed=changed,
    )


def _shown(row, name):
    """A field as its form shows it: names rather than ids."""
    if name == "label":
        return row.label.name
    if name == "speaker_name":
        return row.speaker.name if row.speaker else ""
    return getattr(row, name)


def _locked(queryset, pk, what):
    """The row, locked until the transaction ends; Gone when it was deleted meanwhile."""
    row = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise Gone(f"This {what} was deleted by someone else meanwhile; nothing was saved. Reload the page.")
    return row


def _check_version(row, version, what, *, seen=None):
    if version is not None and version != row.version:
        raise _stale(row, version, what, seen=seen)


def _ensure_can_change(annotation, user):
    if not annotation.can_change(user):
        raise NotAllowed(f"This annotation is {annotation.author}'s: only they or a curator can change it.")


# --- Offsets are checked against the text as committed ---------------------------------------


def document_for_offsets(document_id, *, seen_sha256=None) -> Document:
    """The document as committed, its text protected from edits until this transaction ends.

    A text edit locks the row for update; a write that checks offsets locks it for share (on
    PostgreSQL: writers of one document do not queue behind each other, only behind an edit; on
    SQLite the IMMEDIATE transaction already excludes every other writer). `seen_sha256` is the
    digest of the text the page showed: a selection from an older text is refused whole.

    The row is read without its text, which comes from `committed_text` by the digest read here:
    the same characters, without reading a long article from the database on every write.
    """
    if not transaction.get_connection().in_atomic_block:  # pragma: no cover - a programming error
        raise RuntimeError("document_for_offsets() must run inside the write's transaction.")
    share = " FOR SHARE" if connection.features.has_select_for_update else ""
    table = Document._meta.db_table
    found = list(
        Document.objects.raw(
            f"SELECT id, slug, text_sha256, language FROM {table} WHERE id = %s{share}",  # noqa: S608
            [document_id],
        )
    )
    if not found:
        raise Gone("This article was deleted meanwhile; nothing was saved.")
    document = found[0]
    if seen_sha256 and seen_sha256 != document.text_sha256:
        raise textlib.StaleSelection(
            "The text of this article was edited since you opened the page, so your selection may "
            "point at other words; nothing was saved. Reload the page and select again."
        )
    document.text = committed_text(document.pk, document.text_sha256)
    return document


class _Texts:
    """Texts by (document id, SHA-256 of the text), the least recently used dropped past
    `most` characters in all. A digest names its characters, so a text found here is the text
    committed under that digest; a 2 MB article cost every write on it 4 ms to read and decode."""

    def __init__(self, most):
        self.most, self.held, self.size = most, OrderedDict(), 0
        self.lock = threading.Lock()

    def get(self, key, read):
        with self.lock:
            text = self.held.get(key)
            if text is not None:
                self.held.move_to_end(key)
                return text
        text = read()
        with self.lock:
            if key not in self.held and len(text) <= self.most:
                self.held[key] = text
                self.size += len(text)
                while self.size > self.most:
                    _, dropped = self.held.popitem(last=False)
                    self.size -= len(dropped)
        return text


_texts = _Texts(most=8_000_000)


def committed_text(document_id, sha256) -> str:
    """The text of this document whose digest is `sha256`: read from the database unless this
    process holds it (a text edit changes the digest, so an old text is never returned)."""

    def read():
        # The stored digest is written with the text, in the same row: asking for both at once
        # never pairs a digest with another text.
        text = (
            Document.objects.filter(pk=document_id, text_sha256=sha256).values_list("text", flat=True).first()
        )
        if text is None:
            raise Gone("This article was edited or deleted meanwhile; nothing was saved.")
        return text

    return _texts.get((document_id, sha256), read)


def with_committed_text(document) -> Document:
    """`document`, read without its text (`defer("text")`), given the text committed under the
    digest it was read with: a long article is then read from the database once per process and
    text, not on every write's answer and every panel.

    When that text was edited away meanwhile and this process does not hold it, the row is read
    again, text and digest together: the document then carries the newer digest, so anything that
    checks its digest against the spans it reads (highlights.changed_units) sees the edit."""
    if "text" not in document.get_deferred_fields():
        return document
    try:
        document.text = committed_text(document.pk, document.text_sha256)
    except Gone:
        row = Document.objects.filter(pk=document.pk).values_list("text", "text_sha256").first()
        if row is None:
            raise
        document.text, document.text_sha256 = row
        _texts.get((document.pk, document.text_sha256), lambda: document.text)
    return document


def span_get_or_create(*, document, start, end, exact, user) -> Span:
    """The span the browser selected, trimmed of outer whitespace, created if new.

    `document` must come from `document_for_offsets` in the same transaction."""
    if exact is None:  # a suggestion: the server's own words at these offsets
        exact = document.text[start:end] if 0 <= start < end <= len(document.text) else ""
    start, end = textlib.check_selection(document.text, start, end, exact)
    prefix, suffix = textlib.context(document.text, start, end)
    key = {"document_id": document.pk, "start": start, "end": end}
    fields = {"exact": document.text[start:end], "prefix": prefix, "suffix": suffix, "created_by": user}
    # Insert first: tagging new words is the common case, and this spares it a SELECT. An
    # existing span is locked, so a delete of its last annotation cannot remove it under us; if
    # that delete won the race the span is gone and is made again.
    for _ in range(3):
        span = Span(**key, **fields)
        if not _insert_new(span, ("document", "start", "end")):
            span = Span.objects.select_for_update(of=("self",)).filter(**key).first()
        if span is not None:
            span.document = document  # spares a query of the whole text
            return span
    raise Conflict(
        "This highlight is being changed by someone else right now; try again."
    )  # pragma: no cover


def _insert_new(row, unique) -> bool:
    """Insert `row` unless one with the same `unique` fields (a unique constraint's) exists:
    True, and `row` has its id, when it was inserted. One statement, INSERT … ON CONFLICT DO
    NOTHING RETURNING (PostgreSQL, and SQLite since 3.35): a save() in a savepoint, rolled back
    on IntegrityError, cost three statements and most of a create's time in the ORM."""
    meta = type(row)._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    target = ", ".join(quote(meta.get_field(name).column) for name in unique)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({target}) DO NOTHING RETURNING {quote(meta.pk.column)}",
            values,
        )
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    row.pk = inserted[0]
    row._state.adding, row._state.db = False, connection.alias
    return True


def _insert_or_get(model, key, **fields):
    """Like get_or_create, but insert first; the unique constraint on `key` settles a race."""
    row = model(**key, **fields)
    if _insert_new(row, tuple(key)):
        return row, True
    return model.objects.get(**key), False


def _speakers_named_near(document_id) -> list[names.Known]:
    """The speakers a span of this document, or of one compared with it, names (an annotation's
    speaker, or an attribution's source), as the pure name resolver knows them: those a news
    short form ("Rouhani", "Mr. Rouhani") may refer to. One plain statement: every new speaker
    tag asks, and the ORM's join for the same cost four times as much as running it."""
    from reader.models import Attribution

    speaker, annotation, span = Speaker._meta.db_table, Annotation._meta.db_table, Span._meta.db_table
    comparison, attribution = Comparison._meta.db_table, Attribution._meta.db_table
    documents = (
        f"SELECT CAST(%s AS BIGINT) UNION SELECT left_id FROM {comparison} WHERE right_id = %s "
        f"UNION SELECT right_id FROM {comparison} WHERE left_id = %s"
    )
    sql = (
        f"WITH d(id) AS ({documents}) SELECT p.id, p.name, p.aliases, p.kind FROM {speaker} p "
        f"WHERE p.id IN (SELECT a.speaker_id FROM {annotation} a JOIN {span} s ON s.id = a.span_id "
        f"WHERE s.document_id IN (SELECT id FROM d)) "
        f"OR p.id IN (SELECT t.speaker_id FROM {attribution} t WHERE t.document_id IN (SELECT id FROM d))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [document_id] * 3)
        rows = cursor.fetchall()
    return [
        names.Known(id=pk, name=name, aliases=tuple(alias_lines(aliases)), kind=kind)
        for pk, name, aliases, kind in rows
    ]


def speaker_resolve(*, name, document_id=None) -> Speaker | None:
    """The speaker called `name`: by name or alias (ignoring case); else, given the document the
    name is read on, the one speaker named there (or in its comparison) whose name this is a news
    form of ("Zimmerman" and "Mr. Zimmerman" after "George Zimmerman"; see reader.names; an
    ambiguous form is never guessed); else a new speaker of that name."""
    name = " ".join(name.split())
    if not name:
        return None
    found = Speaker.objects.matching(name)
    if found:
        return found[0]
    if document_id is not None:
        near = names.resolve(name, _speakers_named_near(document_id))
        if near is not None:
            return Speaker.objects.get(pk=near.id)
    speaker, created = _insert_or_get(Speaker, {"name": name})
    if created:  # named by the mention alone: its one name is all there is to index
        SpeakerName.objects.create(speaker=speaker, folded=fold_name(name))
    return speaker


# --- Annotations --------------------------------------------------------------------------------


@transaction.atomic
def annotation_create(*, document, start, end, exact, label, author, seen_sha256=None) -> Annotation:
    """Tag a selection with a label. Tagging the same span with the same label again
    returns the existing annotation, so a double click or a retried request adds nothing.

    `document` is a Document or its id: either way its text is read again, locked, here."""
    document = document_for_offsets(getattr(document, "pk", document), seen_sha256=seen_sha256)
    span = span_get_or_create(document=document, start=start, end=end, exact=exact, user=author)
    annotation, created = _insert_or_get(Annotation, {"span": span, "label": label, "author": author})
    annotation.span = span  # a retried request finds its annotation: the view shows its span
    if created and label.kind == Label.Kind.SPEAKER:
        # A mention resolves at once: to the speaker it names (by name or alias), else to a new
        # speaker named by the mention. Stored now, not when a form is saved: a reader who
        # tags and moves on leaves no mention without its speaker. The panel can change it.
        speaker = speaker_resolve(name=mention_name(span.exact), document_id=span.document_id)
        if speaker is not None:
            Annotation.objects.filter(pk=annotation.pk).update(speaker=speaker)
            annotation.speaker = speaker
    return annotation


_POSSESSIVE = re.compile(r"(?<=\w)['’]s?$")
_WRAPPING = "\"'“”‘’«»()[],.;:!?"


def mention_name(words: str) -> str:
    """The name a mention gives, as a speaker is called: "Rouhani's" → "Rouhani", quotes and
    punctuation around it dropped, whitespace made single."""
    name = " ".join(words.split()).strip(_WRAPPING + " ")
    return _POSSESSIVE.sub("", name).strip(_WRAPPING + " ")


ANNOTATION_FIELDS = ("label", "speaker_name", "cue", "note")


@transaction.atomic
def annotation_update(
    *, annotation, user, label, speaker_name="", cue="", note="", version=None, seen=None
) -> Annotation:
    """Change an annotation's label, speaker, cue or note: only the fields that differ are written.

    `version` is the version the form was made from (None skips the check, for scripts); `seen`
    the values the form showed ({field: value}), so a refusal can say what changed meanwhile."""
    row = _locked(
        Annotation.objects.select_related("label", "speaker", "author"), annotation.pk, "annotation"
    )
    _ensure_can_change(row, user)
    _check_version(row, version, "annotation", seen=seen)
    changes = {}
    if label.pk != row.label_id:
        if (
            Annotation.objects.filter(span=row.span_id, label=label, author=row.author_id)
            .exclude(pk=row.pk)
            .exists()
        ):
            raise Conflict(f"This span is already tagged “{label.name}” by {row.author}.")
        changes["label"] = label
    wanted = " ".join(speaker_name.split())
    current = row.speaker
    if not wanted and current is not None:
        changes["speaker"] = None
    elif wanted and (current is None or wanted.casefold() not in {n.casefold() for n in current.names}):
        changes["speaker"] = speaker_resolve(name=wanted, document_id=row.span.document_id)
    for name, value in (("cue", cue.strip()), ("note", note.strip())):
        if value != getattr(row, name):
            changes[name] = value
    if changes:
        _update(row, **changes)
        if row.label.kind in (Label.Kind.QUOTE, Label.Kind.CLAIM) and row.speaker is not None and row.cue:
            _attribute(row, user)
    return row


def _attribute(annotation, user):
    """A quote or claim given a speaker and a cue is an attribution: made here when its words
    have none, its cue found in the text nearest them (DESIGN: attributions)."""
    from reader.models import Attribution

    span = Span.objects.get(pk=annotation.span_id)
    if Attribution.objects.filter(content=span).exists():
        return
    document = document_for_offsets(span.document_id)
    found = textlib.nearest_occurrence(document.text, annotation.cue, span.start, span.end)
    cue = None
    if found is not None:
        cue = span_get_or_create(document=document, start=found[0], end=found[1], exact=None, user=user)
    Attribution.objects.create(
        document_id=span.document_id,
        content=span,
        cue=cue,
        kind=textlib.quotation_kind(span.exact),
        speaker=annotation.speaker,
        author=user,
        note="" if cue else f"The cue “{annotation.cue}” was not found near the words.",
    )


def _update(row, **changes):
    """Write only `changes`, bump the version, and keep `row` in step with the database."""
    now = timezone.now()
    type(row).objects.filter(pk=row.pk, version=row.version).update(
        **changes, version=F("version") + 1, modified=now
    )
    for name, value in changes.items():
        setattr(row, name, value)
    row.version += 1
    row.modified = now


@transaction.atomic
def annotation_delete(*, annotation, user, version=None) -> None:
    """Delete an annotation; its span goes too once nothing else refers to it. A delete from a
    form made before someone else's edit is refused: they would lose that edit unseen."""
    row = _locked(Annotation.objects.select_related("label", "author"), annotation.pk, "annotation")
    _ensure_can_change(row, user)
    _check_version(row, version, "annotation")
    span = (
        Span.objects.select_for_update(of=("self",))
        .select_related("document")
        .defer("document__text")  # its slug names the deletion
        .get(pk=row.span_id)
    )
    deletions_record(kind=Deletion.Kind.ANNOTATION, keys=[_annotation_key(row, span)], user=user)
    row.delete()
    _delete_if_unused(span)


def _annotation_key(annotation, span):
    return Deletion.annotation_key(
        span_key=span_natural_key(document_slug=span.document.slug, start=span.start, end=span.end),
        label=annotation.label.name,
        author=annotation.author.get_username(),
    )


def deletions_record(*, kind, keys, user) -> None:
    """Remember what was deleted, by natural key, so an older import file cannot bring it back
    unseen. Deleting the same thing again only moves the date."""
    now = timezone.now()
    deleted_by = user if getattr(user, "is_authenticated", False) else None
    for key in keys:
        Deletion.objects.update_or_create(
            kind=kind, key=key, defaults={"deleted": now, "deleted_by": deleted_by}
        )


def deletions_record_for(queryset, *, user) -> None:
    """Remember every row `queryset` is about to delete, and what deleting it cascades to."""
    model = queryset.model
    if model is Annotation:
        deletions_record(kind=Deletion.Kind.ANNOTATION, keys=annotation_keys(queryset), user=user)
    elif model is Link:
        deletions_record(kind=Deletion.Kind.LINK, keys=link_keys(queryset), user=user)
    elif model is Speaker:
        deletions_record(
            kind=Deletion.Kind.SPEAKER, keys=list(queryset.values_list("name", flat=True)), user=user
        )
    elif model in (Span, Document):
        field = "span__document" if model is Document else "span"
        ids = queryset.values("pk")
        deletions_record_for(Annotation.objects.filter(**{f"{field}__in": ids}), user=user)
        end = "document__in" if model is Document else "in"
        deletions_record_for(
            Link.objects.filter(Q(**{f"source__{end}": ids}) | Q(**{f"target__{end}": ids})), user=user
        )
        if model is Document:
            deletions_record(
                kind=Deletion.Kind.DOCUMENT, keys=list(queryset.values_list("slug", flat=True)), user=user
            )


def annotation_keys(queryset) -> list[str]:
    rows = queryset.values_list(
        "span__document__slug", "span__start", "span__end", "label__name", "author__username"
    )
    return [
        Deletion.annotation_key(
            span_key=span_natural_key(document_slug=slug, start=start, end=end), label=label, author=author
        )
        for slug, start, end, label, author in rows
    ]


def link_keys(queryset) -> list[str]:
    rows = queryset.values_list(
        "source__document__slug",
        "source__start",
        "source__end",
        "target__document__slug",
        "target__start",
        "target__end",
        "relation",
    )
    return [
        Deletion.link_key(
            source=span_natural_key(document_slug=s_slug, start=s_start, end=s_end),
            target=span_natural_key(document_slug=t_slug, start=t_start, end=t_end),
            relation=relation,
        )
        for s_slug, s_start, s_end, t_slug, t_start, t_end, relation in rows
    ]


# --- Links --------------------------------------------------------------------------------------


def _either_way(a, b):
    # A contradicts B is the same link as B contradicts A.
    return Q(source=a, target=b) | Q(source=b, target=a)


def _ensure_can_change_link(link, user):
    if not link.can_change(user):
        raise NotAllowed(f"This link is {link.author}'s: only they or a curator can change it.")


def _locked_spans(*spans):
    """The spans, locked against a delete until the write commits (a link to a span deleted
    meanwhile would fail at commit, when the database checks its foreign keys)."""
    ids = [getattr(span, "pk", span) for span in spans]
    found = {span.pk: span for span in Span.objects.select_for_update(of=("self",)).filter(pk__in=ids)}
    if len(found) < len(set(ids)):
        raise Gone("A highlight you are linking was deleted by someone else meanwhile; reload the page.")
    return [found[pk] for pk in ids]


@transaction.atomic
def link_create(*, source, target, relation, note="", author) -> Link:
    """Link a span to its counterpart in another document."""
    if getattr(source, "pk", source) == getattr(target, "pk", target):
        raise AnnotatingError("A span cannot be linked to itself: pick its counterpart in the other article.")
    source, target = _locked_spans(source, target)
    if source.document_id == target.document_id:
        raise AnnotatingError(
            "Both spans are in the same article: a link joins a span to its counterpart in the other one."
        )
    if Link.objects.filter(_either_way(source.pk, target.pk), relation=relation).exists():
        raise Conflict(f"These two spans are already linked as “{relation}”.")
    try:
        with transaction.atomic():
            return Link.objects.create(
                source=source, target=target, relation=relation, note=note.strip(), author=author
            )
    except IntegrityError as error:  # a concurrent identical link won the race
        raise Conflict(f"These two spans are already linked as “{relation}”.") from error


@transaction.atomic
def link_to_selection(
    *, source, document, start, end, exact, label, relation, note="", author, seen_sha256=None
) -> Link:
    """Link a span to new text selected in the other article, tagging that text as well."""
    (source,) = _locked_spans(source)
    if getattr(document, "pk", document) == source.document_id:
        raise AnnotatingError(
            "Select the counterpart in the other article: a link joins spans of two different articles."
        )
    text = document_for_offsets(getattr(document, "pk", document), seen_sha256=seen_sha256)
    existing = _existing_span(text, start, end, exact)
    if existing is not None:
        # The words are a highlight already: link to it as it is, its labels untouched.
        return link_create(source=source, target=existing, relation=relation, note=note, author=author)
    if label is None:
        raise AnnotatingError("Choose a label for the new text in the other article.")
    annotation = annotation_create(
        document=document,
        start=start,
        end=end,
        exact=exact,
        label=label,
        author=author,
        seen_sha256=seen_sha256,
    )
    return link_create(source=source, target=annotation.span, relation=relation, note=note, author=author)


def _existing_span(document, start, end, exact):
    """The span at exactly this selection (trimmed), if the text there is what was seen.
    `document` comes from `document_for_offsets` in the same transaction."""
    if exact is None:
        exact = document.text[start:end] if 0 <= start < end <= len(document.text) else ""
    start, end = textlib.check_selection(document.text, start, end, exact)
    return Span.objects.filter(document=document.pk, start=start, end=end).first()


@transaction.atomic
def link_update(*, link, user, relation, note="", version=None, seen=None) -> Link:
    row = _locked(Link.objects.select_related("author"), link.pk, "link")
    _ensure_can_change_link(row, user)
    _check_version(row, version, "link", seen=seen)
    changes = {}
    if relation != row.relation:
        if (
            Link.objects.filter(_either_way(row.source_id, row.target_id), relation=relation)
            .exclude(pk=row.pk)
            .exists()
        ):
            raise Conflict(f"These two spans are already linked as “{relation}”.")
        changes["relation"] = relation
    if note.strip() != row.note:
        changes["note"] = note.strip()
    if changes:
        _update(row, **changes)
    return row


@transaction.atomic
def link_delete(*, link, user, version=None) -> None:
    """Delete a link; spans that nothing refers to any more go too."""
    row = _locked(Link.objects.select_related("author"), link.pk, "link")
    _ensure_can_change_link(row, user)
    _check_version(row, version, "link")
    spans = _locked_spans(row.source_id, row.target_id)
    deletions_record(kind=Deletion.Kind.LINK, keys=link_keys(Link.objects.filter(pk=row.pk)), user=user)
    row.delete()
    for span in spans:
        _delete_if_unused(span)


def _delete_if_unused(span):
    """Delete a span nothing refers to. The caller holds its lock, so a link or an annotation
    made meanwhile is either committed (and seen here) or waits and then finds it gone."""
    if not span_in_use(span):
        span.delete()


def span_in_use(span) -> bool:
    """Whether anything refers to the span: an annotation, a link, or an attribution (as its
    content, a piece of it, its cue or its source)."""
    return (
        span.annotations.exists()
        or span.links_out.exists()
        or span.links_in.exists()
        or span.attributions_as_content.exists()
        or span.attributions_as_more_content.exists()
        or span.attributions_as_cue.exists()
        or span.attributions_as_source.exists()
    )


def unique_slug(model, text, *, max_length=80):
    base = slugify(text)[:max_length].strip("-") or "untitled"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base[: max_length - 4]}-{n}"
    return slug


@dataclass
class NewComparison:
    comparison: Comparison
    created: bool = True
    reused: list = field(default_factory=list)  # documents already here, used instead of a copy


@transaction.atomic
def comparison_create(*, left: dict, right: dict, created_by, title="") -> NewComparison:
    """Two documents (field dicts as the article form cleans them) and their comparison.

    An article already here with the same text is used, not copied ("…-2" twins would split its
    annotations in two), and a comparison of the same two articles is offered rather than made
    again."""
    documents, reused = [], []
    for fields in (left, right):
        existing = Document.objects.filter(text_sha256=textlib.sha256(fields["text"])).order_by("pk").first()
        if existing is not None and existing.text == fields["text"]:
            documents.append(existing)
            reused.append(existing)
            continue
        document = Document(slug=unique_slug(Document, fields["title"]), **fields)
        document.save()
        documents.append(document)
    if documents[0].pk == documents[1].pk:
        raise AnnotatingError("Both sides hold the same text: a comparison needs two different articles.")
    if len(reused) == 2:
        found = Comparison.objects.filter(
            Q(left=documents[0], right=documents[1]) | Q(left=documents[1], right=documents[0])
        ).first()
        if found is not None:
            return NewComparison(found, created=False, reused=reused)
    title = title or f"{documents[0].title} / {documents[1].title}"
    try:
        comparison = Comparison.objects.create(
            slug=unique_slug(Comparison, title),
            title=title[:300],
            left=documents[0],
            right=documents[1],
            created_by=created_by,
        )
    except IntegrityError as error:  # pragma: no cover - two concurrent identical titles
        raise Conflict("Another comparison was created with this title at the same moment.") from error
    return NewComparison(comparison, reused=reused)


# --- Curation -----------------------------------------------------------------------------------


@transaction.atomic
def review(*, items, status, reviewer) -> int:
    """Accept, reject or reset to pending a queryset of annotations or links; returns how many.

    Every decision records who made it and when; accepting or rejecting also records which
    version the curator saw (a reset to pending vouches for none). A dated reset lets an import
    tell it from "never reviewed", so an older file's accept cannot undo it.

    Only the review columns are written, in one conditional UPDATE: an edit of the same rows,
    before or after, survives (the version is not bumped; `edited_since_review` shows an
    accepted row that changed afterwards). Rows deleted meanwhile are not counted.
    """
    if not user_is_curator(reviewer):
        raise NotAllowed("Only curators review annotations and links: ask a curator.")
    if status not in Status.values:
        raise AnnotatingError(f"Unknown status {status!r}: choose one of {', '.join(Status.values)}.")
    fields = {
        "status": status,
        "reviewed_by": reviewer,
        "reviewed_at": timezone.now(),
        # A reset is dated like any decision, but vouches for no version of the content.
        "reviewed_version": None if status == Status.PENDING else F("version"),
    }
    # By primary key: the queryset may come from an admin list with joins, distinct or ordering.
    return items.model.objects.filter(pk__in=items.order_by().values("pk")).update(**fields)


def _casefold_unique(names):
    seen, kept = set(), []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


@transaction.atomic
def speakers_merge(*, keep, others, user=None) -> int:
    """Merge speakers into `keep`: their annotations move to it, their names become its aliases,
    and they are deleted. Returns the number of annotations moved. Reads every speaker again,
    locked: names or aliases added meanwhile are kept, not overwritten by a copy from before."""
    ids = [other.pk for other in others if other.pk != keep.pk]
    if not ids:
        raise AnnotatingError(f"Choose at least one other speaker to merge into “{keep.name}”.")
    keep = _locked(Speaker.objects.all(), keep.pk, "speaker")
    others = list(Speaker.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("name"))
    if not others:
        raise Gone("The speakers to merge were deleted meanwhile.")
    moved = Annotation.objects.filter(speaker__in=others).update(
        speaker=keep, modified=timezone.now(), version=F("version") + 1
    )
    names = _casefold_unique([keep.name, *keep.alias_list, *(n for other in others for n in other.names)])
    changes = {"aliases": "\n".join(names[1:])}
    if not keep.description.strip():
        changes["description"] = "\n\n".join(o.description for o in others if o.description.strip())
    Speaker.objects.filter(pk__in=[other.pk for other in others]).delete()
    _update(keep, **changes)
    SpeakerName.objects.index([keep.pk])
    return moved


@transaction.atomic
def document_edit(*, document, version, changes: dict, user=None) -> "Reanchored | None":
    """Save a curator's edit of a document (the admin's form): only the changed fields, refused
    when the document changed since the form was made. A new text re-anchors every span, with
    the document locked for update, so no write that checks offsets interleaves with it."""
    row = _locked(Document.objects.all(), document.pk, "document")
    _check_version(row, version, "document")
    text = changes.pop("text", None)
    for name, value in changes.items():
        setattr(row, name, value)
    row.version += 1
    if text is not None and textlib.normalise_newlines(text) != row.text:
        return document_text_update(document=row, text=text)
    row.save(update_fields=[*changes, "version", "modified"])
    return None


@dataclass(frozen=True)
class Reanchored:
    """What a text edit did to the spans on the document."""

    moved: int = 0  # the same words, at new offsets (or found again after being orphaned)
    found_again: int = 0  # found near where they were, with words the edit changed
    orphaned: int = 0  # not found with confidence: kept with their old quote and offsets
    unchanged: int = 0  # the same words at the same offsets

    def __str__(self):
        def spans(n):
            return f"{n} span{'' if n == 1 else 's'}"

        found_again = f"{self.found_again} found again with changed words, " if self.found_again else ""
        return (
            f"{spans(self.moved)} moved, {found_again}{self.orphaned} orphaned, {self.unchanged} unchanged."
        )


_BATCH = 500  # rows per UPDATE … WHERE pk IN (…): under SQLite's oldest limit of 999 parameters


def _in_batches(pks):
    pks = list(pks)
    return [pks[i : i + _BATCH] for i in range(0, len(pks), _BATCH)]


@transaction.atomic
def document_text_update(*, document, text) -> Reanchored:
    """Replace a document's text and carry every span on it through the edit.

    Spans the edit left alone move by the diff; spans it touched are looked for near where they
    were (see `text.reanchor_all`). A span found takes its new offsets (and, if its words changed,
    the new words); one not found is marked orphaned and keeps its old offsets and quote, so a
    curator can see what it held. Nothing is deleted, and only spans that changed are written.
    Saves `document` with its other fields as they are.
    """
    text = textlib.normalise_newlines(text)
    if not text.strip():
        raise AnnotatingError("A document's text cannot be empty.")
    old_text = Document.objects.values_list("text", flat=True).get(pk=document.pk)
    document.text = text
    document.save()
    spans = Span.objects.filter(document=document)
    if text == old_text:  # only other fields changed: every span stays as it is
        orphaned = list(spans.values_list("orphaned", flat=True))
        return Reanchored(orphaned=sum(orphaned), unchanged=len(orphaned) - sum(orphaned))
    rows = list(
        spans.select_for_update(of=("self",)).values_list(
            "pk", "start", "end", "exact", "prefix", "suffix", "orphaned"
        )
    )
    anchors = textlib.reanchor_all(old_text, text, [row[:6] for row in rows])
    old = {pk: (start, end) for pk, start, end, *_ in rows}
    new = {pk: anchor and (anchor.start, anchor.end) for pk, anchor in anchors.items()}
    _give_way(old, new, {pk for pk, anchor in anchors.items() if anchor and anchor.how == textlib.MAPPED})

    counts = {"moved": 0, "found_again": 0, "orphaned": 0, "unchanged": 0}
    orphaning, moving, shifting, rewritten = [], [], {}, []
    for pk, start, end, exact, prefix, suffix, orphaned in rows:
        if new[pk] is None:
            counts["orphaned"] += 1
            if not orphaned:
                orphaning.append(pk)
            continue
        new_start, new_end = new[pk]
        words = text[new_start:new_end]
        context = textlib.context(text, new_start, new_end)
        if words != exact:
            counts["found_again"] += 1
        elif (new_start, new_end) == (start, end) and not orphaned:
            counts["unchanged"] += 1
        else:
            counts["moved"] += 1
        if (new_start, new_end) != (start, end):
            moving.append(pk)
        if words == exact and context == (prefix, suffix) and not orphaned:
            if new_start != start:
                shifting.setdefault(new_start - start, []).append(pk)
        else:
            rewritten.append(Span(pk, start=new_start, end=new_end, exact=words, orphaned=False))
            rewritten[-1].prefix, rewritten[-1].suffix = context
    # Offsets are unique per document and checked row by row, so spans that trade places would
    # collide half-way: park the moving ones beyond every offset first, then set them. Spans the
    # diff shifted by the same amount move in one statement per batch.
    parking = max([len(text), *(end for _, end in old.values())]) + 1
    for batch in _in_batches(moving):
        Span.objects.filter(pk__in=batch).update(start=F("start") + parking, end=F("end") + parking)
    for shift, pks in shifting.items():
        for batch in _in_batches(pks):
            Span.objects.filter(pk__in=batch).update(
                start=F("start") + (shift - parking), end=F("end") + (shift - parking)
            )
    fields = ["start", "end", "exact", "prefix", "suffix", "orphaned"]
    Span.objects.bulk_update(rewritten, fields, batch_size=_BATCH)
    for batch in _in_batches(orphaning):
        Span.objects.filter(pk__in=batch).update(orphaned=True)
    return Reanchored(**counts)


def _give_way(old, new, carried=frozenset()):
    """Two spans may be found at the same place (their texts merged): one keeps the place, the
    others are orphaned. An orphan keeps its old offsets, so it wins there; then a span the diff
    carried (`carried`: its words untouched), then one staying where it was, then the oldest. The
    offsets orphans keep may in turn take the place another span was found at, so repeat until
    nothing collides."""
    while True:
        places = {}
        for pk in old:
            places.setdefault(new[pk] or old[pk], []).append(pk)
        crowded = [pks for pks in places.values() if len(pks) > 1]
        if not crowded:
            return
        for pks in crowded:
            winner = min(pks, key=lambda pk: (new[pk] is not None, pk not in carried, new[pk] != old[pk], pk))
            for pk in pks:
                if pk != winner:
                    new[pk] = None


# --- Adjudication -------------------------------------------------------------------------------
#
# A curator settles where annotators differ: the final version is accepted, the competing ones
# rejected, and a version the curator writes (or merges) is theirs. Each candidate is passed as
# the page saw it (pk, version, status): a candidate edited or reviewed since is refused (409),
# one deleted is Gone (410), and nothing is written.

from reader.models import AgreementSample, Relation  # noqa: E402


def _ensure_curator(user):
    if not user_is_curator(user):
        raise NotAllowed("Only curators adjudicate: ask a curator.")


def _locked_as_seen(seen_rows):
    """The rows, locked in primary-key order (so two adjudications cannot deadlock), each as it is
    now; Stale when one was edited or reviewed since the page showed it."""
    rows = []
    for seen in sorted(seen_rows, key=lambda row: (type(row).__name__, row.pk)):
        model = type(seen)
        what = model._meta.verbose_name
        row = _locked(model.objects.select_related("author", "reviewed_by"), seen.pk, what)
        _check_version(row, seen.version, what)
        if seen.status != row.status:
            who = f" by {row.reviewed_by}" if row.reviewed_by else ""
            raise Stale(
                f"This {what} was marked {row.status}{who} since you opened the page. Nothing was saved: "
                "reload the page to see the decision.",
                current=row,
                changed={"status": (seen.status, row.status)},
            )
        rows.append(row)
    return {(type(row), row.pk): row for row in rows}


def _decide(rows, *, accepted, curator):
    """Accept `accepted` (a locked row or None) and reject the other `rows`: review columns only."""
    now = timezone.now()
    for row in rows:
        status = Status.ACCEPTED if accepted is not None and row.pk == accepted.pk else Status.REJECTED
        fields = {
            "status": status,
            "reviewed_by": curator,
            "reviewed_at": now,
            "reviewed_version": row.version,
        }
        type(row).objects.filter(pk=row.pk).update(**fields)
        for name, value in fields.items():
            setattr(row, name, value)


@transaction.atomic
def adjudicate_pick(*, chosen, others, curator) -> list:
    """Make `chosen` (an annotation or a link as the page saw it, or None for "neither") the final
    version: accepted and reviewed by `curator`; `others` are rejected. Returns the rows decided."""
    _ensure_curator(curator)
    seen = [row for row in [chosen, *others] if row is not None]
    if not seen:
        raise AnnotatingError("Nothing to decide on: choose an annotation.")
    if len({type(row) for row in seen}) > 1:
        raise AnnotatingError("Choose between annotations, or between links, not both at once.")
    rows = _locked_as_seen(seen)
    final = rows[type(chosen), chosen.pk] if chosen is not None else None
    _decide(list(rows.values()), accepted=final, curator=curator)
    return list(rows.values())


def _same_content(annotation, *, span, label, speaker, cue, note):
    return (
        annotation.span_id == span.pk
        and annotation.label_id == label.pk
        and annotation.speaker_id == (speaker.pk if speaker else None)
        and annotation.cue == cue
        and (not note or note == annotation.note)
    )


@transaction.atomic
def adjudicate_write(
    *, document, start, end, label, speaker_name="", cue="", note="", replaces, curator, seen_sha256=None
) -> Annotation:
    """The final version written (or merged from the candidates) by `curator`: the span `start`–
    `end` of `document` (trimmed, checked against the committed text) with `label`, speaker, cue and
    note. It is accepted and the candidates it `replaces` (as the page saw them) are rejected.

    A final version that says exactly what one candidate says is that candidate, picked: no copy is
    made. Otherwise it is stored as the curator's own annotation (their existing one on that span
    and label, if any, takes the new speaker, cue and note)."""
    _ensure_curator(curator)
    rows = _locked_as_seen(replaces)
    if any(model is not Annotation for model, _ in rows):
        raise AnnotatingError("Only annotations are written here; links are picked.")
    text = document_for_offsets(getattr(document, "pk", document), seen_sha256=seen_sha256)
    # The server's own words at these offsets: out of range, empty or blank is refused there.
    span = span_get_or_create(document=text, start=start, end=end, exact=None, user=curator)
    speaker = speaker_resolve(name=speaker_name, document_id=span.document_id)
    cue, note = cue.strip(), note.strip()
    for row in rows.values():
        if _same_content(row, span=span, label=label, speaker=speaker, cue=cue, note=note):
            _decide(list(rows.values()), accepted=row, curator=curator)
            return row
    final, _ = _insert_or_get(Annotation, {"span": span, "label": label, "author": curator})
    final = _locked(Annotation.objects.select_related("label", "speaker", "author"), final.pk, "annotation")
    changes = {
        name: value
        for name, value in (("speaker", speaker), ("cue", cue), ("note", note or final.note))
        if value != getattr(final, name)
    }
    if changes:
        _update(final, **changes)
    others = [row for row in rows.values() if row.pk != final.pk]
    _decide([final, *others], accepted=final, curator=curator)
    return final


@transaction.atomic
def adjudicate_link_write(*, ends_of, relation, replaces, curator) -> Link:
    """The final link between the ends of `ends_of` (one of the links it `replaces`), with
    `relation`, accepted; the links it `replaces` are rejected. A link that already joins those
    ends with that relation (a candidate's, or anyone's) is accepted instead of a copy."""
    _ensure_curator(curator)
    if relation not in Relation.values:
        raise AnnotatingError(f"Unknown relation {relation!r}: choose one of {', '.join(Relation.values)}.")
    rows = _locked_as_seen(replaces)
    if any(model is not Link for model, _ in rows):
        raise AnnotatingError("Only links are written here.")
    template = rows.get((Link, getattr(ends_of, "pk", None)))
    if template is None:
        raise AnnotatingError("Take the ends of one of the links being replaced.")
    source, target = _locked_spans(template.source_id, template.target_id)
    final = (
        Link.objects.select_for_update(of=("self",))
        .filter(_either_way(source.pk, target.pk), relation=relation)
        .order_by("pk")
        .first()
    )
    if final is None:
        final = Link.objects.create(source=source, target=target, relation=relation, author=curator)
    others = [row for row in rows.values() if row.pk != final.pk]
    _decide([final, *others], accepted=final, curator=curator)
    return final


@transaction.atomic
def adjudicate_accept_agreed(*, units, curator) -> int:
    """Accept what two annotators agree on, unit by unit: each unit is (kept, twins), the page's
    view of one annotation (or link) and of the identical ones of the other annotators. The kept
    one is accepted, its twins rejected (the final layer holds each decision once). A unit whose
    annotations no longer agree is refused. Returns how many units were accepted."""
    _ensure_curator(curator)
    if not units:
        raise AnnotatingError("There is nothing agreed to accept here.")
    for kept, twins in units:
        rows = _locked_as_seen([kept, *twins])
        kept_row = rows[type(kept), kept.pk]
        for twin in (row for row in rows.values() if row.pk != kept_row.pk):
            if _content(twin) != _content(kept_row):
                raise Conflict(
                    "These versions no longer agree (one was changed meanwhile); nothing was saved. "
                    "Reload the page."
                )
        _decide(list(rows.values()), accepted=kept_row, curator=curator)
    return len(units)


def _content(row):
    if isinstance(row, Link):
        return ({row.source_id, row.target_id}, row.relation)
    return (row.span_id, row.label_id, row.speaker_id, " ".join(row.cue.split()).casefold())


@transaction.atomic
def agreement_sample_set(*, comparison, ranges, curator) -> int:
    """Replace the comparison's agreement sample with `ranges` ([(document id, start, end)]);
    no range clears it, and agreement counts the passages each pair both worked on again.
    Returns how many ranges the sample holds."""
    _ensure_curator(curator)
    comparison = _locked(Comparison.objects.all(), comparison.pk, "comparison")
    lengths = {
        pk: len(text)
        for pk, text in Document.objects.filter(pk__in=[comparison.left_id, comparison.right_id]).values_list(
            "pk", "text"
        )
    }
    wanted = set()
    for document, start, end in ranges:
        if document not in lengths:
            raise AnnotatingError("A sample lies in the comparison's two articles only.")
        if not 0 <= start < end <= lengths[document]:
            raise AnnotatingError(
                f"The range {start}–{end} lies outside the article, which has {lengths[document]} characters."
            )
        wanted.add((document, start, end))
    AgreementSample.objects.filter(comparison=comparison).delete()
    AgreementSample.objects.bulk_create(
        AgreementSample(comparison=comparison, document_id=d, start=s, end=e, created_by=curator)
        for d, s, e in sorted(wanted)
    )
    return len(wanted)
