"""A comparison of two long articles: `python -m bench.longdoc --setup [SIZE SPANS_PER_SIDE LINKS]`
(DATABASE_URL set, after bench.prepare) stores it and prints what it built as JSON.

Each article is about 2 MB of the seed articles' sentences shuffled into paragraphs
(bench.reanchor.article, with a seed of its own per side), with 2,500 non-overlapping spans of 2
to 12 words, each with one annotation (5,000 in all), and 500 links joining the i-th span on the
left to the i-th on the right. It asserts the counts it prints.
"""

import json
import os
import sys

SIZE = 2_000_000
SPANS_PER_SIDE = 2500
LINKS = 500
SLUG = "long-documents"
SEEDS = {"left": 20210103, "right": 20210104}


def setup(size=SIZE, spans_per_side=SPANS_PER_SIDE, links=LINKS):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from bench.reanchor import article, spans_of
    from reader.models import Annotation, Comparison, Document, Label, Link, Span

    author = get_user_model().objects.get(username="client0")
    labels = list(Label.objects.all())
    made = {}
    for side, seed in SEEDS.items():
        text = article(size, seed)
        document = Document.objects.create(slug=f"long-{side}", title=f"A 2 MB article ({side})", text=text)
        spans = Span.objects.bulk_create(
            [
                Span(document=document, start=s, end=e, exact=x, prefix=p, suffix=f)
                for _, s, e, x, p, f in spans_of(text, spans_per_side, seed)
            ],
            batch_size=1000,
        )
        Annotation.objects.bulk_create(
            [
                Annotation(span=span, label=labels[i % len(labels)], author=author)
                for i, span in enumerate(spans)
            ],
            batch_size=1000,
        )
        made[side] = (document, spans)
    Comparison.objects.create(
        slug=SLUG, title="Two long articles", left=made["left"][0], right=made["right"][0]
    )
    Link.objects.bulk_create(
        [
            Link(source=made["left"][1][i], target=made["right"][1][i], relation="counterpart", author=author)
            for i in range(links)
        ]
    )
    documents = [made[side][0] for side in SEEDS]
    built = {
        "chars": [len(document.text) for document in documents],
        "annotations": Annotation.objects.filter(span__document__in=documents).count(),
        "spans": Span.objects.filter(document__in=documents).count(),
        "links": Link.objects.filter(source__document__in=documents).count(),
        "first_left_span": made["left"][1][0].pk,
    }
    expected = {"annotations": 2 * spans_per_side, "spans": 2 * spans_per_side, "links": links}
    assert {key: built[key] for key in expected} == expected, (built, expected)
    assert all(chars == size for chars in built["chars"]), built["chars"]
    return built


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:  # [SIZE SPANS_PER_SIDE LINKS]
        print(json.dumps(setup(*(int(arg) for arg in sys.argv[2:]))))
