"""Set up a benchmark database: `python -m bench.prepare USERS [ANNOTATIONS [LINKS [CURATORS]]]`.

Run with DATABASE_URL pointing at a fresh database. Migrates, loads the seeds,
creates users `client0`…`clientN-1` (password PASSWORD) and, optionally, bulk
seeds annotations (spans over word runs of the two articles) and links. The first
CURATORS users are superusers (curators who may also edit texts in the admin).
"""

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

    from reader import text as textlib
    from reader.models import Annotation, Comparison, Label, Link, Span

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
    comparison = Comparison.objects.select_related("left", "right").get()
    author = User.objects.get(username="client0")
    labels = list(Label.objects.all())
    spans = []
    # Runs of 1 to 25 words at every word of both articles: enough distinct spans for 20,000+.
    for document in (comparison.left, comparison.right):
        words = [m.span() for m in re.finditer(r"\S+", document.text)]
        for length in range(1, 26):
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
    spans = Span.objects.bulk_create(spans[:annotations], batch_size=2000)
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
    Link.objects.bulk_create(
        [
            Link(
                source=left[i],
                target=right[i],
                relation=["counterpart", "paraphrase", "contradicts", "elaborates"][i % 4],
                author=author,
            )
            for i in range(min(links, len(left), len(right)))
        ],
        batch_size=2000,
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:]))
