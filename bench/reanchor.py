"""Re-anchoring after a text edit: `python -m bench.reanchor [--db sqlite|postgres]`.

A synthetic 2 MB article (the seed articles' sentences, shuffled into paragraphs, with their
numbers and names varied) carries 5,000 spans; one character changes in each of 24 highlighted
quotes. It times `text.reanchor_all` in this process, then `annotating.document_text_update` on a
fresh database in a Django process of its own (writes included), then how long a create on
another article takes through gunicorn while that update runs. It prints JSON and asserts only
what it built (5,000 spans, 24 quotes changed), never a time.

`measure()` returns the same dict, for bench/run.py.
"""

import argparse
import dataclasses
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time

SIZE = 2_000_000  # characters of the article
SPANS = 5000
CHANGED_QUOTES = 24
SEED = 20210103
SLUG = "bench-reanchor-2mb"
NAMES = [
    "Hassan Rouhani",
    "Javad Zarif",
    "Leila Farahani",
    "Amir Hatami",
    "John Carter",
    "Maria Lopez",
    "Chen Wei",
    "Olga Petrova",
    "Kwame Mensah",
    "Sara Haddad",
    "Tom Becker",
    "Aiko Tanaka",
    "Ravi Patel",
    "Ines Duarte",
]
_NAME = re.compile(r"\b(?:Trump|Soleimani|Rouhani|Zarif|Miller|Obama|Clinton|Pompeo|Muhandis)\b")
_NUMBER = re.compile(r"\d+")


def article(size=SIZE, seed=SEED):
    """The old text: paragraphs of 2 to 6 seed sentences, numbers and names drawn afresh each time."""
    from bench.load import seed_texts
    from reader import text as textlib

    rng = random.Random(seed)
    sentences = [text[s:e] for text in seed_texts() for s, e in textlib.sentences(text)]
    paragraphs, length = [], 0
    while length < size:
        paragraph = " ".join(
            _NUMBER.sub(
                lambda _: str(rng.randint(1, 99_999)),
                _NAME.sub(lambda _: rng.choice(NAMES), rng.choice(sentences)),
            )
            for _ in range(rng.randint(2, 6))
        )
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size]


def spans_of(text, count=SPANS, seed=SEED):
    """`count` spans of 2 to 12 words, one in each of `count` equal runs of words, so none overlap:
    (id, start, end, exact, prefix, suffix)."""
    from reader import text as textlib

    rng = random.Random(seed + 1)
    words = [m.span() for m in re.finditer(r"\S+", text)]
    slot = len(words) // count
    spans = []
    for n in range(count):
        first = n * slot + rng.randrange(slot - 12)
        start, end = words[first][0], words[first + rng.randint(1, 11)][1]
        spans.append((n, start, end, text[start:end], *textlib.context(text, start, end)))
    return spans


