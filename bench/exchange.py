"""Export and import speed: `python -m bench.exchange` prints JSON; `measure()` returns it.

Each measure runs on a fresh SQLite database, in a subprocess of its own (so its peak RSS is
its own), timing only the export or import call:
- import_2000: a file exported from the seeds with 2,000 annotations (2,000 spans, 200 links),
  imported into an empty database (the median of three, each into a fresh database);
- export_project: exporting that project (the command, to a file; the median of three runs);
- export_100k, import_100k: 100,000 annotations on 100,000 distinct spans of two synthetic
  articles (runs of 1 to 20 words over texts long enough for that many), exported, and that
  file imported into an empty database.
- tables_and_brat (`python -m bench.exchange --tables`, or `measure_tables()`): 30,000
  annotations and 10,000 attributions (each with a cue and a speaker, every fifth in two pieces)
  on the same synthetic articles; the CSV attributions, links and speakers tables, the brat zip,
  and that zip imported into an empty database (all by the commands, into files).
Each builds exactly the counts it reports, and asserts them.
"""

import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from bench.server import ROOT, Client, Server, environment, fresh_database, prepare

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


def synthetic(count, attributions=0):
    """Migrate, then `count` annotations on `count` distinct spans of two synthetic articles, and
    `attributions` attributions whose content, further piece and cue are spans of those."""
    import random
    import re

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from reader import text as textlib
    from reader.models import Annotation, Attribution, Document, Label, Span, Speaker

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
    if attributions:
        _attribute(attributions, author, Attribution, Span, Speaker)


def _attribute(count, author, Attribution, Span, Speaker):
    """`count` attributions: content, cue and (about every fifth, where it does not overlap the
    content) a further piece are three distinct spans of one document; speakers are a few, so the
    speakers table has rows to count."""
    speakers = [Speaker.objects.create(name=f"Speaker {n}") for n in range(20)]
    made, more = [], {}
    for document in Span.objects.values_list("document", flat=True).distinct().order_by("document"):
        spans = list(Span.objects.filter(document=document).order_by("pk").values_list("pk", "start", "end"))
        for i in range(0, len(spans) - 2, 3):
            if len(made) == count:
                break
            piece = spans[i + 2]
            if len(made) % 5 == 0 and (piece[1] >= spans[i][2] or piece[2] <= spans[i][1]):
                more[spans[i][0]] = piece[0]  # pieces of a content do not overlap
            made.append(
                Attribution(
                    document_id=document, content_id=spans[i][0], cue_id=spans[i + 1][0], author=author,
                    speaker=speakers[len(made) % len(speakers)], kind=("direct", "indirect", "mixed")[i % 3],
                )
            )  # fmt: skip
    Attribution.objects.bulk_create(made, batch_size=2000)
    through = Attribution.content_more.through
    rows = Attribution.objects.filter(content__in=list(more)).values_list("pk", "content_id")
    through.objects.bulk_create(
        [through(attribution_id=pk, span_id=more[content]) for pk, content in rows], batch_size=2000
    )
    assert Attribution.objects.count() == count


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


def export_then_import(build, folder, name, expected, samples=1):
    """Export a database `build` makes, then import the file into an empty one: each `samples`
    times, each in a fresh process (and each import into a fresh database); the runs with the
    median seconds. A single run of tens of milliseconds varied by a third from one process to
    the next on this shared machine."""
    path = f"{folder}/{name}.json"
    with fresh_database("sqlite") as url:
        build(url)
        exports = [_run(url, EXPORT, path) for _ in range(samples)]
    imports = []
    for _ in range(samples):
        with fresh_database("sqlite") as url:
            imports.append(_run(url, IMPORT, path))
    for result in (*exports, *imports):
        assert result["counts"] == expected, (result["counts"], expected)
    return _median(exports), _median(imports)


