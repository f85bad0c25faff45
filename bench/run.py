"""The benchmark: `make bench` (or `python -m bench.run [--db sqlite|postgres] [--quick] [--only NAME ...]`).

Against a real server (gunicorn on loopback, a fresh database for each measure) it measures:
- reader, report, create, browser_2000, export_project_http: the comparison reader with 0, 2,000
  and 20,000 annotations (plus 10% links), warm; with 2,000, the report, creating an annotation
  (four workers), Chromium to every highlight and connector drawn, and the native export
  downloaded through the server;
- create_1w: creating an annotation on one worker (2,000 there);
- create_floor: the floor under it, a bare Django view inserting one row (bench/floor.py);
- create_floor_app: the same insert through this app's own middleware, session and CSRF check
  (bench/app_floor.py): what any create costs before it does anything of its own;
- concurrent_floor_app: 8 clients posting that insert at once, on one worker and on four;
- concurrent, concurrent_1w: 8 annotators at once on four workers, and on one (bench/load.py);
- reader_cold: the first view after a change (an annotation of each shown document edited
  through the app before each timed GET, so their cached columns are stale): one document's
  page (/documents/<slug>/) with 2,000 annotations in the project, the comparison with 2,000 and
  with 20,000;
- long_document: two ~2 MB articles, 5,000 annotations, 500 links (bench/longdoc.py): the first
  view on a fresh server, its size, the first suggestion request the panel makes, creates on one
  of the articles, Chromium;
- import_2000, import_2000_http, export_project, import_100k, export_100k: bench/exchange.py's
  measure();
- two_nodes: two gunicorns over one PostgreSQL and one Redis (bench/nodes.py; --db postgres only);
- reanchor: bench/reanchor.py's measure();
- speakers_20000: a speaker tag finding its speaker among 20,000 (bench/speakers.py);
- segments_nested_8000: reader.text.segments (the cutting of a text for highlighting) with 8,000
  spans nested one inside the other.
Every measure builds exactly the counts it reports and asserts them. It prints a table, each
figure beside its target, and writes bench/results.json (a run with --quick or --only writes
bench/results-partial.json instead). It asserts no time: the numbers are for reading.
"""

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench import load
from bench.server import (
    ROOT,
    Client,
    Server,
    chromium_options,
    environment,
    free_port,
    fresh_database,
    prepare,
    python,
)

READER = "/compare/soleimani-first-anniversary/"
REPORT = "/compare/soleimani-first-anniversary/report/"
RESULTS = Path(__file__).with_name("results.json")
PARTIAL = Path(__file__).with_name("results-partial.json")


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
        with Server(url, workers=4) as server:
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
                results["export_project_http"] = export_download(client, annotations)
                results["create"] = {**create_timings(client, repeat * 2), "workers": 4}
                results["browser_2000"] = browser_drawn(server.url)


def export_download(client, annotations):
    """The native export of the whole project downloaded through the server, end to end."""
    samples, size = [], 0
    for _ in range(3):
        started = time.perf_counter()
        response = client.session.get(client.base + "/export/annotations.json", timeout=120)
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
        data = response.json()
        size = len(response.content)
    assert (len(data["annotations"]), len(data["spans"])) == (annotations, annotations)
    return {
        "seconds": round(statistics.median(samples), 3),
        "bytes": size,
        "spans": annotations,
        "links": len(data["links"]),
    }


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


