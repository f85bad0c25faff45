"""The native export streams: its peak traced memory (tracemalloc) for 20,000 annotations, with
2,000 links, is at most 4 MB above its peak for 100, in the compact file and in the indented one.

Measured on SQLite: 0.65 MB for 100, 2.2 MB for 20,000 (one query's 2,000 rows and a chunk); with
the spans section gathered in a list (`list(per_document(...))` in native._sections), 6.6 MB: the
bound fails, as it must. It is a bound on memory, not on time.
No bad inputs: the export takes none here.
"""

import pytest

from reader import formats
from reader.models import Annotation, Label, Link, Span
from tests.factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db
WORDS = 10_000  # per document; two documents hold the 20,000 annotations


def two_documents():
    """Two documents of WORDS distinct words each, with where each word starts."""
    made = []
    for side in ("left", "right"):
        words = [f"{side}{n}" for n in range(WORDS)]
        starts, position = [], 0
        for word in words:
            starts.append(position)
            position += len(word) + 1
        made.append((DocumentFactory(slug=f"memory-{side}", text=" ".join(words)), words, starts))
    return made


def annotate(documents, numbers, links):
    """An annotation with a note on word n of each document for n in `numbers`, and `links`
    links from the left's new spans to the right's (bulk: 20,000 one by one would take minutes)."""
    author, claim = UserFactory(username="author"), Label.objects.get(name="Claim")
    sides = []
    for document, words, starts in documents:
        spans = Span.objects.bulk_create(
            [
                Span(document=document, start=starts[n], end=starts[n] + len(words[n]), exact=words[n])
                for n in numbers
            ]
        )
        Annotation.objects.bulk_create(
            [
                Annotation(span=span, label=claim, author=author, note=f"note on {span.exact}")
                for span in spans
            ]
        )
        sides.append(spans)
    Link.objects.bulk_create(
        [Link(source=source, target=target, author=author) for source, target in zip(*sides, strict=True)][
            :links
        ]
    )


def peak_of_export(indent=None):
    """Peak traced bytes while the whole export is written to nowhere, and the bytes it wrote."""
    import tracemalloc

    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in formats.export_chunks(format="native", indent=indent))
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


@pytest.mark.load
@pytest.mark.parametrize("indent", [None, 2], ids=["compact", "indented"])
def test_the_export_of_20000_annotations_peaks_at_most_4_mb_above_that_of_100(indent):
    documents = two_documents()
    annotate(documents, range(50), links=10)
    small, small_size = peak_of_export(indent)
    annotate(documents, range(50, WORDS), links=2000)
    large, large_size = peak_of_export(indent)
    assert (Annotation.objects.count(), Span.objects.count(), Link.objects.count()) == (20_000, 20_000, 2010)
    assert large_size > 20 * small_size  # the file grew with the annotations; the memory may not
    assert large - small < 4_000_000, f"peak {large:,} bytes for 20,000 annotations, {small:,} for 100"
