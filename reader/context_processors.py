import hashlib

from django.urls import reverse
from django.utils.functional import lazy

from reader.models import Label, user_is_curator


def _labels_css_url():
    # The URL carries a digest of the colours, so a colour change reaches
    # browsers at once while the stylesheet itself is cached for good.
    colours = "".join(f"{pk}{colour}" for pk, colour in Label.objects.values_list("pk", "colour"))
    return reverse("labels_css") + "?v=" + hashlib.sha256(colours.encode()).hexdigest()[:12]


def reader(request):
    return {
        "labels_css_url": lazy(_labels_css_url, str)(),
        "is_curator": lazy(lambda: user_is_curator(request.user), bool)(),
    }
