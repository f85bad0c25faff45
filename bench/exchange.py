"""Export and import speed: `python -m bench.exchange` prints JSON; `measure()` returns it.

Each measure runs on a fresh SQLite database, in a subprocess of its own (so its peak RSS is
its own), timing only the export or import call:
- import_2000: a file exported from the seeds with 2,000 annotations (2,000 spans, 200 links),
  imported into an empty database;
- export_project: exporting that project (the command, to a file);
- export_100k, import_100k: 100,000 annotations on 100,000 distinct spans of two synthetic
  articles (runs of 1 to 20 words over texts long enough for that many), exported, and that
  file imported into an empty database.
Each builds exactly the counts it reports, and asserts them.
"""

import json
import subprocess
import sys
import tempfile

from bench.server import ROOT, environment, fresh_database, prepare

SETUP = "import django, resource, sys, time, json; django.setup();"

EXPORT = SETUP + (
    "from django.core.management import call_command;"
    "from reader.models import Annotation, Span, Link;"
    "counts = [Annotation.objects.count(), Span.objects.count(), Link.objects.count()];"
    "started, cpu = time.perf_counter(), time.process_time();"
    "call_command('export_annotations', '--output', sys.argv[1]);"
    "seconds, cpu = time.perf_counter() - started, time.process_time() - cpu;"
    "print(json.dumps({'seconds': seconds, 'cpu_seconds': cpu,"
    " 'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
    " 'counts': counts}))"
)

IMPORT = SETUP + (
    "from django.core.management import call_command; call_command('migrate', verbosity=0);"
    "from reader import formats; from reader.models import Annotation, Span, Link;"
    "file = open(sys.argv[1], 'rb');"
    "started, cpu = time.perf_counter(), time.process_time();"
    "formats.import_native(file=file);"
    "seconds, cpu = time.perf_counter() - started, time.process_time() - cpu;"
    "counts = [Annotation.objects.count(), Span.objects.count(), Link.objects.count()];"
    "print(json.dumps({'seconds': seconds, 'cpu_seconds': cpu,"
    " 'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
    " 'counts': counts}))"
)

WORDS = [
    "minister", "said", "talks", "failed", "officials", "denied",
    "report", "baseless", "Tehran", "Moscow", "anniversary", "strike",
]  # fmt: skip


def synthetic(count):
    """Migrate, then `count` annotations on `count` distinct spans of two synthetic articles."""
    import random
    import re

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from reader import text as textlib
    from reader.models import Annotation, Document, Label, Span

    call_command("migrate", verbosity=0)
    random_words = random.Random(20210103)
    per_document = (count + 1) // 2
    # Runs of 1 to 20 words at every word give about 20 spans per word.
    words = per_document // 20 + 200
    author = get_user_model().objects.create(username="bench-author")
    labels = list(Label.objects.all())
    made = 0
    for side in ("left", "right"):
        text = " ".join(random_words.choice(WORDS) for _ in range(words)) + "."
        document = Document.objects.create(slug=f"synthetic-{side}", title=f"Synthetic {side}", text=text)
        bounds = [m.span() for m in re.finditer(r"\S+", text)]
        spans = []
        want = min(per_document, count - made)
        for length in range(1, 21):
            for i in range(len(bounds) - length + 1):
                if len(spans) == want:
                    break
                start, end = bounds[i][0], bounds[i + length - 1][1]
                prefix, suffix = textlib.context(text, start, end)
                spans.append(
                    Span(
                        document=document,
                        start=start,
                        end=end,
                        exact=text[start:end],
                        prefix=prefix,
                        suffix=suffix,
                    )
                )
        assert len(spans) == want, (len(spans), want)
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
        made += len(spans)
    assert Annotation.objects.count() == Span.objects.count() == count


def _run(url, code, *args):
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=environment(url), capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.splitlines()[-1])


def _round(result, rss=True):
    """Seconds of wall time (the targets), and of CPU time, which a busy machine inflates less."""
    rounded = {"seconds": round(result["seconds"], 3), "cpu_seconds": round(result["cpu_seconds"], 3)}
    if rss:
        rounded["peak_rss_mb"] = round(result["peak_kb"] / 1024, 1)
    return rounded


def export_then_import(build, folder, name, expected):
    """Export a database `build` makes, then import the file into an empty one."""
    path = f"{folder}/{name}.json"
    with fresh_database("sqlite") as url:
        build(url)
        exported = _run(url, EXPORT, path)
    assert exported["counts"] == expected, (exported["counts"], expected)
    with fresh_database("sqlite") as url:
        imported = _run(url, IMPORT, path)
    assert imported["counts"] == expected, (imported["counts"], expected)
    return exported, imported


def measure() -> dict:
    with tempfile.TemporaryDirectory(prefix="close-reader-exchange-") as folder:
        project, small = export_then_import(
            lambda url: prepare(url, users=1, annotations=2000, links=200),
            folder,
            "project",
            [2000, 2000, 200],
        )

        def build_100k(url):
            subprocess.run(
                [sys.executable, "-c", "import bench.exchange as e; e.synthetic(100_000)"],
                cwd=ROOT,
                env=environment(url),
                check=True,
                capture_output=True,
            )

        big_export, big_import = export_then_import(build_100k, folder, "100k", [100_000, 100_000, 0])
    return {
        "import_2000": {
            "seconds": round(small["seconds"], 3),
            "annotations": 2000,
            "spans": 2000,
            "links": 200,
        },
        "export_project": {
            "seconds": round(project["seconds"], 3),
            "annotations": 2000,
            "spans": 2000,
            "links": 200,
        },
        "import_100k": {**_round(big_import), "annotations": 100_000},
        "export_100k": {**_round(big_export), "annotations": 100_000},
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
