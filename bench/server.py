"""A real Close Reader for load tests and benchmarks: a fresh database, gunicorn on
loopback, and HTTP clients that log in and annotate as the browser does."""

import contextlib
import html as html_lib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"


def chromium_options():
    """Launch options for Debian's Chromium, with no lookups of outside hosts."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    flags = ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost"]
    return {"executable_path": path, "args": flags}


def postgres_url():
    """The PostgreSQL server's URL: $BENCH_POSTGRES_URL, a postgres $DATABASE_URL, or scripts/postgres.sh."""
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    return subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()


@contextlib.contextmanager
def fresh_database(kind):
    """The URL of a new, empty database of `kind` ("sqlite" or "postgres"), dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="close-reader-bench-") as folder:
            yield f"sqlite:///{folder}/db.sqlite3"
        return
    import psycopg

    base = postgres_url()
    name = f"closereader_bench_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(base)
    admin = psycopg.connect(base, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        try:
            # An autovacuum worker (the server's own role) may be in the new database: FORCE may
            # not end it, so wait for it to finish rather than fail the measure.
            for attempt in range(20):
                try:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    break
                except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
                    if attempt == 19:
                        raise
                    time.sleep(0.5)
        finally:
            admin.close()


def environment(database_url, **extra):
    # A server keeps its compiled bytecode: a machine that asks Python not to write it would
    # otherwise have every measured process compile the modules it loads again.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "reader.settings",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def python(database_url, *args, **extra):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment(database_url, **extra),
        check=True,
        capture_output=True,
        text=True,
    )


def prepare(database_url, users=8, annotations=0, links=0, curators=0):
    """Build the benchmark's database and check it holds exactly what was asked for; returns
    bench.prepare.counts() (the counts, and each document's slug with one of its annotations)."""
    done = python(
        database_url, "-m", "bench.prepare", str(users), str(annotations), str(links), str(curators)
    )
    held = json.loads(done.stdout.splitlines()[-1])
    asked = {"users": users, "annotations": annotations, "spans": annotations, "links": links}
    built = {key: held[key] for key in asked}
    assert built == asked, f"asked for {asked}, the database holds {built}"
    return held


def dump(database_url):
    return json.loads(python(database_url, "-m", "bench.dump").stdout)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the project on loopback, with `workers` processes; `env` adds to (or
    overrides) its environment, `port` fixes its port (else a free one)."""

    def __init__(self, database_url, workers=4, *, env=None, port=None):
        self.database_url = database_url
        self.workers = workers
        self.env = dict(env or {})
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "reader.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=environment(self.database_url, **self.env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(self.url + "/accounts/login/", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer: " + self.process.stderr.read().decode()[-2000:])

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()

    def worker_pids(self):
        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def kill_worker(self):
        """SIGKILL one worker mid-request, as the OOM killer or a crash would."""
        self.before_kill = set(self.worker_pids())
        pid = sorted(self.before_kill)[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def replaced(self, killed, timeout=15):
        """Whether gunicorn started a new worker in place of `killed` (and still answers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = set(self.worker_pids())
            new = pids - self.before_kill
            if killed not in pids and new and len(pids) == len(self.before_kill):
                return requests.get(self.url + "/accounts/login/", timeout=10).status_code == 200
            time.sleep(0.1)
        return False


class Client:
    """One annotator: logs in through the login form, then writes as htmx does."""

    def __init__(self, base, username):
        self.base = base
        self.session = requests.Session()
        self.session.get(base + "/accounts/login/", timeout=60)
        response = self.session.post(
            base + "/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
            },
            headers={"Referer": base + "/accounts/login/"},
            timeout=60,  # the password hash takes a second of CPU: eight at once on a busy machine
        )
        assert response.url.rstrip("/") == base, f"login failed for {username}"
        self.headers = {
            "X-CSRFToken": self.session.cookies["csrftoken"],
            "HX-Request": "true",
            "Referer": base + "/",
        }

    def reader(self, path="/compare/soleimani-first-anniversary/"):
        return self.session.get(self.base + path, timeout=30)

    def page_facts(self, path="/compare/soleimani-first-anniversary/"):
        """Document ids (left, right) and label ids, read off the reader page as a browser would."""
        html = self.reader(path).text
        documents = [
            int(pk) for pk in re.findall(r'<div class="text" id="text-\d+" data-document="(\d+)"', html)
        ]
        labels = [int(pk) for pk in re.findall(r'<button name="label" value="(\d+)"', html)]
        return documents, labels

    def annotate(self, document, start, end, exact, label, sha256=None):
        """(HTTP status, new span id); raises on a broken connection."""
        return self.create(document, start, end, exact, label, sha256)[:2]

    def create(self, document, start, end, exact, label, sha256=None):
        """(HTTP status, span id, annotation id), as the toolbar sends it (`sha256`: the digest of
        the text the page showed, which the browser sends along)."""
        data = {"document": document, "start": start, "end": end, "exact": exact, "label": label}
        if sha256:
            data["text_sha256"] = sha256
        response = self.session.post(
            self.base + "/annotations/new/", data=data, headers=self.headers, timeout=30
        )
        opened = json.loads(response.headers.get("HX-Trigger") or "{}").get("open-panel", {})
        annotation = re.search(r"/annotations/(\d+)/", opened.get("url", ""))
        return response.status_code, opened.get("span"), int(annotation.group(1)) if annotation else None

    def panel(self, annotation):
        """The fields of an annotation's edit form as the panel shows them now (version included)."""
        html = self.session.get(
            f"{self.base}/annotations/{annotation}/", headers=self.headers, timeout=30
        ).text
        start = html.find(f'action="/annotations/{annotation}/"')
        if start < 0:
            return None
        form = html[start : html.index("</form>", start)]
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
        fields.pop("csrfmiddlewaretoken", None)
        fields["label"] = re.search(r'<option value="(\d+)" selected', form).group(1)
        fields["speaker_name"] = re.search(r'name="speaker_name"[^>]*value="([^"]*)"', form, re.S).group(1)
        cue = re.search(r'name="cue" value="([^"]*)"', form)
        fields["cue"] = cue.group(1) if cue else ""
        fields["note"] = re.search(r'<textarea name="note"[^>]*>(.*?)</textarea>', form, re.S).group(1)
        return {name: html_lib.unescape(value) for name, value in fields.items()}

    def post(self, path, data):
        return self.session.post(self.base + path, data=data, headers=self.headers, timeout=30).status_code

    def upload(self, path, name, content, **data):
        """POST a file as a form does (no htmx): the status, without following a redirect."""
        response = self.session.post(
            self.base + path,
            files={"file": (name, content, "application/json")},
            data=data,
            headers={"X-CSRFToken": self.session.cookies["csrftoken"], "Referer": self.base + path},
            timeout=120,
            allow_redirects=False,
        )
        return response.status_code

    def admin_text_edit(self, document, text):
        """Save a new text for `document` through the admin's change form, as a curator does."""
        return self.admin_save(document, self.admin_form(document), text)

    def admin_form(self, document):
        """The fields of a document's admin change page, as the browser would send them back."""
        html = self.session.get(f"{self.base}/admin/reader/document/{document}/change/", timeout=30).text
        fields = dict(
            re.findall(r'<input type="(?:text|hidden|url|date)" name="(\w+)"[^>]*?value="([^"]*)"', html)
        )
        fields.update(
            {
                name: ""
                for name in re.findall(r'<input type="(?:text|url|date)" name="(\w+)"(?![^>]*value=)', html)
            }
        )
        return {name: html_lib.unescape(value) for name, value in fields.items()}

    def admin_save(self, document, fields, text):
        url = f"{self.base}/admin/reader/document/{document}/change/"
        response = self.session.post(
            url,
            data={**fields, "text": text},
            headers={"Referer": url, "X-CSRFToken": self.session.cookies["csrftoken"]},
            timeout=60,
            allow_redirects=False,  # the admin answers a save with a redirect
        )
        return response.status_code

    def link(self, source, target, relation="counterpart"):
        """(HTTP status, None), like `annotate`; raises on a broken connection."""
        response = self.session.post(
            self.base + "/links/new/",
            data={"source": source, "target": target, "relation": relation},
            headers=self.headers,
            timeout=30,
        )
        return response.status_code, None
