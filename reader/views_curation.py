"""Pages for curators outside the admin: agreement between annotators."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from reader import agreement
from reader.models import Annotation, Comparison, Label, user_is_curator
from reader.responses import error_response


@require_GET
def comparison_agreement(request, slug):
    """Per pair of annotators and per label, how far they agree on a comparison's two articles,
    and the spans where they differ: what a curator adjudicates."""
    if not user_is_curator(request.user):
        return error_response(request, "Only curators see the agreement between annotators.", status=403)
    comparison = get_object_or_404(
        Comparison.objects.select_related("left", "right").defer("left__text", "right__text"), slug=slug
    )
    # Every annotation counts, whatever its review status: agreement measures the annotators'
    # own work, before a curator's decision.
    annotations = (
        Annotation.objects.filter(span__document__in=[comparison.left_id, comparison.right_id])
        .select_related("span", "label", "author")
        .only("span__start", "span__end", "span__exact", "span__document", "label__name", "author__username")
    )
    items = [
        agreement.Item(
            annotator=a.author.username,
            label=a.label.name,
            document=a.span.document_id,
            start=a.span.start,
            end=a.span.end,
            ref=a.pk,
            quote=a.span.exact,
        )
        for a in annotations
    ]
    labels = [
        name for name in Label.objects.values_list("name", flat=True) if any(i.label == name for i in items)
    ]
    titles = {comparison.left_id: comparison.left.title, comparison.right_id: comparison.right.title}
    context = {
        "comparison": comparison,
        "annotators": sorted({item.annotator for item in items}),
        "pairs": agreement.compare(items, labels=labels),
        "titles": titles,
    }
    return render(request, "reader/agreement.html", context)