def browser_drawn(base, path=READER, samples=5, timeout=30_000):
    """Milliseconds from navigation to every highlight and connector of the first screen drawn,
    in Chromium (reader.js stamps the moment on #connectors): the median, and the first visit's."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_options())
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        base = base.replace("127.0.0.1", "localhost")
        page.goto(base + "/accounts/login/")
        page.fill("#id_username", "client0")
        page.fill("#id_password", "bench-password-1")
        page.click("button.primary")
        drawn = []
        for _ in range(samples):
            page.goto(base + path, timeout=timeout)
            page.wait_for_function("document.getElementById('connectors')?.dataset.drawnMs", timeout=timeout)
            drawn.append(float(page.evaluate("document.getElementById('connectors').dataset.drawnMs")))
        browser.close()
    return {"drawn_ms": round(statistics.median(drawn), 1), "first_drawn_ms": drawn[0]}


# --- The measures: each fills its keys of `results` -------------------------------------------

MEASURES = {}  # name -> (function, the result keys it fills)


def measure(*keys):
    def register(function):
        MEASURES[function.__name__] = (function, keys or (function.__name__,))
        return function

    return register


@measure("reader", "report", "create", "browser_2000", "export_project_http")
def reader(options, results):
    results["reader"] = {}
    for annotations in (0, 2000, 20000):
        reader_at(options.db, annotations, options.repeat, results)


@measure()
def create_1w(options, results):
    """Creating an annotation on ONE gunicorn worker, with 2,000 annotations already there."""
    with fresh_database(options.db) as url:
        prepare(url, users=1, annotations=2000, links=200)
        with Server(url, workers=1) as server:
            client = Client(server.url, "client0")  # a requests.Session: cookies and connection kept
            results["create_1w"] = {**create_timings(client, options.repeat * 2), "workers": 1}


@measure()
def create_floor(options, results):
    """bench/floor.py's bare insert behind one gunicorn worker, posted as create_timings posts."""
    with tempfile.TemporaryDirectory(prefix="close-reader-floor-") as folder:
        env = environment("sqlite:///unused", FLOOR_DATABASE=f"{folder}/floor.sqlite3")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "bench.floor:application", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            session, url = requests.Session(), f"http://127.0.0.1:{port}/create/"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    session.get(url, timeout=5)
                    break
                except requests.RequestException:
                    time.sleep(0.1)
            words = load.seed_texts()[1][:80]

            def create():
                assert session.post(url, data={"exact": words, "start": 0, "end": 80}).status_code == 200

            samples = timed(create, options.repeat * 2)
        finally:
            server.terminate()
            server.wait()
        database = sqlite3.connect(f"{folder}/floor.sqlite3")
        rows = database.execute("SELECT count(*) FROM row").fetchone()[0]
        database.close()
    assert rows == len(samples) + 1, (rows, len(samples))
    results["create_floor"] = {**percentiles(samples), "workers": 1, "rows": rows}


@measure()
def create_floor_app(options, results):
    """bench/app_floor.py's one-row insert through this app's whole stack (its middleware, a
    session logged in through the login form, CSRF), behind one gunicorn worker, posted as
    create_timings posts."""
    with fresh_database(options.db) as url:
        prepare(url, users=1)
        with Server(url, workers=1, env={"DJANGO_SETTINGS_MODULE": "bench.app_floor_settings"}) as server:
            client = Client(server.url, "client0")
            floor = server.url + "/bench-floor/"
            words = load.seed_texts()[1][:80]

            def create():
                response = client.session.post(
                    floor, data={"exact": words, "start": 0, "end": 80}, headers=client.headers, timeout=30
                )
                assert response.status_code == 200, response.status_code

            samples = timed(create, options.repeat * 2)
            rows = int(client.session.get(floor, timeout=30).text)
    assert rows == len(samples) + 1, (rows, len(samples))
    results["create_floor_app"] = {**percentiles(samples), "workers": 1, "rows": rows}


@measure()
def concurrent_floor_app(options, results):
    """8 clients posting bench/app_floor.py's one-row insert at once, as many as the concurrent
    measures' creates, on one worker and on four: the most creates a second could be here."""
    results["concurrent_floor_app"] = {str(w): _floor_rate(options.db, w) for w in (1, 4)}


def _floor_rate(db, workers, clients=8, each=100):
    with fresh_database(db) as url:
        prepare(url, users=clients)
        settings = {"DJANGO_SETTINGS_MODULE": "bench.app_floor_settings"}
        with Server(url, workers=workers, env=settings) as server:
            sessions = [Client(server.url, f"client{n}") for n in range(clients)]
            floor = server.url + "/bench-floor/"
            together = threading.Barrier(clients + 1, timeout=300)

            def post(client):
                together.wait()
                for _ in range(each):
                    response = client.session.post(
                        floor, data={"exact": "floor"}, headers=client.headers, timeout=30
                    )
                    assert response.status_code == 200, response.status_code

            threads = [threading.Thread(target=post, args=(client,)) for client in sessions]
            for thread in threads:
                thread.start()
            together.wait()
            started = time.perf_counter()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
            rows = int(sessions[0].session.get(floor, timeout=30).text)
    assert rows == clients * each, (rows, clients * each)
    return {"clients": clients, "rows": rows, "inserts_per_s": round(rows / seconds, 1)}


