"""Writes that touch several objects: keyword-only, validated, atomic.

Each function either does all of its work or raises and writes nothing.
Views catch `AnnotatingError` (and `text.SelectionError`) and answer with
the error's status and message.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify

from reader import text as textlib
from reader.models import Annotation, Comparison, Document, Label, Link, Span, Speaker


class AnnotatingError(Exception):
    status = 400


class NotAllowed(AnnotatingError):
    status = 403


class Conflict(AnnotatingError):
    status = 409


def _ensure_can_change(annotation, user):
    if not annotation.can_change(user):
        raise NotAllowed(f"This annotation is {annotation.author}'s: only they or a curator can change it.")


@transaction.atomic
def span_get_or_create(*, document, start, end, exact, user) -> Span:
    """The span the browser selected, trimmed of outer whitespace, created if new."""
    start, end = textlib.check_selection(document.text, start, end, exact)
    prefix, suffix = textlib.context(document.text, start, end)
    span, _ = Span.objects.get_or_create(
        document=document,
        start=start,
        end=end,
        defaults={
            "exact": document.text[start:end],
            "prefix": prefix,
            "suffix": suffix,
            "created_by": user,
        },
    )
    return span


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
    annotation, created = Annotation.objects.get_or_create(span=span, label=label, author=author)
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
