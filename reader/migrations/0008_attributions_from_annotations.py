"""Quote and Claim annotations that carry a speaker and a cue become attributions, losing nothing:
the annotations stay as they are; each gets an attribution whose content is its span, whose cue is
the cue's words found in the text nearest the content (within its sentence's reach), and whose
source is the nearest mention tagged as that same speaker. What cannot be found is left empty,
never guessed far away. The functions are frozen here, as migrations must be."""

import re

from django.db import migrations

REACH = 250  # characters around the content where its cue and source are looked for
OPENING = "\"'“‘«"
CLOSING = "\"'”’»"


def kind_of(exact):
    words = exact.strip()
    if words[:1] in OPENING and words[-1:] in CLOSING + ".,":
        return "direct"
    if any(mark in words for mark in "\"“”«»"):
        return "mixed"
    return "indirect"


def nearest(candidates, start, end):
    """The candidate (s, e) nearest to [start, end) that does not overlap it."""
    outside = [(s, e) for s, e in candidates if e <= start or s >= end]
    return min(outside, key=lambda c: min(abs(c[0] - end), abs(start - c[1])), default=None)


def span_for(Span, document, start, end):
    text = document.text
    span, _ = Span.objects.get_or_create(
        document=document,
        start=start,
        end=end,
        defaults={
            "exact": text[start:end],
            "prefix": text[max(0, start - 32) : start],
            "suffix": text[end : end + 32],
        },
    )
    return span


def forwards(apps, schema_editor):
    Annotation = apps.get_model("reader", "Annotation")
    Attribution = apps.get_model("reader", "Attribution")
    Span = apps.get_model("reader", "Span")
    attributed = (
        Annotation.objects.filter(label__kind__in=["quote", "claim"], speaker__isnull=False, span__orphaned=False)
        .exclude(cue="")
        .select_related("span__document")
        .order_by("pk")
    )
    for annotation in attributed:
        span, document = annotation.span, annotation.span.document
        if Attribution.objects.filter(content=span).exists():
            continue  # one attribution per content: the first annotation's speaker and cue
        low, high = max(0, span.start - REACH), min(len(document.text), span.end + REACH)
        pattern = re.compile(rf"(?<!\w){re.escape(annotation.cue.strip())}(?!\w)", re.IGNORECASE)
        found = [(low + m.start(), low + m.end()) for m in pattern.finditer(document.text[low:high])]
        cue = nearest(found, span.start, span.end)
        mentions = Annotation.objects.filter(
            span__document=document,
            label__kind="speaker",
            speaker=annotation.speaker,
            span__start__gte=low,
            span__end__lte=high,
        ).values_list("span__start", "span__end")
        source = nearest(list(mentions), span.start, span.end)
        Attribution.objects.create(
            document=document,
            content=span,
            cue=span_for(Span, document, *cue) if cue else None,
            source=span_for(Span, document, *source) if source else None,
            kind=kind_of(span.exact),
            speaker=annotation.speaker,
            author=annotation.author,
            origin="person",
            note="" if cue else f"Migrated: the cue “{annotation.cue}” was not found near the content.",
            status=annotation.status,
            reviewed_by=annotation.reviewed_by,
            reviewed_at=annotation.reviewed_at,
        )


class Migration(migrations.Migration):
    dependencies = [("reader", "0007_attributions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
