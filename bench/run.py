"""The benchmark: `make bench` (or `python -m bench.run [--db sqlite|postgres] [--quick]`).

Against a real server (gunicorn on loopback, a fresh database per run) it
measures the reader page with 0, 2,000 and 20,000 annotations (plus 10% links),
creating an annotation, the report, the native export of 100,000 annotations,
8 concurrent annotators, and, in headless Chromium, the time to a fully drawn
page with 2,000 annotations and 200 links. It prints a table and writes
bench/results.json. It asserts nothing: the numbers are for reading.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import load
from bench.server import ROOT, Client, Server, chromium_options, environment, fresh_database, prepare

READER = "/compare/soleimani-first-anniversary/"
REPORT = "/compare/soleimani-first-anniversary/report/"
RESULTS = Path(__file__).with_name("results.json")


def percentiles(samples):
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 2),
    }


def timed(call, repeat):
    call()  # warm: a first request fills caches and opens the connection
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def queries_of(database_url, path):
    """SQL queries the reader page makes, counted in-process with Django's test client."""
    code = (
        "import django; django.setup();"
        "from django.test import Client; from django.test.utils import CaptureQueriesContext;"
        "from django.db import connection; from django.contrib.auth import get_user_model;"
        "c = Client(); c.force_login(get_user_model().objects.get(username='client0'));"
        f"c.get('{path}');"
        "ctx = CaptureQueriesContext(connection);\n"
        f"with ctx: c.get('{path}')\n"
        "print(len(ctx))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=environment(database_url, DJANGO_ALLOWED_HOSTS="testserver"),
    )
    return int(result.stdout.split()[-1])


def reader_at(db, annotations, repeat, results):
    with fresh_database(db) as url:
        prepare(url, users=8, annotations=annotations, links=annotations // 10)
        with Server(url, workers=2) as server:
            client = Client(server.url, "client0")
            page = client.reader()
            samples = timed(lambda: client.reader().raise_for_status(), repeat)
            results["reader"][str(annotations)] = {
                **percentiles(samples),
                "queries": queries_of(url, READER),
                "bytes": len(page.content),
            }
            if annotations == 2000:
                results["report"] = {
                    "p50_ms": percentiles(timed(lambda: client.session.get(server.url + REPORT), repeat))[
                        "p50_ms"
                    ]
                }
                results["create"] = create_timings(client, repeat * 2)
                results["browser_2000"] = browser_drawn(server.url)


def create_timings(client, repeat):
    """Create annotations one after another on a page holding 2,000 already."""
    documents, labels = client.page_facts()
    text = load.seed_texts()[1]
    words = [m.span() for m in re.finditer(r"\S+", text)]
    # Quote- and claim-sized spans (2 to 12 words) here and there, as readers make them.
    runs = iter([(words[i][0], words[i + 1 + i % 11][1]) for i in range(0, len(words) - 12, 3)])

    def create():
        start, end = next(runs)
        status, _ = client.annotate(documents[1], start, end, text[start:end], labels[0])
        assert status == 200, status

    return percentiles(timed(create, min(repeat, (len(words) - 12) // 3 - 1)))


def browser_drawn(base):
    """Milliseconds from navigation to every highlight and connector drawn, in Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_options())
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        base = base.replace("127.0.0.1", "localhost")
        page.goto(base + "/accounts/login/")
        page.fill("#id_username", "client0")
        page.fill("#id_password", "bench-password-1")
        page.click("button.primary")
        samples = []
        for _ in range(5):
            page.goto(base + READER)
            page.wait_for_function("document.getElementById('connectors')?.dataset.drawnMs")
            samples.append(float(page.evaluate("document.getElementById('connectors').dataset.drawnMs")))
        browser.close()
    return {"drawn_ms": round(statistics.median(samples), 1)}


EXPORT = (
    "import django, resource, sys, time; django.setup();"
    "from django.core.management import call_command;"
    "started = time.perf_counter();"
    "call_command('export_annotations', '--output', sys.argv[1]);"
    "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def export_100k(db, count):
    """Seconds and peak memory of the native export, measured inside the exporting process."""
    with fresh_database(db) as url:
        prepare(url, users=1, annotations=count, links=0)
        with tempfile.TemporaryDirectory() as folder:
            result = subprocess.run(
                [sys.executable, "-c", EXPORT, f"{folder}/export.json"],
                cwd=ROOT,
                env=environment(url),
                capture_output=True,
                text=True,
            )
        if result.returncode:
            raise RuntimeError(result.stderr[-3000:])
    seconds, peak_kb = result.stdout.split()[-2:]
    return {
        "annotations": count,
        "seconds": round(float(seconds), 2),
        "peak_rss_mb": round(int(peak_kb) / 1024, 1),
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes, to try it out")
    args = parser.parse_args()
    repeat = 20 if args.quick else 100
    results = {"db": args.db, "reader": {}}
    for annotations in (0, 2000, 20000):
        reader_at(args.db, annotations, repeat, results)
    results["export_100k"] = export_100k(args.db, 10_000 if args.quick else 100_000)
    concurrent = load.scenario(args.db, clients=8, annotations=100, links=10, workers=4)
    results["concurrent"] = {k: concurrent[k] for k in ("clients", "creates_per_s", "errors", "lost")}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))


def table(results):
    rows = [f"Close Reader benchmark ({results['db']}, gunicorn on loopback)", ""]
    rows.append("| measure | result |")
    rows.append("| --- | --- |")
    for size, r in results["reader"].items():
        rows.append(
            f"| reader page, {int(size):,} annotations | p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
            f"{r['queries']} queries, {r['bytes']:,} bytes |"
        )
    rows.append(
        f"| create an annotation (2,000 there) | p50 {results['create']['p50_ms']} ms, "
        f"p95 {results['create']['p95_ms']} ms |"
    )
    rows.append(f"| report page (2,000) | p50 {results['report']['p50_ms']} ms |")
    e = results["export_100k"]
    rows.append(
        f"| native export, {e['annotations']:,} annotations "
        f"| {e['seconds']} s, peak RSS {e['peak_rss_mb']} MB |"
    )
    c = results["concurrent"]
    rows.append(
        f"| {c['clients']} concurrent annotators | {c['creates_per_s']} creates/s, {c['errors']} errors, "
        f"{c['lost']} lost |"
    )
    rows.append(
        f"| Chromium: to all highlights and connectors drawn (2,000 + 200 links) | "
        f"{results['browser_2000']['drawn_ms']} ms |"
    )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
