"""Filters for the report page, whose lists run to thousands of quotes."""

import html
import unicodedata

from django import template
from django.template.defaultfilters import stringfilter, truncatechars
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(is_safe=True)
@stringfilter
def shorten(value, length):
    """What `truncatechars:length` gives, without its cost when there is nothing to cut.

    truncatechars asks the translation machinery for its "…" on every call, which made a third
    of the report page's time, though most quotes are shorter than the limit. It counts the
    characters of the NFC-normalised text, skipping combining marks, so a normalised text no
    longer than the limit in code points is returned as it is."""
    text = unicodedata.normalize("NFC", value)
    if len(text) <= int(length):
        return text
    return truncatechars(text, length)


KIND_NAMES = {"claim": "Claim", "quote": "Quote"}


@register.filter(is_safe=True)
def listed(spans, kind):
    """The report's list items for claims or quotes found in only one article, each as

        <li><span class="tag k-claim">Claim</span> {{ span.exact|shorten:240 }}{% if span.speakers %}
        — {{ span.speakers|join:", " }}{% endif %}</li>

    (the speakers for quotes only) would render them: written here, as these lists run to a
    thousand items and the template loop was a fifth of the page's time."""
    tag = f'<li><span class="tag k-{kind}">{KIND_NAMES[kind]}</span> '
    items = []
    for span in spans:
        item = tag + html.escape(shorten(span["exact"], 240))
        if kind == "quote" and span["speakers"]:
            item += " — " + ", ".join(html.escape(speaker) for speaker in span["speakers"])
        items.append(item + "</li>")
    return mark_safe("".join(items))  # noqa: S308 - every value in it is escaped above
