"""The load test: many annotators at once against gunicorn, then an audit.

`python -m bench.load [--db sqlite|postgres] [--clients 8] [--annotations 100] [--links 10] [--kill]`

Every client logs in and creates its annotations and links as the browser
does. Afterwards the database must hold exactly what was acknowledged: nothing
lost, nothing duplicated, no 5xx. With --kill, one gunicorn worker is killed
(SIGKILL) mid-run: what was acknowledged before must be there; requests cut off
may or may not have committed, but never half (no span without its annotation).
"""

import argparse
import json
import re
import threading
import time
from dataclasses import dataclass, field
from functools import partial

import requests

from bench.server import ROOT, Client, Server, dump, fresh_database, prepare


def seed_texts():
    manifest = json.loads((ROOT / "seeds" / "manifest.json").read_text())
    return [(ROOT / "seeds" / entry["file"]).read_bytes().decode("utf-8") for entry in manifest["documents"]]


@dataclass
class Outcome:
    acked: set = field(default_factory=set)
    failed: set = field(default_factory=set)
    links_acked: set = field(default_factory=set)
    links_failed: set = field(default_factory=set)
    server_errors: int = 0
    client_errors: int = 0
    killed: int | None = None  # the pid of the worker killed mid-run
    creates_done: float = 0.0  # when the last annotator finished creating (perf_counter)
    create_seconds: float = 0.0


def _tally(request, key, outcome, lock, acked, failed):
    """Send one request and file it: acknowledged, cut off (connection lost or 5xx), or refused."""
    try:
        status, result = request()
    except requests.RequestException:
        with lock:
            failed.add(key)
        return None
    with lock:
        if status == 200:
            acked.add(key)
            return result
        if status >= 500:
            outcome.server_errors += 1
            failed.add(key)
        else:
            outcome.client_errors += 1
    return None


def annotator(base, number, clients, annotations, links, texts, outcome, lock, ready):
    client = Client(base, f"client{number}")
    documents, labels = client.page_facts()
    ready.wait()  # everyone logged in: now all write at once
    words = [[m.span() for m in re.finditer(r"\S+", text)] for text in texts]
    spans = {0: [], 1: []}
    for k in range(annotations):
        side = k % 2
        j = (k // 2) * clients + number  # this client's own word runs: no two clients share a span
        first = j % len(words[side])
        last = min(first + j // len(words[side]), len(words[side]) - 1)
        start, end = words[side][first][0], words[side][last][1]
        label = labels[k % len(labels)]
        key = (documents[side], start, end, label, f"client{number}")
        attempt = partial(client.annotate, documents[side], start, end, texts[side][start:end], label)
        span = _tally(attempt, key, outcome, lock, outcome.acked, outcome.failed)
        if span is not None:
            spans[side].append(span)
    with lock:
        outcome.creates_done = max(outcome.creates_done, time.perf_counter())
    for source, target in list(zip(spans[0], spans[1], strict=False))[:links]:
        key = (source, target, "counterpart", f"client{number}")
        attempt = partial(client.link, source, target)
        _tally(attempt, key, outcome, lock, outcome.links_acked, outcome.links_failed)


def run(base, *, clients=8, annotations=100, links=10, server=None, kill_after=None):
    """Run the clients at once; return the outcome and the seconds it took."""
    texts = seed_texts()
    outcome, lock, ready = Outcome(), threading.Lock(), threading.Barrier(clients + 1, timeout=60)
    threads = [
        threading.Thread(
            target=annotator, args=(base, n, clients, annotations, links, texts, outcome, lock, ready)
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    if kill_after is not None:
        time.sleep(kill_after)
        outcome.killed = server.kill_worker()
    for thread in threads:
        thread.join()
    outcome.create_seconds = outcome.creates_done - started
    return outcome, time.perf_counter() - started


def audit(database_url, outcome):
    """What the database holds against what was acknowledged. Returns a list of problems."""
    held = dump(database_url)
    annotations = [tuple(row) for row in held["annotations"]]
    links = [tuple(row) for row in held["links"]]
    problems = []
    if len(annotations) != len(set(annotations)):
        problems.append("duplicated annotations")
    lost = outcome.acked - set(annotations)
    if lost:
        problems.append(f"{len(lost)} acknowledged annotations lost")
    unexplained = set(annotations) - outcome.acked - outcome.failed
    if unexplained:
        problems.append(f"{len(unexplained)} annotations nobody asked for")
    lost_links = outcome.links_acked - set(links)
    if lost_links:
        problems.append(f"{len(lost_links)} acknowledged links lost")
    if set(links) - outcome.links_acked - outcome.links_failed:
        problems.append("links nobody asked for")
    if held["spans_without_annotations"]:
        problems.append(f"{held['spans_without_annotations']} spans without an annotation (a half write)")
    if outcome.server_errors:
        problems.append(f"{outcome.server_errors} server errors (5xx)")
    if outcome.client_errors:
        problems.append(f"{outcome.client_errors} refused requests (4xx)")
    return problems, len(lost)


def scenario(db, *, clients, annotations, links, kill=False, workers=4):
    with fresh_database(db) as url:
        prepare(url, users=clients)
        with Server(url, workers=workers) as server:
            outcome, seconds = run(
                server.url,
                clients=clients,
                annotations=annotations,
                links=links,
                server=server,
                kill_after=0.3 if kill else None,
            )
            # gunicorn replaced the killed worker: as many workers as before, one of them new,
            # and the server still answers.
            respawned = outcome.killed is not None and server.replaced(outcome.killed)
        problems, lost = audit(url, outcome)
    return {
        "db": db,
        "clients": clients,
        "acknowledged": len(outcome.acked),
        "cut_off": len(outcome.failed),
        "links": len(outcome.links_acked),
        "seconds": round(seconds, 2),
        # Creates over the time the creating took (the links come after).
        "creates_per_s": round(len(outcome.acked) / outcome.create_seconds, 1),
        "errors": outcome.server_errors + outcome.client_errors,
        "lost": lost,
        "killed_and_replaced": respawned,
        "problems": problems,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--annotations", type=int, default=100)
    parser.add_argument("--links", type=int, default=10)
    parser.add_argument("--kill", action="store_true", help="SIGKILL a worker mid-run")
    args = parser.parse_args()
    result = scenario(
        args.db, clients=args.clients, annotations=args.annotations, links=args.links, kill=args.kill
    )
    print(json.dumps(result, indent=2))
    raise SystemExit(1 if result["problems"] else 0)


if __name__ == "__main__":
    main()
