"""Several app servers over one PostgreSQL and one Redis, as several machines would run them.

`python -m bench.nodes [--nodes 2] [--workers 2] [--clients 8] [--annotations 50]`

Each node is a gunicorn of its own on its own port, with the settings every machine of a
deployment shares (DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY). Every client logs in on one node
and then sends each create to the next node in turn, as a proxy spreading requests would, with
the same session cookie. Afterwards the database must hold exactly what was acknowledged.

`python -m bench.nodes --ceiling` measures what limits the whole instead: PostgreSQL's own rate
of annotation-creating transactions (bench/ceiling.sql, the statements one create sends, run by
pgbench with no Python in the way), at 1, 2, 4 and 8 connections.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

from bench.load import Outcome, _tally, seed_texts
from bench.server import ROOT, Client, Server, dump, fresh_database, prepare

# Every node of a deployment signs sessions and CSRF tokens with the same key.
SECRET_KEY = "two-nodes-bench-key-" + "k" * 20 + "-shared-by-every-node"


def redis_url():
    """The Redis to share: $CACHE_URL or $REDIS_URL, else the one scripts/redis.sh starts."""
    url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")
    if url:
        return url
    return subprocess.run(
        [str(ROOT / "scripts" / "redis.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()


@contextlib.contextmanager
def nodes(database_url, cache_url, *, count=2, workers=2, **env):
    """`count` gunicorn servers sharing the database and the cache; `env` adds to each one's."""
    shared = {"REDIS_URL": cache_url, "CACHE_URL": "", "DJANGO_SECRET_KEY": SECRET_KEY, **env}
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(Server(database_url, workers=workers, env=shared)) for _ in range(count)]


