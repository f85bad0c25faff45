"""Refresh the README's screenshots: `make screenshots`.

Builds a throwaway SQLite database with the seeds and a few annotations,
serves it, and photographs the reader in headless Chromium (Debian's).
"""

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

LEFT, RIGHT = "iran-fm-us-isis-brothers-in-arms", "rouhani-crazy-murderer-trump-reign-ending"
# (left phrase, right phrase, relation, note)
LINKS = [
    (
        "causing brain injury among dozens of American servicemen",
        "The strikes caused 109 traumatic brain injuries among US troops.",
        "contradicts",
        "“Dozens” of “servicemen” against 109 injuries.",
    ),
    ("Iran’s Foreign Ministry", "Iranian President Hassan Rouhani", "counterpart", ""),
    (
        "brothers in arms",
        'a "mercenary" force for the US and Israel',
        "paraphrase",
        "Both cast ISIS as the US's own proxy.",
    ),
]
# (document slug, phrase, label, speaker, cue, note)
ANNOTATIONS = [
    (
        "iran-fm-us-isis-brothers-in-arms",
        "Iran’s Foreign Ministry",
        "Speaker",
        "Iran's Foreign Ministry",
        "",
        "",
    ),
    (
        "iran-fm-us-isis-brothers-in-arms",
        "accused the U.S. government of supporting the ISIS terrorist group",
        "Claim",
        "Iran's Foreign Ministry",
        "accused",
        "",
    ),
    (
        "iran-fm-us-isis-brothers-in-arms",
        "brothers in arms",
        "Quote",
        "Iran's Foreign Ministry",
        "describing",
        "",
    ),
    (
        "iran-fm-us-isis-brothers-in-arms",
        "causing brain injury among dozens of American servicemen",
        "Claim",
        "",
        "",
        "“Dozens”: the other outlet gives 109.",
    ),
    ("iran-fm-us-isis-brothers-in-arms", "Agnes Callamard", "Speaker", "Agnes Callamard", "", ""),
    (
        "rouhani-crazy-murderer-trump-reign-ending",
        "Iranian President Hassan Rouhani",
        "Speaker",
        "Hassan Rouhani",
        "",
        "",
    ),
    (
        "rouhani-crazy-murderer-trump-reign-ending",
        "crazy murderer",
        "Quote",
        "Hassan Rouhani",
        "has said",
        "",
    ),
    (
        "rouhani-crazy-murderer-trump-reign-ending",
        "I'm confident that after Trump the situation concerning security and stability in the region "
        "will become significantly better",
        "Quote",
        "Hassan Rouhani",
        "added",
        "",
    ),
    (
        "rouhani-crazy-murderer-trump-reign-ending",
        'the Daesh (ISIS)* terrorist group was a "mercenary" force for the US and Israel',
        "Claim",
        "Hassan Rouhani",
        "went on to allege",
        "",
    ),
    (
        "rouhani-crazy-murderer-trump-reign-ending",
        "The strikes caused 109 traumatic brain injuries among US troops.",
        "Claim",
        "",
        "",
        "A number; the Iranian outlet says only “dozens”.",
    ),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_database(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from reader import annotating
    from reader.models import Document, Label, Span

    call_command("migrate", verbosity=0)
    call_command("load_seeds", verbosity=0)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("demo", password=PASSWORD)
    for slug, phrase, label_name, speaker, cue, note in ANNOTATIONS:
        document = Document.objects.get(slug=slug)
        start = document.text.index(phrase)
        annotation = annotating.annotation_create(
            document=document,
            start=start,
            end=start + len(phrase),
            exact=phrase,
            label=Label.objects.get(name=label_name),
            author=user,
        )
        annotating.annotation_update(
            annotation=annotation, user=user, label=annotation.label, speaker_name=speaker, cue=cue, note=note
        )
    left, right = Document.objects.get(slug=LEFT), Document.objects.get(slug=RIGHT)
    for left_phrase, right_phrase, relation, note in LINKS:
        spans = []
        for document, phrase in ((left, left_phrase), (right, right_phrase)):
            start = document.text.index(phrase)
            spans.append(
                Span.objects.filter(document=document, start__lte=start, end__gte=start + len(phrase)).first()
                or annotating.annotation_create(
                    document=document,
                    start=start,
                    end=start + len(phrase),
                    exact=phrase,
                    label=Label.objects.get(name="Quote"),
                    author=user,
                ).span
            )
        annotating.link_create(source=spans[0], target=spans[1], relation=relation, note=note, author=user)


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
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://localhost:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**chromium_options())
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(base + "/accounts/login/")
            page.get_by_label("Username").fill("demo")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.goto(base + "/compare/soleimani-first-anniversary/")
            OUT.mkdir(exist_ok=True)
            page.screenshot(path=OUT / "reader.png")
            page.locator(".text mark.hl", has_text="crazy murderer").first.click()
            page.locator("#panel .panel-inner").wait_for()
            page.screenshot(path=OUT / "reader-panel.png")
            page.keyboard.press("Escape")
            page.locator(".text mark.hl.linked", has_text="brain injury among").first.hover()
            page.wait_for_timeout(700)
            page.screenshot(path=OUT / "reader-links.png")
            page.locator("#sidebar .link-list a", has_text="contradicts").first.click()
            page.locator("#panel table.diff").wait_for()
            page.screenshot(path=OUT / "link-variance.png")
            page.goto(base + "/compare/soleimani-first-anniversary/report/")
            page.screenshot(path=OUT / "report.png", full_page=True)
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
            phone.context.add_cookies(page.context.cookies())
            phone.goto(base + "/compare/soleimani-first-anniversary/")
            phone.screenshot(path=OUT / "reader-phone.png")
            browser.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"Wrote the screenshots in {OUT}")


if __name__ == "__main__":
    main()