def _concurrent(db, workers):
    outcome = load.scenario(db, clients=8, annotations=100, links=10, workers=workers)
    assert not outcome["problems"], outcome["problems"]
    keys = ("clients", "acknowledged", "creates_per_s", "errors", "lost")
    return {**{key: outcome[key] for key in keys}, "workers": workers}


@measure()
def concurrent(options, results):
    results["concurrent"] = _concurrent(options.db, workers=4)


@measure()
def concurrent_1w(options, results):
    results["concurrent_1w"] = _concurrent(options.db, workers=1)


class Editor:
    """Changes one annotation of a document through the app (its note, as the panel's form
    does), so every fingerprint that covers the document changes and its cached column is stale."""

    def __init__(self, client, annotation):
        self.client, self.annotation, self.edits = client, annotation, 0

    def change(self):
        fields = self.client.panel(self.annotation)
        self.edits += 1
        status = self.client.post(
            f"/annotations/{self.annotation}/", {**fields, "note": f"edit {self.edits}"}
        )
        assert status == 200, status


def cold(client, path, editors, repeat):
    """Each sample: change every document the page shows (untimed), then time the GET."""
    samples = []
    for _ in range(repeat):
        for editor in editors:
            editor.change()
        started = time.perf_counter()
        client.reader(path).raise_for_status()
        samples.append(time.perf_counter() - started)
    return samples


