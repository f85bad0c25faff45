"""Small filters the templates share (loaded as builtins: no {% load %} needed)."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

OPENING_QUOTES = "\"'“‘«„‚‹`"
CLOSING_QUOTES = "\"'”’»›"


@register.filter
def as_quote(words):
    """Words shown as a quotation: in <q>, which adds quotation marks, unless they begin or end
    with one of their own (a quoted quote would show its marks twice: “…world"”)."""
    words = str(words)
    # escape() and mark_safe(), not format_html(): the sidebar calls this ninety times a page.
    if words[:1] in OPENING_QUOTES or words[:2] == "''" or words[-1:] in CLOSING_QUOTES:
        return mark_safe(f'<span class="quoted">{conditional_escape(words)}</span>')
    return mark_safe(f"<q>{conditional_escape(words)}</q>")


@register.inclusion_tag("reader/outlet.html")
def outlet(document, empty="Unknown outlet"):
    """An outlet's name, with how it is known on demand (a long inferred note is not a name)."""
    name, note = _field(document, "outlet"), _field(document, "outlet_note")
    return {"name": name or empty, "note": note, "known": bool(name)}


def _field(item, name):
    return item.get(name, "") if isinstance(item, dict) else getattr(item, name, "")


@register.filter
def split_words(value):
    """ "a b c" → ["a", "b", "c"]: a short list written in a template."""
    return str(value).split()


@register.filter
def index(sequence, position):
    """sequence[position], for two lists walked side by side."""
    try:
        return sequence[int(position)]
    except (IndexError, TypeError, ValueError):
        return ""
