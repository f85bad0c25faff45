"""Writes that touch several objects: keyword-only, validated, atomic.

Each function either does all of its work or raises and writes nothing.
Views catch `AnnotatingError` (and `text.SelectionError`) and answer with
the error's status and message.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from reader import text as textlib
from reader.models import (
    Annotation,
    Comparison,
    Document,
    Label,
    Link,
    Span,
    Speaker,
    Status,
    user_is_curator,
)


class AnnotatingError(Exception):
    status = 400


class NotAllowed(AnnotatingError):
    status = 403


class Conflict(AnnotatingError):
    status = 409


def _ensure_can_change(annotation, user):
    if not annotation.can_change(user):
        raise NotAllowed(f"This annotation is {annotation.author}'s: only they or a curator can change it.")


def span_get_or_create(*, document, start, end, exact, user) -> Span:
    """The span the browser selected, trimmed of outer whitespace, created if new."""
    start, end = textlib.check_selection(document.text, start, end, exact)
    prefix, suffix = textlib.context(document.text, start, end)
    span, _ = _insert_or_get(
        Span,
        {"document": document, "start": start, "end": end},
        exact=document.text[start:end],
        prefix=prefix,
        suffix=suffix,
        created_by=user,
    )
    return span


def _insert_or_get(model, key, **fields):
    """Like get_or_create, but insert first: tagging new words is the common case, and
    this spares it a SELECT. The unique constraint on `key` settles a race."""
    try:
        with transaction.atomic():
            return model.objects.create(**key, **fields), True
    except IntegrityError:
        return model.objects.get(**key), False


def speaker_resolve(*, name) -> Speaker | None:
    """The speaker called `name` (by name or alias, ignoring case), created if unknown."""
    name = " ".join(name.split())
    if not name:
        return None
    found = Speaker.objects.all().matching(name)
    if found:
        return found[0]
    speaker, _ = Speaker.objects.get_or_create(name=name)
    return speaker


@transaction.atomic
def annotation_create(*, document, start, end, exact, label, author) -> Annotation:
    """Tag a selection with a label. Tagging the same span with the same label again
    returns the existing annotation, so a double click or a retried request adds nothing."""
    span = span_get_or_create(document=document, start=start, end=end, exact=exact, user=author)
    annotation, created = _insert_or_get(Annotation, {"span": span, "label": label, "author": author})
    if created and label.kind == Label.Kind.SPEAKER:
        # A mention of a known name resolves at once; an unknown one is left
        # for the reader to confirm, rather than inventing a speaker from a typo.
        found = Speaker.objects.all().matching(span.exact)
        if found:
            annotation.speaker = found[0]
            annotation.save(update_fields=["speaker"])
    return annotation


@transaction.atomic
def annotation_update(*, annotation, user, label, speaker_name="", cue="", note="") -> Annotation:
    _ensure_can_change(annotation, user)
    if (
        label.pk != annotation.label_id
        and Annotation.objects.filter(span=annotation.span_id, label=label, author=annotation.author_id)
        .exclude(pk=annotation.pk)
        .exists()
    ):
        raise Conflict(f"This span is already tagged “{label.name}” by {annotation.author}.")
    annotation.label = label
    annotation.speaker = speaker_resolve(name=speaker_name)
    annotation.cue = cue.strip()
    annotation.note = note.strip()
    annotation.save()
    return annotation


@transaction.atomic
def annotation_delete(*, annotation, user) -> None:
    """Delete an annotation; its span goes too once nothing else refers to it."""
    _ensure_can_change(annotation, user)
    span = annotation.span
    annotation.delete()
    _delete_if_unused(span)


def _either_way(a, b):
    # A contradicts B is the same link as B contradicts A.
    return Q(source=a, target=b) | Q(source=b, target=a)


def _ensure_can_change_link(link, user):
    if not link.can_change(user):
        raise NotAllowed(f"This link is {link.author}'s: only they or a curator can change it.")


@transaction.atomic
def link_create(*, source, target, relation, note="", author) -> Link:
    """Link a span to its counterpart in another document."""
    if source.pk == target.pk:
        raise AnnotatingError("A span cannot be linked to itself: pick its counterpart in the other article.")
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
def link_to_selection(*, source, document, start, end, exact, label, relation, note="", author) -> Link:
    """Link a span to new text selected in the other article, tagging that text as well."""
    if document.pk == source.document_id:
        raise AnnotatingError(
            "Select the counterpart in the other article: a link joins spans of two different articles."
        )
    annotation = annotation_create(
        document=document, start=start, end=end, exact=exact, label=label, author=author
    )
    return link_create(source=source, target=annotation.span, relation=relation, note=note, author=author)


@transaction.atomic
def link_update(*, link, user, relation, note="") -> Link:
    _ensure_can_change_link(link, user)
    if (
        relation != link.relation
        and Link.objects.filter(_either_way(link.source_id, link.target_id), relation=relation)
        .exclude(pk=link.pk)
        .exists()
    ):
        raise Conflict(f"These two spans are already linked as “{relation}”.")
    link.relation = relation
    link.note = note.strip()
    link.save()
    return link


@transaction.atomic
def link_delete(*, link, user) -> None:
    """Delete a link; spans that nothing refers to any more go too."""
    _ensure_can_change_link(link, user)
    spans = [link.source, link.target]
    link.delete()
    for span in spans:
        _delete_if_unused(span)


def _delete_if_unused(span):
    if not (span.annotations.exists() or span.links_out.exists() or span.links_in.exists()):
        span.delete()


def unique_slug(model, text, *, max_length=80):
    base = slugify(text)[:max_length].strip("-") or "untitled"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base[: max_length - 4]}-{n}"
    return slug


@transaction.atomic
def comparison_create(*, left: dict, right: dict, created_by, title="") -> Comparison:
    """Two new documents (field dicts as the article form cleans them) and their comparison."""
    documents = []
    for fields in (left, right):
        document = Document(slug=unique_slug(Document, fields["title"]), **fields)
        document.save()
        documents.append(document)
    title = title or f"{documents[0].title} / {documents[1].title}"
    try:
        return Comparison.objects.create(
            slug=unique_slug(Comparison, title),
            title=title[:300],
            left=documents[0],
            right=documents[1],
            created_by=created_by,
        )
    except IntegrityError as error:  # pragma: no cover - two concurrent identical titles
        raise Conflict("Another comparison was created with this title at the same moment.") from error


# --- Curation -----------------------------------------------------------------------------------


@transaction.atomic
def review(*, items, status, reviewer) -> int:
    """Accept, reject or reset to pending a queryset of annotations or links; returns how many.

    Accepting or rejecting records who reviewed and when; pending clears both. `modified` is
    left alone: it dates the annotator's work, and `reviewed_at` dates the curator's.
    """
    if not user_is_curator(reviewer):
        raise NotAllowed("Only curators review annotations and links: ask a curator.")
    if status not in Status.values:
        raise AnnotatingError(f"Unknown status {status!r}: choose one of {', '.join(Status.values)}.")
    if status == Status.PENDING:
        fields = {"status": status, "reviewed_by": None, "reviewed_at": None}
    else:
        fields = {"status": status, "reviewed_by": reviewer, "reviewed_at": timezone.now()}
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
def speakers_merge(*, keep, others) -> int:
    """Merge speakers into `keep`: their annotations move to it, their names become its aliases,
    and they are deleted. Returns the number of annotations moved."""
    others = [other for other in others if other.pk != keep.pk]
    if not others:
        raise AnnotatingError(f"Choose at least one other speaker to merge into “{keep.name}”.")
    moved = Annotation.objects.filter(speaker__in=others).update(speaker=keep, modified=timezone.now())
    names = _casefold_unique([keep.name, *keep.alias_list, *(n for other in others for n in other.names)])
    keep.aliases = "\n".join(names[1:])
    if not keep.description.strip():
        keep.description = "\n\n".join(other.description for other in others if other.description.strip())
    Speaker.objects.filter(pk__in=[other.pk for other in others]).delete()
    keep.save(update_fields=["aliases", "description"])
    return moved


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
        spans.select_for_update().values_list("pk", "start", "end", "exact", "prefix", "suffix", "orphaned")
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
    from django.db.models import F

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