def cold_at(db, annotations, repeat):
    """First views after a change, and warm ones, of the comparison and of its first document."""
    with fresh_database(db) as url:
        held = prepare(url, users=1, annotations=annotations, links=annotations // 10)
        with Server(url, workers=1) as server:  # one worker: one cache, made stale each time
            client = Client(server.url, "client0")
            (slug, first), (_, second) = held["documents"].items()
            editors = [Editor(client, first), Editor(client, second)]
            document = f"/documents/{slug}/"

            def view(path):
                return lambda: client.reader(path).raise_for_status()

            warm = {path: percentiles(timed(view(path), repeat))["p50_ms"] for path in (READER, document)}
            return {
                "comparison": {**percentiles(cold(client, READER, editors, repeat)), "page": READER},
                "document": {**percentiles(cold(client, document, editors[:1], repeat)), "page": document},
                "warm": warm,
            }


@measure()
def reader_cold(options, results):
    repeat = max(10, options.repeat // 3)
    found = {}
    for annotations, names in ((2000, ("2000_comparison", "2000")), (20000, ("20000", "20000_document"))):
        measured = cold_at(options.db, annotations, repeat)
        for name, kind in zip(names, ("comparison", "document"), strict=True):
            found[name] = {**measured[kind], "warm_p50_ms": measured["warm"][measured[kind]["page"]]}
    results["reader_cold"] = found


@measure()
def long_document(options, results):
    from bench import longdoc

    size, per_side, links = (200_000, 500, 50) if options.quick else (longdoc.SIZE, 2500, 500)
    path = f"/compare/{longdoc.SLUG}/"
    with fresh_database(options.db) as url:
        prepare(url, users=1)
        built = python(url, "-m", "bench.longdoc", "--setup", str(size), str(per_side), str(links))
        built = json.loads(built.stdout.splitlines()[-1])
        with Server(url, workers=1) as server:
            client = Client(server.url, "client0")  # logging in warms the worker: Django is loaded
            started = time.perf_counter()
            page = client.reader(path)
            first_view = time.perf_counter() - started
            page.raise_for_status()
            started = time.perf_counter()
            client.reader(path).raise_for_status()
            warm_view = time.perf_counter() - started
            # What the panel asks for when a highlight on the left is clicked: its annotations
            # and the counterparts suggested in the right-hand article.
            panel = f"/spans/?span={built['first_left_span']}&comparison={longdoc.SLUG}"
            started = time.perf_counter()
            suggested = client.session.get(server.url + panel, headers=client.headers, timeout=60)
            first_suggestion = time.perf_counter() - started
            suggested.raise_for_status()
            assert 'class="suggestions"' in suggested.text, "the panel suggested no counterpart"
            creates = long_creates(client, built, size, options.repeat)
            browser = browser_drawn(server.url, path, samples=3, timeout=120_000)
    results["long_document"] = {
        "first_view_ms": round(first_view * 1000, 1),
        "warm_view_ms": round(warm_view * 1000, 1),
        "html_bytes": len(page.content),
        "first_suggestion_ms": round(first_suggestion * 1000, 1),
        "suggestion_url": panel,
        "create_p50_ms": creates["p50_ms"],
        "create_p95_ms": creates["p95_ms"],
        "browser_drawn_ms": browser["first_drawn_ms"],
        "browser_drawn_median_ms": browser["drawn_ms"],
        "chars_per_article": size,
        "annotations": built["annotations"],
        "links": built["links"],
    }


def long_creates(client, built, size, repeat):
    """Creating annotations one after another on the left long article, the first after the
    page was viewed (as a reader would), quote-sized spans spread over the whole text."""
    from bench import longdoc, reanchor

    text = reanchor.article(size, longdoc.SEEDS["left"])
    assert len(text) == built["chars"][0], "the article is not the one stored"
    documents, labels = client.page_facts(f"/compare/{longdoc.SLUG}/")
    words = [m.span() for m in re.finditer(r"\S+", text)]
    step = len(words) // (2 * repeat + 4)
    runs = iter([(words[i][0], words[i + 1 + i % 11][1]) for i in range(step, len(words) - 12, step)])

    def create():
        start, end = next(runs)
        status, _ = client.annotate(documents[0], start, end, text[start:end], labels[0])
        assert status == 200, status

    return percentiles(timed(create, repeat))


@measure("import_2000", "import_2000_http", "export_project", "import_100k", "export_100k")
def exchange(options, results):
    from bench import exchange as exchange_bench

    results.update(exchange_bench.measure(10_000 if options.quick else 100_000))


@measure()
def two_nodes(options, results):
    if options.db != "postgres":
        results["two_nodes"] = {
            "skipped": "needs one PostgreSQL and one Redis: run with --db postgres "
            "(scripts/postgres.sh, scripts/redis.sh)"
        }
        return
    from bench import nodes

    outcome = nodes.measure()
    assert not outcome["problems"], outcome["problems"]
    keys = ("nodes", "workers", "clients", "acknowledged", "creates_per_s", "errors", "lost")
    results["two_nodes"] = {key: outcome[key] for key in keys}


@measure()
def reanchor(options, results):
    from bench import reanchor as reanchor_bench

    results["reanchor"] = reanchor_bench.measure(options.db)


SEGMENTS = (
    "import json, resource, statistics, sys, time; from reader import text;"
    "n = int(sys.argv[1]); length = 2 * n + 1;"
    "spans = [(i, i, length - i) for i in range(n)];"  # each inside the one before
    "samples = [];\n"
    "cut = None;\n"
    "for _ in range(3):\n"
    "    cut = None; started = time.perf_counter(); cut = text.segments(0, length, spans);"
    "    samples.append(time.perf_counter() - started)\n"
    "assert len(cut) == length - 2 and max(len(s.spans) for s in cut) == n;"
    "print(json.dumps({'ms': round(statistics.median(samples) * 1000, 1), 'spans': n, 'segments': len(cut),"
    " 'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))"
)


@measure()
def segments_nested_8000(options, results):
    """reader.text.segments over 8,000 spans nested one inside the other (16,001 characters), in a
    process of its own: each segment names every span covering it, so the memory is large."""
    done = subprocess.run(
        [sys.executable, "-c", SEGMENTS, "8000"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    results["segments_nested_8000"] = json.loads(done.stdout)


@measure()
def speakers_20000(options, results):
    """A speaker tag finding its speaker among 20,000 (bench/speakers.py), in process."""
    with fresh_database(options.db) as url:
        done = python(url, "-m", "bench.speakers", "20000")
        results["speakers_20000"] = json.loads(done.stdout.splitlines()[-1])  # after load_seeds' lines


# --- The table --------------------------------------------------------------------------------


def _at_most(value, limit):
    return value <= limit


def _at_least(value, limit):
    return value >= limit


def table(results):
    """Markdown: each figure, its target where it has one, and whether it is met."""
    rows = [
        f"Close Reader benchmark ({results['db']}, gunicorn on loopback"
        f"{', quick' if results.get('quick') else ''})",
        "",
        "| measure | result | target | met? |",
        "| --- | --- | --- | --- |",
    ]

    def row(label, shown, target="", value=None, limit=None, test=_at_most):
        met = "" if limit is None else ("yes" if test(value, limit) else "no")
        rows.append(f"| {label} | {shown} | {target} | {met} |")

    def ms(r):
        return f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms"

    for size, r in results.get("reader", {}).items():
        row(
            f"reader page, {int(size):,} annotations (warm)",
            f"{ms(r)}, {r['queries']} queries, {r['bytes']:,} bytes",
        )
    if "report" in results:
        r = results["report"]
        row("report page (2,000)", f"p50 {r['p50_ms']} ms", "≤ 25 ms", r["p50_ms"], 25)
    if "create" in results:
        r = results["create"]
        row("create an annotation (2,000 there), 4 workers", ms(r))
    if "create_1w" in results:
        r = results["create_1w"]
        row("create an annotation (2,000 there), 1 worker", ms(r), "p50 ≤ 3 ms", r["p50_ms"], 3)
    for key, label, target in (
        ("concurrent", "8 concurrent annotators, 4 workers", 450),
        ("concurrent_1w", "8 concurrent annotators, 1 worker", 300),
    ):
        if key in results:
            r = results[key]
            row(
                label,
                f"{r['creates_per_s']} creates/s, {r['errors']} errors, {r['lost']} lost",
                f"≥ {target}/s, 0 errors, 0 lost",
                (r["creates_per_s"], r["errors"], r["lost"]),
                target,
                lambda v, t: v[0] >= t and v[1] == 0 and v[2] == 0,
            )
    if "create_floor" in results:
        row("… the floor: a bare Django view inserting one row, 1 worker", ms(results["create_floor"]))
    if "create_floor_app" in results:
        row(
            "… the floor through this app's stack (middleware, session, CSRF): one row, 1 worker",
            ms(results["create_floor_app"]),
        )
    for workers, r in results.get("concurrent_floor_app", {}).items():
        row(
            f"… 8 clients on that floor, {workers} worker{'s' if workers != '1' else ''}",
            f"{r['inserts_per_s']} inserts/s",
        )
    if "two_nodes" in results:
        r = results["two_nodes"]
        if "skipped" in r:
            row("two nodes (PostgreSQL + Redis), 8 annotators", f"skipped: {r['skipped']}")
        else:
            row(
                f"two nodes ({r['workers']} workers, PostgreSQL + Redis), {r['clients']} annotators",
                f"{r['creates_per_s']} creates/s, {r['errors']} errors, {r['lost']} lost",
                "0 errors, 0 lost",
                (r["errors"], r["lost"]),
                (0, 0),
                lambda v, t: v == t,
            )
    cold = results.get("reader_cold", {})
    for key, label, target in (
        ("2000", "one document's page, 2,000 annotations", 20),
        ("2000_comparison", "comparison, 2,000 annotations", 30),
        ("20000", "comparison, 20,000 annotations", 120),
        ("20000_document", "one document's page, 20,000 annotations", None),
    ):
        if key in cold:
            r = cold[key]
            row(
                f"first view after a change: {label} ({r['page']})",
                f"{ms(r)} (warm: p50 {r['warm_p50_ms']} ms)",
                f"p50 ≤ {target} ms" if target else "",
                r["p50_ms"],
                target,
            )
    if "long_document" in results:
        r = results["long_document"]
        what = f"two {r['chars_per_article'] / 1e6:g} M-character articles"
        row(f"{what}: first view (cold)", f"{r['first_view_ms']} ms", "≤ 400 ms", r["first_view_ms"], 400)
        row(f"{what}: its HTML", f"{r['html_bytes']:,} bytes", "≤ 1.5 MB", r["html_bytes"], 1_500_000)
        row(
            f"{what}: first counterpart suggestion (panel)",
            f"{r['first_suggestion_ms']} ms",
            "≤ 150 ms",
            r["first_suggestion_ms"],
            150,
        )
        row(
            f"{what}: Chromium to the first screen drawn",
            f"{r['browser_drawn_ms']} ms (median of 3: {r['browser_drawn_median_ms']} ms)",
            "≤ 1000 ms",
            r["browser_drawn_ms"],
            1000,
        )
        if "create_p50_ms" in r:
            row(f"{what}: create one annotation", f"p50 {r['create_p50_ms']} ms, p95 {r['create_p95_ms']} ms")
    if "browser_2000" in results:
        row(
            "Chromium: to all highlights and connectors drawn (2,000 + 200 links)",
            f"{results['browser_2000']['drawn_ms']} ms",
        )
    if "import_2000" in results:
        r = results["import_2000"]
        row(
            "native import, 2,000 spans and annotations, the command",
            f"{r['seconds']} s (median of {len(r['samples'])})",
            "≤ 0.15 s",
            r["seconds"],
            0.15,
        )
    if "import_2000_http" in results:
        r = results["import_2000_http"]
        row(
            "… the same file uploaded to a running server (one request)",
            f"{r['seconds']} s (median of {len(r['samples'])})",
            "≤ 0.15 s",
            r["seconds"],
            0.15,
        )
    if "import_100k" in results:
        r = results["import_100k"]
        row(
            f"native import, {r['annotations']:,} annotations",
            f"{r['seconds']} s, peak RSS {r['peak_rss_mb']} MB",
            "≤ 10 s, ≤ 250 MB",
            (r["seconds"], r["peak_rss_mb"]),
            (10, 250),
            lambda v, t: v[0] <= t[0] and v[1] <= t[1],
        )
    if "export_project" in results:
        r = results["export_project"]
        row(
            f"native export of a project ({r['spans']:,} spans), the command",
            f"{r['seconds']} s (median of {len(r['samples'])})",
            "≤ 0.05 s",
            r["seconds"],
            0.05,
        )
    if "export_project_http" in results:
        r = results["export_project_http"]
        row(
            f"native export of a project ({r['spans']:,} spans), downloaded from gunicorn",
            f"{r['seconds']} s, {r['bytes']:,} bytes",
            "≤ 0.05 s",
            r["seconds"],
            0.05,
        )
    if "export_100k" in results:
        r = results["export_100k"]
        row(
            f"native export, {r['annotations']:,} annotations",
            f"{r['seconds']} s, peak RSS {r['peak_rss_mb']} MB",
            "≤ 1.5 s",
            r["seconds"],
            1.5,
        )
    if "reanchor" in results:
        r = results["reanchor"]
        row(
            f"re-anchoring {r['spans']:,} spans after {r['changed_quotes']} edits of a "
            f"{r['text_chars'] / 1e6:g} M-character text",
            f"pure {r['pure_ms']} ms, the update's transaction {r['update_ms']} ms (then the new text's "
            f"suggestion index, after the commit, {r.get('index_after_commit_ms', '?')} ms), a create "
            f"meanwhile {r['concurrent_create_ms']} ms; {r['orphaned']} orphaned",
            "≤ 1000 ms; create ≤ 2000 ms",
            (r["update_ms"], r["concurrent_create_ms"]),
            (1000, 2000),
            lambda values, limits: all(v <= lim for v, lim in zip(values, limits, strict=True)),
        )
    if "speakers_20000" in results:
        r = results["speakers_20000"]
        row(
            f"a speaker tag among {r['speakers']:,} speakers, in process",
            f"by name {r['by_name_ms']} ms, by alias {r['by_alias_ms']} ms, a new one {r['new_name_ms']} ms",
        )
    if "segments_nested_8000" in results:
        r = results["segments_nested_8000"]
        row(
            f"segments of {r['spans']:,} nested spans",
            f"{r['ms']} ms, peak RSS {r['peak_rss_mb']} MB",
            "≤ 100 ms",
            r["ms"],
            100,
        )
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes, to try it out")
    names = [name for name, (_, keys) in MEASURES.items() for name in {name, *keys}]
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", choices=names, help="run only these measures (or their keys)"
    )
    options = parser.parse_args()
    options.repeat = 20 if options.quick else 100
    chosen = [
        name
        for name, (_, keys) in MEASURES.items()
        if not options.only or name in options.only or set(keys) & set(options.only)
    ]
    results = {"db": options.db, "quick": options.quick, "load_average": os.getloadavg()[0]}
    output = PARTIAL if options.quick or options.only else RESULTS
    for name in chosen:
        started = time.perf_counter()
        MEASURES[name][0](options, results)
        print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        output.write_text(json.dumps(results, indent=2) + "\n")  # what is done so far, if a later one fails
    print(table(results))


if __name__ == "__main__":
    main()
