"""Set up a benchmark database: `python -m bench.prepare USERS [ANNOTATIONS [LINKS [CURATORS]]]`.

Run with DATABASE_URL pointing at a fresh database. Migrates, loads the seeds,
creates users `client0`…`clientN-1` (password PASSWORD) and, optionally, bulk
seeds annotations (spans over word runs of the two articles) and links. The first
CURATORS users are superusers (curators who may also edit texts in the admin).
"""

import json
import os
import re
import sys

PASSWORD = "bench-password-1"


def main(users, annotations=0, links=0, curators=0):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_seeds", verbosity=0)
    User = get_user_model()
    password = make_password(PASSWORD)
    User.objects.bulk_create(
        [User(username=f"client{n}", password=password, is_staff=False) for n in range(users)],
        ignore_conflicts=True,
    )
    User.objects.filter(username__in=[f"client{n}" for n in range(curators)]).update(
        is_staff=True, is_superuser=True
    )
    if not annotations:
        return
    from reader import text as textlib
    from reader.models import Annotation, Comparison, Label, Link, Span

    comparison = Comparison.objects.select_related("left", "right").get()
    author = User.objects.get(username="client0")
    labels = list(Label.objects.all())
    spans = _spans(comparison, annotations, Span, textlib)
    spans = Span.objects.bulk_create(spans, batch_size=2000)
    Annotation.objects.bulk_create(
        [
            Annotation(
                span=span, label=labels[i % len(labels)], author=author, note="n" if i % 4 == 0 else ""
            )
            for i, span in enumerate(spans)
        ],
        batch_size=2000,
    )
    left = [s for s in spans if s.document_id == comparison.left_id]
    right = [s for s in spans if s.document_id == comparison.right_id]
    if links > min(len(left), len(right)):
        raise SystemExit(
            f"{links} links need as many spans on each side; there are {len(left)}, {len(right)}"
        )
    Link.objects.bulk_create(
        [
            Link(
                source=left[i],
                target=right[i],
                relation=["counterpart", "paraphrase", "contradicts", "elaborates"][i % 4],
                author=author,
            )
            for i in range(links)
        ],
        batch_size=2000,
    )


def _spans(comparison, count, Span, textlib):
    """`count` distinct spans: runs of 1, 2, 3, … words at every word of both articles, shortest
    first, as long as it takes (the seeds' 520 words each give about 25,000 runs of up to 25
    words; more come from longer runs)."""
    spans = []
    texts = [(document, [m.span() for m in re.finditer(r"\S+", document.text)]) for document in
             (comparison.left, comparison.right)]  # fmt: skip
    length = 0
    while len(spans) < count:
        length += 1
        if all(length > len(words) for _, words in texts):
            raise SystemExit(f"the seed articles hold fewer than {count} distinct word runs")
        for document, words in texts:
            for i in range(len(words) - length + 1):
                start, end = words[i][0], words[i + length - 1][1]
                prefix, suffix = textlib.context(document.text, start, end)
                spans.append(
                    Span(
                        document=document,
                        start=start,
                        end=end,
                        exact=document.text[start:end],
                        prefix=prefix,
                        suffix=suffix,
                    )
                )
    # Interleave the two articles so any count splits them evenly.
    spans.sort(key=lambda s: (s.end - s.start, s.start, s.document_id))
    return spans[:count]


def counts():
    """What the database holds now, to check against what was asked for; and, for each document,
    its slug and one of its annotations (the benchmark edits it to make the page stale)."""
    from django.contrib.auth import get_user_model

    from reader.models import Annotation, Document, Link, Span

    return {
        "users": get_user_model().objects.count(),
        "annotations": Annotation.objects.count(),
        "spans": Span.objects.count(),
        "links": Link.objects.count(),
        "documents": {
            slug: Annotation.objects.filter(span__document=pk)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
            for pk, slug in Document.objects.order_by("pk").values_list("pk", "slug")
        },
    }


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:]))
    print(json.dumps(counts()))
