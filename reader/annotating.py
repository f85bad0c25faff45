"""Writes that touch several objects: keyword-only, validated, atomic.

Each function either does all of its work or raises and writes nothing.
Views catch `AnnotatingError` (and `text.SelectionError`) and answer with
the error's status and message.
"""

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from reader import text as textlib
from reader.models import Annotation, Comparison, Document, Label, Span, Speaker


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