def _median(results):
    ordered = sorted(results, key=lambda result: result["seconds"])
    return {**ordered[len(ordered) // 2], "samples": [round(result["seconds"], 3) for result in results]}


def measure(big=100_000) -> dict:
    """The import of 2,000, the export of that project, and both ways for `big` annotations (100,000
    unless a quick run asks for fewer: the keys keep their names, "annotations" says the count)."""
    with tempfile.TemporaryDirectory(prefix="close-reader-exchange-") as folder:
        project, small = export_then_import(
            lambda url: prepare(url, users=1, annotations=2000, links=200),
            folder,
            "project",
            [2000, 2000, 200],
            samples=3,
        )

        def build_100k(url):
            subprocess.run(
                [sys.executable, "-c", f"import bench.exchange as e; e.synthetic({big})"],
                cwd=ROOT,
                env=environment(url),
                check=True,
                capture_output=True,
            )

        uploaded = import_upload(f"{folder}/project.json", [2000, 2000, 200])
        big_export, big_import = export_then_import(build_100k, folder, "100k", [big, big, 0])
    return {
        "import_2000_http": uploaded,
        "import_2000": {
            "seconds": round(small["seconds"], 3),
            "samples": small["samples"],
            "annotations": 2000,
            "spans": 2000,
            "links": 200,
        },
        "export_project": {
            "seconds": round(project["seconds"], 3),
            "samples": project["samples"],
            "annotations": 2000,
            "spans": 2000,
            "links": 200,
        },
        "import_100k": {**_round(big_import), "annotations": big},
        "export_100k": {**_round(big_export), "annotations": big},
    }


def import_upload(path, expected, samples=3):
    """The 2,000-annotation file uploaded through the import page of a running server, as a
    curator does (one request, answered by the redirect to its summary), into a database holding
    only the curator: the measure the peers' "2,000 spans in one request" is. A fresh database
    and server per sample, as an import into a database that holds the file already adds nothing;
    each server has refused a bad file first, as a server that has been running has imported."""
    with open(path, "rb") as file:
        content = file.read()
    seconds = []
    for _ in range(samples):
        with fresh_database("sqlite") as url:
            prepare(url, users=1, curators=1)
            with Server(url, workers=1) as server:
                client = Client(server.url, "client0")
                client.session.get(server.url + "/import/").raise_for_status()  # the form a curator opens
                # A running server has imported before: a file refused whole (it writes nothing)
                # loads the import's modules, as the first import after a start would.
                assert client.upload("/import/", "empty.json", b"{}") == 400
                started = time.perf_counter()
                status = client.upload("/import/", "project.json", content)
                seconds.append(time.perf_counter() - started)
                assert status == 302, status
            database = sqlite3.connect(url.removeprefix("sqlite:///"))
            counts = [
                database.execute(f"SELECT count(*) FROM reader_{table}").fetchone()[0]  # noqa: S608
                for table in ("annotation", "span", "link")
            ]
            database.close()
            assert counts == expected, (counts, expected)
    return {
        "seconds": round(statistics.median(seconds), 3),
        "samples": [round(s, 3) for s in seconds],
        "annotations": expected[0],
        "spans": expected[1],
        "links": expected[2],
        "bytes": len(content),
    }


TIMED = SETUP + (
    "from django.core.management import call_command;"
    "from reader.models import Annotation, Attribution, Document;"
    "args = json.loads(sys.argv[1]);"
    "started, cpu = time.perf_counter(), time.process_time();"
    "call_command(*args, stdout=open('/dev/null', 'w'), stderr=open('/dev/null', 'w'));"
    "seconds, cpu = time.perf_counter() - started, time.process_time() - cpu;"
    "counts = [Annotation.objects.count(), Attribution.objects.count(), Document.objects.count()];"
    "print(json.dumps({'seconds': seconds, 'cpu_seconds': cpu,"
    " 'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'counts': counts}))"
)


MIGRATE_WITH_USER = SETUP + (
    "from django.core.management import call_command; call_command('migrate', verbosity=0);"
    "from django.contrib.auth import get_user_model; get_user_model().objects.create(username='bench');"
    "print('{}')"
)


def _timed(url, *args):
    return _run(url, TIMED, json.dumps(list(args)))


def measure_tables(annotations=30_000, attributions=10_000) -> dict:
    """The CSV tables and the brat zip of a synthetic project, and the zip imported again."""
    import os

    results = {}
    with tempfile.TemporaryDirectory(prefix="close-reader-tables-") as folder:
        with fresh_database("sqlite") as url:
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"import bench.exchange as e; e.synthetic({annotations}, {attributions})",
                ],
                cwd=ROOT,
                env=environment(url),
                check=True,
                capture_output=True,
            )
            for table in ("attributions", "links", "speakers"):
                path = f"{folder}/{table}.csv"
                timed = _timed(
                    url, "export_annotations", "--format", "csv", "--table", table, "--output", path
                )
                assert timed["counts"][:2] == [annotations, attributions], timed["counts"]
                results[f"csv_{table}"] = {**_round(timed), "bytes": os.path.getsize(path)}
            zipped = f"{folder}/brat.zip"
            timed = _timed(url, "export_annotations", "--format", "brat", "--output", zipped)
            results["brat_export"] = {**_round(timed), "bytes": os.path.getsize(zipped)}
        with fresh_database("sqlite") as url:
            _run(url, MIGRATE_WITH_USER)
            timed = _timed(url, "import_annotations", zipped, "--author", "bench")
            # Annotations of one span and label by several people would be one line; here each is one.
            assert timed["counts"] == [annotations, attributions, 2], timed["counts"]
            results["brat_import"] = _round(timed)
    return {"annotations": annotations, "attributions": attributions, **results}


if __name__ == "__main__":
    print(json.dumps(measure_tables() if "--tables" in sys.argv else measure(), indent=2))
