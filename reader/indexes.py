"""Where counterpart-suggestion indexes live: built when a text is saved and kept in the database
(pickled; a few MB for a 2 MB article), with a copy in the cache and in each worker's memory, so
the first suggestion on a long article does not wait for the index (about a second at 2 MB).
An index always names the text it was built from (its digest), and a stale one is built again."""

import pickle
from typing import TYPE_CHECKING

from django.core.cache import cache

from reader.models import SuggestionIndex

if TYPE_CHECKING:
    from reader import suggest


def _suggest():
    # Imported where an index is used, not with this module: a document's save imports this
    # module, and loading reader.suggest (its sentence splitter and stemmer) takes ~13 ms, which
    # the thread building the index pays instead.
    from reader import suggest

    return suggest


CACHE_SECONDS = 24 * 3600
# Texts this long or longer are indexed when saved (a 2 MB text takes about a second); a shorter
# one by its first suggestion (the seeds' 3,200 characters take 3 ms), which keeps the cost, and
# loading the suggestion module, off imports of many short articles.
INDEX_AHEAD_ABOVE = 20_000


def ahead_above():
    from django.conf import settings

    return getattr(settings, "SUGGEST_INDEX_AHEAD_ABOVE", INDEX_AHEAD_ABOVE)


def _key(digest, language):
    return f"suggest-index:{_suggest().INDEX_VERSION}:{language}:{digest}"


_LOADED = {}  # (digest, language) -> Index: unpickling a 2 MB index costs ~20 ms, once per worker
_KEEP = 16


def _loaded(digest, language, data):
    index = _LOADED.get((digest, language))
    if index is None:
        index = pickle.loads(data)  # noqa: S301 - our own index, from our own database or cache
        if len(_LOADED) >= _KEEP:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[digest, language] = index
    return index


def index_for(document) -> "suggest.Index":
    """The document's index: from this worker's memory, the cache, the database, or built now."""
    found = _LOADED.get((document.text_sha256, document.language))
    if found is not None:
        return found
    key = _key(document.text_sha256, document.language)
    data = cache.get(key)
    if data is None:
        row = SuggestionIndex.objects.filter(
            document=document.pk, text_sha256=document.text_sha256, language=document.language
        ).first()
        data = bytes(row.data) if row is not None else None
        if data is None:
            data = build(document)
        cache.set(key, data, CACHE_SECONDS)
    try:
        return _loaded(document.text_sha256, document.language, data)
    except (ValueError, pickle.UnpicklingError):  # another version's index: build it again
        data = build(document)
        cache.set(key, data, CACHE_SECONDS)
        return _loaded(document.text_sha256, document.language, data)


def build(document) -> bytes:
    """Build the document's index and keep it (replacing an older one); its pickled bytes."""
    data = pickle.dumps(_suggest().build_index(document.text, document.language), pickle.HIGHEST_PROTOCOL)
    SuggestionIndex.objects.update_or_create(
        document_id=document.pk,
        defaults={"text_sha256": document.text_sha256, "language": document.language, "data": data},
    )
    cache.set(_key(document.text_sha256, document.language), data, CACHE_SECONDS)
    return data


def ensure(document_id) -> None:
    """Build a document's index if its text changed since the last one (after a save commits)."""
    from reader.models import Document

    document = Document.objects.filter(pk=document_id).only("pk", "text", "text_sha256", "language").first()
    if document is None:
        return
    current = SuggestionIndex.objects.filter(
        document=document_id, text_sha256=document.text_sha256, language=document.language
    ).exists()
    if not current:
        build(document)