def roaming_annotator(bases, number, clients, annotations, texts, outcome, lock, ready):
    """One annotator: logs in on node `number % len(bases)`, then sends each create to the next node."""
    client = Client(bases[number % len(bases)], f"client{number}")
    documents, labels = client.page_facts()
    ready.wait()
    words = [[m.span() for m in re.finditer(r"\S+", text)] for text in texts]
    for k in range(annotations):
        client.base = bases[(number + k) % len(bases)]
        side = k % 2
        j = (k // 2) * clients + number  # this client's own word runs: no two clients share a span
        first = j % len(words[side])
        last = min(first + j // len(words[side]), len(words[side]) - 1)
        start, end = words[side][first][0], words[side][last][1]
        label = labels[k % len(labels)]
        key = (documents[side], start, end, label, f"client{number}")
        attempt = partial(client.annotate, documents[side], start, end, texts[side][start:end], label)
        _tally(attempt, key, outcome, lock, outcome.acked, outcome.failed)
    with lock:
        outcome.creates_done = max(outcome.creates_done, time.perf_counter())


def spread(bases, *, clients=8, annotations=50):
    """All clients at once, each alternating nodes; the outcome (acknowledged, cut off, errors)."""
    texts = seed_texts()
    outcome, lock, ready = Outcome(), threading.Lock(), threading.Barrier(clients + 1, timeout=60)
    threads = [
        threading.Thread(
            target=roaming_annotator, args=(bases, n, clients, annotations, texts, outcome, lock, ready)
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    outcome.create_seconds = outcome.creates_done - started
    return outcome


def audit(database_url, outcome, authors):
    """The annotations of `authors` in the database against what they were told. Problems, lost."""
    held = dump(database_url)
    annotations = [tuple(row) for row in held["annotations"] if row[4] in authors]
    problems = []
    if len(annotations) != len(set(annotations)):
        problems.append("duplicated annotations")
    lost = outcome.acked - set(annotations)
    if lost:
        problems.append(f"{len(lost)} acknowledged annotations lost")
    if set(annotations) - outcome.acked - outcome.failed:
        problems.append("annotations nobody asked for")
    if held["spans_without_annotations"]:
        problems.append(f"{held['spans_without_annotations']} spans without an annotation (a half write)")
    if outcome.server_errors:
        problems.append(f"{outcome.server_errors} server errors (5xx)")
    if outcome.client_errors:
        problems.append(f"{outcome.client_errors} refused requests (4xx)")
    return problems, len(lost)


def measure(*, count=2, workers=2, clients=8, annotations=50):
    """Creates per second through `count` nodes of `workers` each, on PostgreSQL and Redis."""
    with fresh_database("postgres") as url:
        prepare(url, users=clients)
        with nodes(url, redis_url(), count=count, workers=workers) as servers:
            outcome = spread([server.url for server in servers], clients=clients, annotations=annotations)
        problems, lost = audit(url, outcome, {f"client{n}" for n in range(clients)})
    return {
        "nodes": count,
        "workers": count * workers,
        "clients": clients,
        "acknowledged": len(outcome.acked),
        "creates_per_s": round(len(outcome.acked) / outcome.create_seconds, 1),
        "errors": outcome.server_errors + outcome.client_errors,
        "lost": lost,
        "problems": problems,
    }


# The statements one create sends (captured with CaptureQueriesContext on PostgreSQL, with the
# session read from Redis): who the user is and the label, then the write transaction (the document
# locked FOR SHARE, span, annotation), then the reads that re-render the touched sentence. Offsets
# come from a sequence, so no two transactions insert the same span.
REQUEST_SQL = """
SELECT id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff,
  is_active, date_joined FROM auth_user WHERE id = 1 LIMIT 21;
SELECT id, version, modified, name, kind, colour, shortcut, description, position
  FROM reader_label WHERE id = 1 LIMIT 21;
{write}
SELECT 1 AS a FROM auth_group INNER JOIN auth_user_groups ON auth_group.id = auth_user_groups.group_id
  WHERE auth_user_groups.user_id = 1 AND auth_group.name = 'curator' LIMIT 1;
SELECT 1 AS a FROM reader_comparison WHERE blind AND (left_id IN (1) OR right_id IN (1)) LIMIT 1;
SELECT id, version, modified, name, kind, colour, shortcut, description, position FROM reader_label
  ORDER BY position, name;
SELECT s.document_id, a.span_id, s.start, s."end", a.label_id FROM reader_annotation a
  JOIN reader_span s ON a.span_id = s.id
  WHERE s.document_id IN (1) AND NOT s.orphaned AND s."end" > :first AND s.start < :first + 150;
SELECT DISTINCT s.id, s.document_id, s.start, s."end" FROM reader_span s
  LEFT JOIN reader_link l ON s.id = l.source_id LEFT JOIN reader_link t ON s.id = t.target_id
  WHERE s.document_id IN (1) AND NOT s.orphaned AND (l.id IS NOT NULL OR t.id IS NOT NULL)
  AND s."end" > :first AND s.start < :first + 150;
SELECT a.id, a.document_id, a.proposal, a.content_id, c.start, c."end", c.orphaned, a.cue_id, u.start,
  u."end", u.orphaned, a.source_id, o.start, o."end", o.orphaned FROM reader_attribution a
  JOIN reader_span c ON a.content_id = c.id LEFT JOIN reader_span u ON a.cue_id = u.id
  LEFT JOIN reader_span o ON a.source_id = o.id WHERE a.document_id IN (1) AND a.proposal <> 'declined';
SELECT m.attribution_id, a.document_id, a.proposal, m.span_id, s.start, s."end"
  FROM reader_attribution_content_more m JOIN reader_attribution a ON m.attribution_id = a.id
  JOIN reader_span s ON m.span_id = s.id WHERE m.attribution_id IN
  (SELECT id FROM reader_attribution WHERE document_id IN (1) AND proposal <> 'declined') AND NOT s.orphaned;
"""
WRITE_SQL = """
SELECT nextval('ceiling_offsets') * 20 AS first \\gset
BEGIN;
SELECT id, slug, text, text_sha256, language FROM reader_document WHERE id = 1 FOR SHARE;
SAVEPOINT s1;
INSERT INTO reader_span (document_id, start, "end", exact, prefix, suffix, orphaned, created_by_id, created)
  VALUES (1, :first, :first + 16, 'Foreign Ministry', 'TEHRAN - Iran''s ', ' has accused the U.S. government',
  false, 1, now()) RETURNING id AS span \\gset
RELEASE SAVEPOINT s1;
SAVEPOINT s2;
INSERT INTO reader_annotation (version, modified, span_id, label_id, author_id, speaker_id, cue, note, status,
  reviewed_by_id, reviewed_at, reviewed_version, created)
  VALUES (1, now(), :span, 1, 1, NULL, '', '', 'pending', NULL, NULL, NULL, now());
RELEASE SAVEPOINT s2;
COMMIT;
"""
SCRIPTS = {"request": REQUEST_SQL.format(write=WRITE_SQL.strip()), "write": WRITE_SQL}


def pgbench():
    found = shutil.which("pgbench")
    if found:
        return found
    newest = sorted(os.listdir("/usr/lib/postgresql"), key=float)[-1]  # Debian keeps it off PATH
    return f"/usr/lib/postgresql/{newest}/bin/pgbench"


def ceiling(*, connections=(1, 2, 4, 8), seconds=10):
    """PostgreSQL's own rate of creates, by script (the whole request's statements, or its write
    transaction alone) and number of connections, with no Python in the way: pgbench's tps."""
    import psycopg

    rates = {}
    with fresh_database("postgres") as url, tempfile.TemporaryDirectory() as folder:
        prepare(url, users=1)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CREATE SEQUENCE ceiling_offsets")
        for name, script in SCRIPTS.items():
            path = Path(folder) / f"{name}.sql"
            path.write_text(script)
            rates[name] = {}
            for n in connections:
                run = subprocess.run(
                    [pgbench(), "-n", "-f", str(path), "-c", str(n), "-j", str(min(n, 2)),
                     "-T", str(seconds), url],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                rates[name][n] = round(float(re.search(r"tps = ([\d.]+)", run.stdout).group(1)), 1)
    return rates


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--annotations", type=int, default=50, help="creates per client")
    parser.add_argument("--ceiling", action="store_true", help="PostgreSQL's own create rate (pgbench)")
    args = parser.parse_args()
    if args.ceiling:
        print(json.dumps({"creates_per_s_by_connections": ceiling()}, indent=2))
        return
    result = measure(
        count=args.nodes, workers=args.workers, clients=args.clients, annotations=args.annotations
    )
    print(json.dumps(result, indent=2))
    raise SystemExit(1 if result["problems"] else 0)


if __name__ == "__main__":
    main()
