"""Races against a real gunicorn: writes fired at the same moment, many times over, then the
database checked against what the server acknowledged.

`python -m bench.races [--db sqlite|postgres] [--rounds 30] [--only NAME ...]`

Each race repeats ROUNDS times on fresh rows, its requests released together by a barrier (with a
few milliseconds of jitter, so every order happens). Afterwards every acknowledged change (200)
must be in the database, every refusal must be a 409 or 410 with nothing written, no deleted row
may come back, no highlight may point at other words than it quotes, and no answer may be a 5xx.

- stale_panels: two people save the same annotation from panels opened at the same version, one
  changing the note and the other the cue. One is saved, the other refused (409); neither is lost.
- accept_vs_edit: a curator accepts while the author saves a new note: both survive.
- delete_vs_edit: a curator deletes while the author saves: the edit wins and the delete is
  refused as stale (409), or the delete wins and the edit finds the row gone (410); never back.
- link_vs_delete: someone links to a highlight while its author deletes its only annotation.
- create_vs_delete: someone tags words whose only annotation is being deleted.
- text_edit_vs_creates: a curator saves a new text (every offset shifts) while others tag
  selections they made on the old text.
- import_vs_edit: a curator imports a file exported earlier while an author edits what it holds.
"""

import argparse
import hashlib
import json
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.server import Client, Server, fresh_database, prepare, python

ROUNDS = 30
READER = "/compare/soleimani-first-anniversary/"


@dataclass
class Race:
    name: str
    problems: list = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    rounds: int = 0

    def problem(self, round_, message):
        self.problems.append(f"{self.name} round {round_}: {message}")

    def result(self):
        return {"rounds": self.rounds, "outcomes": dict(self.outcomes), "problems": self.problems}


def at_once(*calls, jitter=0.02):
    """Run the calls in threads released together; their results in order (an exception is a result)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        time.sleep(random.uniform(0, jitter))
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - a broken connection is an outcome to report
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class World:
    """The server, its clients (client0 is a curator who may edit texts) and the page's facts."""

    def __init__(self, server, database_url):
        self.server, self.database_url = server, database_url
        self.curator = Client(server.url, "client0")
        self.authors = [Client(server.url, f"client{n}") for n in (1, 2, 3)]
        html = self.curator.reader(READER).text
        self.documents = [int(pk) for pk in re.findall(r'data-document="(\d+)"', html)]
        self.labels = [int(pk) for pk in re.findall(r'<button name="label" value="(\d+)"', html)]
        self.digests = re.findall(r'data-sha256="([0-9a-f]{64})"', html)
        self.texts = {pk: text for pk, text in self.state()["documents"].items()}
        self.cursor = Counter()  # the next unused word run, per document

    def state(self):
        found = json.loads(python(self.database_url, "-m", "bench.state").stdout)
        found["documents"] = {int(pk): text for pk, text in found["documents"].items()}
        found["annotations"] = {int(pk): row for pk, row in found["annotations"].items()}
        return found

    def fresh_words(self, document):
        """Words no race has used yet: each round works on rows of its own."""
        text = self.texts[document]
        words = [m.span() for m in re.finditer(r"\w{3,}", text)]
        index = self.cursor[document] % len(words)
        length = 1 + self.cursor[document] // len(words)  # once every word is used, longer runs
        self.cursor[document] += 1
        start, end = words[index][0], words[min(index + length - 1, len(words) - 1)][1]
        return start, end, text[start:end]

    def tag(self, client, document, label=0):
        start, end, exact = self.fresh_words(document)
        status, span, annotation = client.create(document, start, end, exact, self.labels[label])
        assert status == 200, f"setting up a race: tagging answered {status}"
        return span, annotation


def server_error(status):
    return isinstance(status, Exception) or status >= 500