def edited(text, spans, count=CHANGED_QUOTES, seed=SEED):
    """The new text: one letter changed in the middle of each of `count` quotes."""
    rng = random.Random(seed + 2)
    chars = list(text)
    for _, start, end, *_ in rng.sample(spans, count):
        at = next(i for i in range((start + end) // 2, end) if chars[i].isalpha())
        chars[at] = "q" if chars[at] != "q" else "z"
    return "".join(chars)


def fixture():
    old = article()
    spans = spans_of(old)
    return old, edited(old, spans), spans


# --- in a Django process of its own ------------------------------------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    import django

    django.setup()


def _setup():
    """Store the article and its spans (run once per fresh database)."""
    _django()
    from reader.models import Document, Span

    old, _, spans = fixture()
    document = Document.objects.create(slug=SLUG, title="A 2 MB article", text=old)
    Span.objects.bulk_create(
        [Span(document=document, start=s, end=e, exact=x, prefix=p, suffix=f) for _, s, e, x, p, f in spans],
        batch_size=1000,
    )


def _update(wait):
    """Time document_text_update from the stored text to the other one of the pair (so runs
    alternate old → new → old); with `wait`, first say "ready" and wait for a line on stdin."""
    _django()
    from reader import annotating
    from reader.models import Document

    old, new, _ = fixture()
    document = Document.objects.get(slug=SLUG)
    text = new if document.text == old else old
    if wait:
        print("ready", flush=True)
        sys.stdin.readline()
    from django.db import transaction

    committed = []
    started = time.perf_counter()
    with transaction.atomic():
        # Registered first, so it runs at the commit, before the hook the text's save registers
        # (the suggestion index of the new text, built after the commit, when no lock is held).
        transaction.on_commit(lambda: committed.append(time.perf_counter()))
        result = annotating.document_text_update(document=document, text=text)
    ended = time.perf_counter()
    times = {
        "update_ms": round((committed[0] - started) * 1000, 1),  # the transaction, to its commit
        "index_ms": round((ended - committed[0]) * 1000, 1),  # after it: the suggestion index
    }
    print(json.dumps({**times, **dataclasses.asdict(result)}), flush=True)


# --- the measures -------------------------------------------------------------------------------


def pure(old, new, spans, repeat=3):
    from reader import text as textlib

    samples, found = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        found = textlib.reanchor_all(old, new, spans)
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 1), found


def concurrent_create(url):
    """Milliseconds of the slowest create on another article that overlapped an update of the
    2 MB article in another process, and how many creates overlapped it."""
    from bench.load import seed_texts
    from bench.server import ROOT, Client, Server, environment

    text = seed_texts()[1]
    words = [m.span() for m in re.finditer(r"\S+", text)]
    with Server(url, workers=2) as server:
        client = Client(server.url, "client0")
        documents, labels = client.page_facts()
        timings, stop = [], threading.Event()

        def create():
            for n in range(len(words) - 1):  # one word, then the next two, …: a new span each time
                if stop.is_set():
                    return
                start, end = words[n // 2][0], words[n // 2 + n % 2][1]
                began = time.perf_counter()
                status, _ = client.annotate(documents[1], start, end, text[start:end], labels[0])
                timings.append((began, time.perf_counter(), status))

        updater = subprocess.Popen(
            [sys.executable, "-m", "bench.reanchor", "--update", "--wait"],
            cwd=ROOT,
            env=environment(url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert updater.stdout.readline().strip() == "ready"
        creator = threading.Thread(target=create)
        creator.start()
        time.sleep(0.3)  # creates running at their usual pace first
        update_began = time.perf_counter()
        updater.stdin.write("go\n")
        updater.stdin.flush()
        update = json.loads(updater.stdout.readline())
        update_ended = time.perf_counter()
        updater.wait(timeout=60)
        time.sleep(0.2)
        stop.set()
        creator.join()
    overlapping = [(e - b, status) for b, e, status in timings if b < update_ended and e > update_began]
    assert all(status == 200 for _, status in overlapping), overlapping
    return {
        "concurrent_create_ms": round(max(seconds for seconds, _ in overlapping) * 1000, 1),
        "creates_during_update": len(overlapping),
        "update_ms_under_load": update["update_ms"],
    }


def measure(db="sqlite"):
    from bench.server import fresh_database, prepare, python
    from reader import text as textlib

    old, new, spans = fixture()
    changed = sum(new[start:end] != exact for _, start, end, exact, *_ in spans)
    assert len(spans) == SPANS, len(spans)
    assert changed == CHANGED_QUOTES, changed
    started = time.perf_counter()
    textlib.unchanged_regions(old, new)
    diff_ms = round((time.perf_counter() - started) * 1000, 1)
    pure_ms, found = pure(old, new, spans)
    results = {
        "text_chars": len(old),
        "spans": len(spans),
        "changed_quotes": changed,
        "diff_ms": diff_ms,
        "pure_ms": pure_ms,
        "orphaned": sum(anchor is None for anchor in found.values()),
        "found_again": sum(bool(anchor) and anchor.how == textlib.APPROXIMATE for anchor in found.values()),
    }
    with fresh_database(db) as url:
        prepare(url, users=1)
        python(url, "-m", "bench.reanchor", "--setup")
        # Old → new, new → old, old → new: each run changes the same 24 quotes.
        runs = [json.loads(python(url, "-m", "bench.reanchor", "--update").stdout) for _ in range(3)]
        results["update_ms"] = statistics.median(run["update_ms"] for run in runs)
        results["index_after_commit_ms"] = statistics.median(run["index_ms"] for run in runs)
        results["update_counts"] = {k: v for k, v in runs[0].items() if k not in ("update_ms", "index_ms")}
        results.update(concurrent_create(url))
    return results


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--update", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--wait", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        _setup()
    elif args.update:
        _update(args.wait)
    else:
        print(json.dumps(measure(args.db), indent=2))


if __name__ == "__main__":
    main()
