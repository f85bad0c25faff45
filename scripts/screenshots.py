"""Refresh the README's screenshots: `make screenshots`.

Builds a throwaway SQLite database with the seeds and their shipped close reading
(`load_seeds --with-reading`, docs/READING.md), serves it, and photographs the reader,
the report and a speaker's page in headless Chromium (Debian's).
"""

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs"
PASSWORD = "screenshot-password-1"
COMPARISON = "soleimani-first-anniversary"
DESKTOP = {"width": 1280, "height": 820}
PHONE = {"width": 390, "height": 844}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def add_missing_attributions():
    """The reading's attributions and speaker kinds, from the data that made seeds/reading.json,
    while the native format cannot carry them (docs/READING.md, "Until the native format carries
    attributions"): once an import brings them, this does nothing."""
    from django.contrib.auth import get_user_model

    from reader import attributing
    from reader.models import Attribution, Span, Speaker
    from scripts import seed_reading

    if Attribution.objects.exists():
        return
    for speaker in seed_reading.SPEAKERS:
        Speaker.objects.filter(name=speaker.name).update(kind=speaker.kind)
    planned, _keys, _texts = seed_reading.plan()
    author = get_user_model().objects.get(username=seed_reading.READER)
    for entry in planned:
        item = entry.item
        if not item.kind or item.piece_of:  # a later piece belongs to its first piece's attribution
            continue
        content = Span.objects.get(document__slug=entry.slug, start=entry.span[0], end=entry.span[1])
        attribution = attributing.attribution_create(
            document=content.document_id,
            content=content,
            author=author,
            cue=attributing.Piece(*entry.cue) if entry.cue else None,
            source=attributing.Piece(*entry.source) if entry.source else None,
            kind=item.kind,
            speaker_name=item.speaker,
        )
        for piece in entry.more:
            attribution.content_more.add(
                Span.objects.get(document__slug=entry.slug, start=piece[0], end=piece[1])
            )


def build_database(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_seeds", with_reading=True, stdout=io.StringIO())
    add_missing_attributions()
    get_user_model().objects.create_user("demo", password=PASSWORD)


def serve(env):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, f"http://localhost:{port}"


def mark(page, words):
    """The piece of highlight holding these words (a highlight with others inside is in pieces),
    scrolled to the middle of the window."""
    found = page.locator(".text mark.hl", has_text=words).last
    found.evaluate("mark => mark.scrollIntoView({block: 'center'})")
    # The scroll redraws the connectors; a redraw after the hover would drop the lit one.
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_timeout(100)
    return found


def part(page, first, after, path):
    """The page's main column from the heading `first` (or its top) down to the heading `after`."""
    box = page.evaluate(
        """([first, after]) => {
            const heading = (words) => [...document.querySelectorAll("main h1, main h2")]
                .find((h) => h.textContent.trim().startsWith(words));
            const main = document.querySelector("main").getBoundingClientRect();
            const top = (first ? heading(first).getBoundingClientRect().top - 16 : main.top) + scrollY;
            const bottom = heading(after).getBoundingClientRect().top + scrollY - 16;
            return {x: main.left, y: top, width: main.width, height: bottom - top};
        }""",
        [first, after],
    )
    page.screenshot(path=path, full_page=True, clip=box)


def photograph(page, base, speaker_pk):
    reader = f"{base}/compare/{COMPARISON}/"
    page.goto(reader)
    page.locator("#connectors path, #connectors line").first.wait_for(state="attached")
    page.screenshot(path=OUT / "reader.png")

    # A quotation of Rouhani's: its annotation and its attribution (source, cue, content).
    quote = mark(page, "confident that after")
    quote.click()
    page.locator("#panel .attribution").first.wait_for()
    page.screenshot(path=OUT / "reader-panel.png")
    page.keyboard.press("Escape")

    # Hovering a side of the contradiction lights the other side and their connector.
    contradiction = mark(page, "dozens of American servicemen")
    # The first hover scrolls the other column to the counterpart, and that scroll's redraws drop
    # the lit connector (static/reader/reader.js, drawConnectors): hover again once it is in view.
    contradiction.hover()
    page.wait_for_timeout(1000)
    page.mouse.move(0, 0)
    contradiction.hover()
    page.locator("#connectors .connector.rel-contradicts.lit").wait_for(state="attached")
    page.wait_for_timeout(300)
    page.screenshot(path=OUT / "reader-links.png")
    page.mouse.move(0, 0)

    # Hovering the content of an attribution lights its cue and its source.
    content = mark(page, "cut off the arms")
    content.hover()
    page.locator(".text mark.hl.attr-lit").first.wait_for()
    page.screenshot(path=OUT / "attributions.png")
    page.mouse.move(0, 0)

    page.goto(reader)
    page.locator("#sidebar .link-list a", has_text="contradicts").first.click()
    page.locator("#panel table.diff").wait_for()
    page.screenshot(path=OUT / "link-variance.png")

    # The whole report is some 10,000 pixels high: its new part, how each outlet reports, is shown.
    page.goto(f"{reader}report/")
    part(page, "How each outlet reports", "Linked across the articles", OUT / "report.png")
    page.goto(f"{base}/speakers/{speaker_pk}/")
    part(page, "", "Mentions and tagged quotes", OUT / "speaker.png")


def main():
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from bench.server import chromium_options

    workdir = Path(tempfile.mkdtemp(prefix="close-reader-shots-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "reader.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DJANGO_DEBUG": "0",
    }
    build_database(env)
    from reader.models import Speaker

    rouhani = Speaker.objects.get(name="Hassan Rouhani").pk
    server, base = serve(env)
    try:
        OUT.mkdir(exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**chromium_options())
            page = browser.new_page(viewport=DESKTOP)
            page.goto(base + "/accounts/login/")
            page.get_by_label("Username").fill("demo")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            photograph(page, base, rouhani)
            phone = browser.new_page(viewport=PHONE, device_scale_factor=2)
            phone.context.add_cookies(page.context.cookies())
            phone.goto(f"{base}/compare/{COMPARISON}/")
            phone.screenshot(path=OUT / "reader-phone.png")
            browser.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"Wrote the screenshots in {OUT}")


if __name__ == "__main__":
    main()