def stale_panels(world, rounds):
    race = Race("stale_panels")
    author, curator = world.authors[0], world.curator
    cases = []
    for n in range(rounds):
        _, annotation = world.tag(author, world.documents[0])
        mine, theirs = author.panel(annotation), curator.panel(annotation)
        path = f"/annotations/{annotation}/"
        statuses = at_once(
            lambda path=path, mine=mine, n=n: author.post(path, {**mine, "note": f"note {n}"}),
            lambda path=path, theirs=theirs, n=n: curator.post(path, {**theirs, "cue": f"cue {n}"}),
        )
        race.outcomes["/".join(map(str, statuses))] += 1
        cases.append((n, annotation, statuses))
    rows = world.state()["annotations"]
    for n, annotation, (note, cue) in cases:
        row = rows[annotation]
        if server_error(note) or server_error(cue):
            race.problem(n, f"a 5xx or a broken connection: {note}, {cue}")
        if note == 200 and row["note"] != f"note {n}":
            race.problem(n, f"an acknowledged note was lost: {row}")
        if cue == 200 and row["cue"] != f"cue {n}":
            race.problem(n, f"an acknowledged cue was lost: {row}")
        if sorted([note, cue]) != [200, 409]:
            race.problem(n, f"expected one save and one 409, got {note} and {cue}")
        if note == 409 and row["note"] != "" or cue == 409 and row["cue"] != "":
            race.problem(n, f"a refused save was written: {row}")
    race.rounds = rounds
    return race


def accept_vs_edit(world, rounds):
    race = Race("accept_vs_edit")
    author, curator = world.authors[0], world.curator
    cases = []
    for n in range(rounds):
        _, annotation = world.tag(author, world.documents[1])
        mine = author.panel(annotation)
        statuses = at_once(
            lambda a=annotation: curator.post(f"/annotations/{a}/review/", {"status": "accepted"}),
            lambda a=annotation, mine=mine, n=n: author.post(
                f"/annotations/{a}/", {**mine, "note": f"edit {n}"}
            ),
        )
        race.outcomes["/".join(map(str, statuses))] += 1
        cases.append((n, annotation, statuses))
    rows = world.state()["annotations"]
    for n, annotation, (review, edit) in cases:
        row = rows[annotation]
        if (review, edit) != (200, 200):
            race.problem(n, f"both should succeed, got review {review} and edit {edit}")
        if review == 200 and (row["status"], row["reviewer"]) != ("accepted", "client0"):
            race.problem(n, f"the acknowledged accept was undone: {row}")
        if edit == 200 and row["note"] != f"edit {n}":
            race.problem(n, f"the acknowledged edit was lost: {row}")
    race.rounds = rounds
    return race


def delete_vs_edit(world, rounds):
    race = Race("delete_vs_edit")
    author, curator = world.authors[0], world.curator
    cases = []
    for n in range(rounds):
        _, annotation = world.tag(author, world.documents[0])
        mine, theirs = author.panel(annotation), curator.panel(annotation)
        statuses = at_once(
            lambda a=annotation, v=theirs["version"]: curator.post(
                f"/annotations/{a}/delete/", {"version": v}
            ),
            lambda a=annotation, mine=mine, n=n: author.post(
                f"/annotations/{a}/", {**mine, "note": f"edit {n}"}
            ),
        )
        race.outcomes["/".join(map(str, statuses))] += 1
        cases.append((n, annotation, statuses))
    rows = world.state()["annotations"]
    for n, annotation, (delete, edit) in cases:
        present = annotation in rows
        if server_error(delete) or server_error(edit):
            race.problem(n, f"a 5xx or a broken connection: {delete}, {edit}")
        if delete == 200 and present:
            race.problem(n, f"a deleted annotation came back: {rows[annotation]}")
        if delete == 200 and edit not in (410, 409):
            race.problem(n, f"an edit after the delete answered {edit}")
        if edit == 200 and (not present or rows[annotation]["note"] != f"edit {n}"):
            race.problem(n, "an acknowledged edit was lost")
        if edit == 200 and delete != 409:
            race.problem(n, f"a delete from before the edit answered {delete}")
    race.rounds = rounds
    return race


