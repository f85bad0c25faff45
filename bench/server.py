"""A real Close Reader for load tests and benchmarks: a fresh database, gunicorn on
loopback, and HTTP clients that log in and annotate as the browser does."""

import contextlib
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
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def environment(database_url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
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


def prepare(database_url, users=8, annotations=0, links=0):
    python(database_url, "-m", "bench.prepare", str(users), str(annotations), str(links))


def dump(database_url):
    return json.loads(python(database_url, "-m", "bench.dump").stdout)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the project on loopback, with `workers` processes."""

    def __init__(self, database_url, workers=4):
        self.database_url = database_url
        self.workers = workers
        self.port = free_port()
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
            env=environment(self.database_url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
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
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid


class Client:
    """One annotator: logs in through the login form, then writes as htmx does."""

    def __init__(self, base, username):
        self.base = base
        self.session = requests.Session()
        self.session.get(base + "/accounts/login/", timeout=10)
        response = self.session.post(
            base + "/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
            },
            headers={"Referer": base + "/accounts/login/"},
            timeout=10,
        )
        assert response.url.rstrip("/") == base, f"login failed for {username}"
        self.headers = {
            "X-CSRFToken": self.session.cookies["csrftoken"],
            "HX-Request": "true",
            "Referer": base + "/",
        }

    def reader(self, path="/compare/soleimani-first-anniversary/"):
        return self.session.get(self.base + path, timeout=30)

    def page_facts(self):
        """Document ids (left, right) and label ids, read off the reader page as a browser would."""
        html = self.reader().text
        documents = [
            int(pk) for pk in re.findall(r'<div class="text" id="text-\d+" data-document="(\d+)"', html)
        ]
        labels = [int(pk) for pk in re.findall(r'<button name="label" value="(\d+)"', html)]
        return documents, labels

    def annotate(self, document, start, end, exact, label):
        """(HTTP status, new span id); raises on a broken connection."""
        response = self.session.post(
            self.base + "/annotations/new/",
            data={"document": document, "start": start, "end": end, "exact": exact, "label": label},
            headers=self.headers,
            timeout=30,
        )
        trigger = json.loads(response.headers.get("HX-Trigger") or "{}")
        return response.status_code, trigger.get("open-panel", {}).get("span")

    def link(self, source, target, relation="counterpart"):
        """(HTTP status, None), like `annotate`; raises on a broken connection."""
        response = self.session.post(
            self.base + "/links/new/",
            data={"source": source, "target": target, "relation": relation},
            headers=self.headers,
            timeout=30,
        )
        return response.status_code, None
