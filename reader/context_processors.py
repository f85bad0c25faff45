import hashlib

from django.urls import reverse
from django.utils.functional import lazy

from reader.models import Label, user_is_curator


def labels_css_url(labels=None):
    """The stylesheet of label colours. Its URL carries a digest of the colours, so a
    colour change reaches browsers at once while the stylesheet is cached for good.
    Views that loaded the labels already pass them, saving a query."""
    pairs = (
        [(label.pk, label.colour) for label in labels]
        if labels is not None
        else Label.objects.values_list("pk", "colour")
    )
    colours = "".join(f"{pk}{colour}" for pk, colour in pairs)
    return reverse("labels_css") + "?v=" + hashlib.sha256(colours.encode()).hexdigest()[:12]


def reader(request):
    return {
        "labels_css_url": lazy(labels_css_url, str)(),
        "is_curator": lazy(lambda: user_is_curator(request.user), bool)(),
    }