def link_vs_delete(world, rounds):
    race = Race("link_vs_delete")
    linker, owner = world.authors[0], world.authors[1]
    cases = []
    for n in range(rounds):
        source, _ = world.tag(linker, world.documents[0])
        target, annotation = world.tag(owner, world.documents[1])
        version = owner.panel(annotation)["version"]
        statuses = at_once(
            lambda s=source, t=target: linker.post(
                "/links/new/", {"source": s, "target": t, "relation": "counterpart"}
            ),
            lambda a=annotation, v=version: owner.post(f"/annotations/{a}/delete/", {"version": v}),
        )
        race.outcomes["/".join(map(str, statuses))] += 1
        cases.append((n, source, target, annotation, statuses))
    state = world.state()
    spans = {row[0] for row in state["spans"]}
    links = {(source, target) for _, source, target in state["links"]}
    for n, source, target, annotation, (link, delete) in cases:
        if server_error(link) or server_error(delete):
            race.problem(n, f"a 5xx or a broken connection: {link}, {delete}")
        if link == 200 and ((source, target) not in links or target not in spans):
            race.problem(n, "an acknowledged link was lost, or its target")
        if link not in (200, 410):
            race.problem(n, f"the link answered {link}")
        if delete == 200 and annotation in state["annotations"]:
            race.problem(n, "a deleted annotation came back")
    race.rounds = rounds
    return race


def create_vs_delete(world, rounds):
    race = Race("create_vs_delete")
    tagger, owner = world.authors[0], world.authors[1]
    cases = []
    for n in range(rounds):
        document = world.documents[n % 2]
        start, end, exact = world.fresh_words(document)
        status, span, annotation = owner.create(document, start, end, exact, world.labels[0])
        version = owner.panel(annotation)["version"]
        statuses = at_once(
            lambda d=document, s=start, e=end, x=exact: tagger.create(d, s, e, x, world.labels[2]),
            lambda a=annotation, v=version: owner.post(f"/annotations/{a}/delete/", {"version": v}),
        )
        created = statuses[0]
        outcome = created if isinstance(created, Exception) else created[0]
        race.outcomes[f"{outcome}/{statuses[1]}"] += 1
        cases.append((n, document, start, end, annotation, created, statuses[1]))
    state = world.state()
    spans = {row[0]: row for row in state["spans"]}
    for n, document, start, end, annotation, created, delete in cases:
        if isinstance(created, Exception) or server_error(created[0]) or server_error(delete):
            race.problem(n, f"a 5xx or a broken connection: {created}, {delete}")
            continue
        status, span, made = created
        if status == 200:
            row = state["annotations"].get(made)
            if row is None or spans.get(row["span"], [None] * 4)[1:4] != [document, start, end]:
                race.problem(n, "an acknowledged annotation was lost or moved")
        if delete == 200 and annotation in state["annotations"]:
            race.problem(n, "a deleted annotation came back")
    race.rounds = rounds
    return race


