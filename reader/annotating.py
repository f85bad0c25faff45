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
    moved: int = 0
    orphaned: int = 0
    unchanged: int = 0

    def __str__(self):
        def spans(n):
            return f"{n} span{'' if n == 1 else 's'}"

        return f"{spans(self.moved)} moved, {self.orphaned} orphaned, {self.unchanged} unchanged."


@transaction.atomic
def document_text_update(*, document, text) -> Reanchored:
    """Replace a document's text and re-anchor every span on it from its quote and context.

    A span found again takes its new offsets (and, if found approximately, the new words); one
    that is not found is marked orphaned and keeps its old offsets and quote, so a curator can see
    what it held. Nothing is deleted. Saves `document` with its other fields as they are.
    """
    text = textlib.normalise_newlines(text)
    if not text.strip():
        raise AnnotatingError("A document's text cannot be empty.")
    document.text = text
    document.save()
    spans = list(Span.objects.select_for_update().filter(document=document).order_by("pk"))
    old = {span.pk: (span.start, span.end) for span in spans}
    new = {
        span.pk: textlib.reanchor(
            text, exact=span.exact, prefix=span.prefix, suffix=span.suffix, start=span.start
        )
        for span in spans
    }
    _give_way(old, new)

    counts = {"moved": 0, "orphaned": 0, "unchanged": 0}
    changed, moving = [], []
    for span in spans:
        if new[span.pk] is None:
            counts["orphaned"] += 1
            if not span.orphaned:
                span.orphaned = True
                changed.append(span)
            continue
        start, end = new[span.pk]
        prefix, suffix = textlib.context(text, start, end)
        same_words = (start, end) == old[span.pk] and text[start:end] == span.exact
        counts["unchanged" if same_words and not span.orphaned else "moved"] += 1
        if (start, end) != old[span.pk]:
            moving.append(span)
        if not same_words or (prefix, suffix, span.orphaned) != (span.prefix, span.suffix, False):
            span.start, span.end, span.exact = start, end, text[start:end]
            span.prefix, span.suffix, span.orphaned = prefix, suffix, False
            changed.append(span)
    # Offsets are unique per document and checked row by row, so spans that trade places would
    # collide half-way: park the moving ones beyond every offset first, then set them.
    parking = max([len(text), *(end for _, end in old.values())]) + 1
    parked = [
        Span(pk=span.pk, start=parking + 2 * i, end=parking + 2 * i + 1) for i, span in enumerate(moving)
    ]
    Span.objects.bulk_update(parked, ["start", "end"], batch_size=500)
    fields = ["start", "end", "exact", "prefix", "suffix", "orphaned"]
    Span.objects.bulk_update(changed, fields, batch_size=500)
    return Reanchored(**counts)


def _give_way(old, new):
    """Two spans may be found at the same place (their texts merged): one keeps the place, the
    others are orphaned. A span staying where it was wins; orphans keep their old offsets, which
    may in turn take the place another span was found at, so repeat until nothing collides."""
    while True:
        places = {}
        for pk in old:
            places.setdefault(new[pk] or old[pk], []).append(pk)
        collided = False
        for pks in places.values():
            if len(pks) < 2:
                continue
            staying = [pk for pk in pks if (new[pk] or old[pk]) == old[pk]]
            winner = staying[0] if staying else min(pks)
            for pk in pks:
                if pk != winner:
                    new[pk] = None
                    collided = True
        if not collided:
            return
