"""Writes on a 2 MB article, timed in process: `python -m bench.long_writes [N]` (DATABASE_URL
naming a copy of a database holding bench.longdoc's comparison; it writes to it).

Through Django's test client, as htmx sends them: N label edits of one annotation (its label
flipped each time), N links made between spans not linked yet, and N panels opened; each from
the comparison's page (the panel then offers counterparts from the other 2 MB article) and from
the article's own. Prints the median time of each, in ms, on the clock and in this process's
CPU (less disturbed by other work on a shared machine). Indicative: no server, no network."""

import os
import statistics
import sys
import time


def main(n=300):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from bench.longdoc import SLUG
    from reader.models import Annotation, Comparison, Label, Link, Span

    comparison = Comparison.objects.get(slug=SLUG)
    client = Client(HTTP_HX_REQUEST="true", HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="client0"))
    left = list(
        Span.objects.filter(document=comparison.left_id).order_by("start").values_list("pk", flat=True)
    )
    right = list(
        Span.objects.filter(document=comparison.right_id).order_by("start").values_list("pk", flat=True)
    )
    linked = set(Link.objects.values_list("source_id", "target_id"))
    pairs = [(a, b) for a, b in zip(reversed(left), right, strict=False) if (a, b) not in linked]
    annotation = Annotation.objects.filter(span_id=left[len(left) // 2]).first()
    other = Label.objects.exclude(pk=annotation.label_id).first().pk
    labels = {annotation.label_id: other, other: annotation.label_id}  # each label to the other
    now = {"label": annotation.label_id, "version": annotation.version}

    def label_edit(i, where):
        now["label"] = labels[now["label"]]
        response = client.post(reverse("annotation_detail", args=[annotation.pk]), {**now, **where})
        now["version"] += 1
        return response

    def link_create(i, where):
        source, target = pairs.pop()
        return client.post(
            reverse("link_create"), {"source": source, "target": target, "relation": "counterpart", **where}
        )

    def panel(i, where):
        return client.get(reverse("span_panel"), {"span": left[i], **where})

    results = {}
    for page, where in (("comparison", {"comparison": SLUG}), ("article", {})):
        for name, write in (("label_edit", label_edit), ("link_create", link_create), ("panel", panel)):
            for i in range(3):  # the texts, the suggestion index, the sentences' layout: read once
                assert write(i, where).status_code == 200
            clock, cpu = [], []
            for i in range(3, n + 3):
                began, began_cpu = time.perf_counter(), time.process_time()
                response = write(i, where)
                clock.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
                assert response.status_code == 200, response.content[:200]
            results[page, name] = median = (statistics.median(clock), statistics.median(cpu))
            print(f"{page:10} {name:12} n={n}  median {median[0]:6.1f} ms, cpu {median[1]:6.1f} ms")
    return results


if __name__ == "__main__":
    main(*map(int, sys.argv[1:2]))