def text_edit_vs_creates(world, rounds, creators=4):
    """The curator rewrites the start of the right-hand text each round (every offset after it
    shifts) while others tag words, offsets taken from the text their page showed."""
    race = Race("text_edit_vs_creates")
    document = world.documents[1]
    original = world.texts[document]
    acknowledged = []
    for n in range(rounds):
        old = world.texts[document]
        digest = hashlib.sha256(old.encode()).hexdigest()
        new = f"Update {n}: " + "Note. " * (n % 3) + original
        selections = [(*world.fresh_words(document), digest if k % 2 else None) for k in range(creators)]
        form = world.curator.admin_form(document)  # the curator's page is open; the save is the race
        calls = [lambda new=new, form=form: world.curator.admin_save(document, form, new)]
        for k, (start, end, exact, sha) in enumerate(selections):
            client = world.authors[k % len(world.authors)]
            calls.append(
                lambda c=client, s=start, e=end, x=exact, sha=sha: c.create(
                    document, s, e, x, world.labels[2], sha
                )
            )
        results = at_once(*calls, jitter=0.3)  # creates spread over the time the save takes
        edit, creates = results[0], results[1:]
        if server_error(edit) or edit != 302:
            race.problem(n, f"the text edit answered {edit}")
        else:
            world.texts[document] = new
        for created in creates:
            if isinstance(created, Exception) or server_error(created[0]):
                race.problem(n, f"a create answered {created}")
                continue
            race.outcomes[f"create {created[0]}"] += 1
            if created[0] == 200:
                acknowledged.append((n, created[2]))
            elif created[0] != 409:
                race.problem(n, f"a create answered {created[0]}")
    state = world.state()
    texts = state["documents"]
    for span, doc, start, end, exact, orphaned in state["spans"]:
        if not orphaned and texts[doc][start:end] != exact:
            race.problem(
                "end", f"span {span} quotes {exact!r} but its offsets hold {texts[doc][start:end]!r}"
            )
    for n, annotation in acknowledged:
        if annotation not in state["annotations"]:
            race.problem(n, f"acknowledged annotation {annotation} was lost")
    race.rounds = rounds
    return race


def import_vs_edit(world, rounds):
    """The curator imports a file exported before this race, while an author edits annotations it
    holds: the import must never roll an acknowledged edit back."""
    race = Race("import_vs_edit")
    author, curator = world.authors[0], world.curator
    annotations = [world.tag(author, world.documents[n % 2])[1] for n in range(rounds)]
    earlier = curator.session.get(curator.base + "/export/annotations.json", timeout=60).content
    cases = []
    for n, annotation in enumerate(annotations):
        mine = author.panel(annotation)
        statuses = at_once(
            lambda a=annotation, mine=mine, n=n: author.post(
                f"/annotations/{a}/", {**mine, "note": f"after {n}"}
            ),
            lambda: curator.upload("/import/", "earlier.json", earlier),
            jitter=0.1,
        )
        race.outcomes["/".join(map(str, statuses))] += 1
        cases.append((n, annotation, statuses))
    rows = world.state()["annotations"]
    for n, annotation, (edit, imported) in cases:
        if server_error(edit) or server_error(imported):
            race.problem(n, f"a 5xx or a broken connection: {edit}, {imported}")
        if imported != 302:
            race.problem(n, f"the import answered {imported}")
        if edit == 200 and rows.get(annotation, {}).get("note") != f"after {n}":
            race.problem(n, f"the import rolled back an acknowledged edit: {rows.get(annotation)}")
    race.rounds = rounds
    return race


RACES = {
    "stale_panels": stale_panels,
    "accept_vs_edit": accept_vs_edit,
    "delete_vs_edit": delete_vs_edit,
    "link_vs_delete": link_vs_delete,
    "create_vs_delete": create_vs_delete,
    "text_edit_vs_creates": text_edit_vs_creates,
    "import_vs_edit": import_vs_edit,
}


def run(db, *, rounds=ROUNDS, only=None, workers=3, spans=300):
    """Every race (or those named) on a fresh database of `db`; {name: result}."""
    results = {}
    with fresh_database(db) as url:
        prepare(url, users=4, annotations=spans, curators=1)
        with Server(url, workers=workers) as server:
            world = World(server, url)
            for name, race in RACES.items():
                if only and name not in only:
                    continue
                started = time.perf_counter()
                results[name] = race(world, rounds).result()
                results[name]["seconds"] = round(time.perf_counter() - started, 2)
    return results


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    results = run(args.db, rounds=args.rounds, only=args.only)
    print(json.dumps(results, indent=2))
    raise SystemExit(1 if any(result["problems"] for result in results.values()) else 0)


if __name__ == "__main__":
    main()
