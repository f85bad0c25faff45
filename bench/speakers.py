"""A speaker tag in a large project: `python -m bench.speakers N` (DATABASE_URL: a fresh database).

Migrates, loads the seeds, makes exactly N speakers (each with a name and two aliases, indexed as
the app indexes them) and times, in process, what a Speaker highlight does to find its speaker
(annotating.speaker_resolve): by its name, by an alias, and a name nobody has (a new speaker is
made; every such write is rolled back). Prints JSON: the medians in ms and the count checked."""

import json
import os
import statistics
import sys
import time

SAMPLES = 30


def main(count):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from reader import annotating
    from reader.models import Document, Speaker, SpeakerName

    call_command("migrate", verbosity=0)
    call_command("load_seeds", verbosity=0)
    Speaker.objects.bulk_create(
        [Speaker(name=f"Speaker Number {n}", aliases=f"Number {n}\nMx. Number {n}") for n in range(count)],
        batch_size=2000,
    )
    SpeakerName.objects.index(Speaker.objects.values_list("pk", flat=True))
    held = Speaker.objects.count()
    assert held == count, f"asked for {count} speakers, the database holds {held}"
    document = Document.objects.order_by("pk").values_list("pk", flat=True).first()

    def median_ms(names):
        samples = []
        for name in names:
            started = time.perf_counter()
            annotating.speaker_resolve(name=name, document_id=document)
            samples.append(time.perf_counter() - started)
        return round(statistics.median(samples) * 1000, 2)

    picks = [count * k // SAMPLES for k in range(SAMPLES)]
    with transaction.atomic():
        result = {
            "speakers": held,
            "by_name_ms": median_ms([f"speaker number {n}" for n in picks]),
            "by_alias_ms": median_ms([f"MX. NUMBER {n}" for n in picks]),
            "new_name_ms": median_ms([f"Nobody Known {n}" for n in range(SAMPLES)]),
        }
        assert Speaker.objects.count() == held + SAMPLES  # each new name made one speaker
        transaction.set_rollback(True)
    print(json.dumps(result))


if __name__ == "__main__":
    main(int(sys.argv[1]))
