"""Security: settings, the Content Security Policy, escaping, CSRF, access, login lockout.

Bad inputs tried: script and event-handler payloads in notes, cues, speaker
names, label names, document titles and document text; writes without a CSRF
token on every write endpoint; anonymous requests to every page; a production
start without a key; repeated wrong passwords from one address, from several behind a proxy, with
forged X-Forwarded-For headers, and during a lockout.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse

from reader import settings as reader_settings
from reader.models import Annotation, Attribution, Label, Link, Speaker
from tests.factories import (
    AnnotationFactory,
    ComparisonFactory,
    DocumentFactory,
    SpanFactory,
    SpeakerFactory,
    UserFactory,
    builtin_label,
)

ROOT = Path(settings.BASE_DIR)
PAYLOAD = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>"


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


PRODUCTION = {
    "DJANGO_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": "k3Y-" + "x9Qv7Lm2Rt8Wn4Zp6Hs1Jd5Fg3Kb0Yc8Ue2Ai7Oq4Ml9Np3Rx6Tv1Sz5Bw",
    "DJANGO_ALLOWED_HOSTS": "reader.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://reader.example.org",
    "DATABASE_URL": "sqlite:////tmp/close-reader-deploy-check.sqlite3",
}


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_real_key():
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is missing or weak" in result.stderr


def test_production_refuses_debug():
    result = manage("check", **{**PRODUCTION, "DJANGO_DEBUG": "1"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_local_development_generates_and_keeps_a_private_key(tmp_path, monkeypatch):
    monkeypatch.setattr(reader_settings, "LOCAL_DIR", tmp_path)
    first = reader_settings.local_secret_key()
    assert len(first) >= 50
    assert reader_settings.local_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('pragma journal_mode').fetchone()[0], connection.transaction_mode)",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the SQLite settings only")
    assert result.stdout.split()[-2:] == ["wal", "IMMEDIATE"], result.stderr


# The Content Security Policy and what the pages hold ---------------------------


@pytest.fixture
def rich(db, user):
    """Every place a user's words appear, each holding a script payload."""
    label = Label.objects.create(
        name="<script>window.__xss=3</script>", kind="claim", colour="#cc79a7", shortcut="x"
    )
    comparison = ComparisonFactory(
        slug="xss",
        title=f"Pair {PAYLOAD}",
        left=DocumentFactory(title=f"Left {PAYLOAD}", outlet=PAYLOAD, text=f"Before {PAYLOAD} after."),
        right=DocumentFactory(title=f"Right {PAYLOAD}", text=f"Other {PAYLOAD} text."),
    )
    speaker = SpeakerFactory(name=f"Speaker {PAYLOAD}")
    left = SpanFactory(document=comparison.left, start=7, end=7 + len(PAYLOAD))
    right = SpanFactory(document=comparison.right, start=6, end=6 + len(PAYLOAD))
    annotation = AnnotationFactory(
        span=left, label=label, author=user, speaker=speaker, cue=PAYLOAD, note=PAYLOAD
    )
    AnnotationFactory(span=right, label=builtin_label("Quote"), author=user, speaker=speaker, note=PAYLOAD)
    link = Link.objects.create(source=left, target=right, relation="contradicts", author=user, note=PAYLOAD)
    attribution = Attribution.objects.create(
        document=comparison.right, content=right, kind="indirect", speaker=speaker, author=user, note=PAYLOAD
    )
    return {"comparison": comparison, "annotation": annotation, "link": link, "attribution": attribution}


def pages(rich):
    comparison = rich["comparison"]
    return [
        reverse("home"),
        comparison.get_absolute_url(),
        comparison.left.get_absolute_url(),
        reverse("comparison_report", args=[comparison.slug]),
        rich["annotation"].get_absolute_url() + f"?comparison={comparison.slug}",
        rich["link"].get_absolute_url(),
        reverse("comparison_new"),
    ]


def test_every_page_is_served_under_a_strict_content_security_policy(user_client, rich):
    for url in pages(rich):
        policy = user_client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", url
        assert directives["style-src"] == "'self'", url
        assert "unsafe" not in policy, url


def test_no_page_holds_inline_script_style_or_event_handlers(user_client, rich):
    for url in pages(rich):
        html = user_client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"<style\b", html), url
        assert not re.search(r"""\sstyle=["']""", html), url
        assert not re.search(r"""<[^>]+\son[a-z]+=["']""", html), url


def test_user_words_are_shown_as_text_everywhere(user_client, rich):
    for url in pages(rich)[:6]:
        html = user_client.get(url).content.decode()
        assert PAYLOAD not in html, url
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html, url
    reader_page = user_client.get(rich["comparison"].get_absolute_url()).content.decode()
    assert reader_page.count("&lt;script&gt;") >= 5  # title, text, label, speaker, note


def test_a_label_colour_cannot_inject_css(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(name="Bad", colour="red;}*{", kind="other")


# CSRF and access ---------------------------------------------------------------


def writes(rich):
    annotation, link, comparison = rich["annotation"], rich["link"], rich["comparison"]
    span = annotation.span
    return [
        (
            reverse("annotation_create"),
            {
                "document": span.document_id,
                "start": 0,
                "end": 6,
                "exact": "Before",
                "label": annotation.label_id,
            },
        ),
        (annotation.get_absolute_url(), {"label": annotation.label_id, "note": "changed"}),
        (reverse("annotation_delete", args=[annotation.pk]), {}),
        (
            reverse("link_create"),
            {"source": link.source_id, "target": link.target_id, "relation": "elaborates"},
        ),
        (link.get_absolute_url(), {"relation": "counterpart", "note": "changed"}),
        (reverse("link_delete", args=[link.pk]), {}),
        (reverse("link_review", args=[link.pk]), {"status": "accepted"}),
        (reverse("annotation_review", args=[annotation.pk]), {"status": "accepted"}),
        (
            reverse("comparison_new"),
            {"left-title": "A", "left-text": "a", "right-title": "B", "right-text": "b"},
        ),
        (reverse("comparison_report", args=[comparison.slug]), {}),
        (reverse("import_annotations"), {}),
        (
            reverse("attribution_create"),
            {"document": rich["attribution"].document_id, "content": span.pk, "speaker_name": "x"},
        ),
        (
            rich["attribution"].get_absolute_url(),
            {"kind": "direct", "speaker_name": "", "note": "changed", "version": 1},
        ),
        (
            reverse("attribution_part", args=[rich["attribution"].pk]),
            {"role": "cue", "clear": "on", "version": 1},
        ),
        (reverse("attribution_delete", args=[rich["attribution"].pk]), {"version": 1}),
        (reverse("proposals_decide"), {"decision": "take", "document": rich["attribution"].document_id}),
        (reverse("document_propose", args=[comparison.left.slug]), {}),
        *adjudication_writes(annotation, link, comparison),
    ]


def adjudication_writes(annotation, link, comparison):
    seen_a = f"{annotation.pk}.{annotation.version}.{annotation.status}"
    seen_l = f"{link.pk}.{link.version}.{link.status}"
    return [
        (reverse("agreement_sample", args=[comparison.slug]), {"clear": "1"}),
        (reverse("adjudicate_pick", args=[comparison.slug]), {"a": seen_a, "choice": "a"}),
        (
            reverse("adjudicate_write", args=[comparison.slug]),
            {"a": seen_a, "boundaries": "a", "label_from": "a", "speaker_from": "a", "cue_from": "a"},
        ),
        (
            reverse("adjudicate_link_write", args=[comparison.slug]),
            {"a": seen_l, "ends": "a", "relation": "paraphrase"},
        ),
        (reverse("adjudicate_agreed", args=[comparison.slug]), {"unit": f"annotation:{seen_a},{seen_a}"}),
    ]


def state():
    return (
        Annotation.objects.count(),
        sorted(Annotation.objects.values_list("note", "status")),
        sorted(Link.objects.values_list("relation", "note", "status")),
        Speaker.objects.count(),
        sorted(Attribution.objects.values_list("note", "version", "proposal")),
    )


def test_every_write_needs_a_csrf_token(user, rich):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    before = state()
    for url, data in writes(rich):
        response = client.post(url, data)
        assert response.status_code in (403, 405), url
        if response.status_code == 403:
            assert b"CSRF" in response.content, url
    assert state() == before


def every_url(rich):
    """Every URL of the app (not the admin's or the login's), its parameters filled in."""
    from django.urls import URLPattern, get_resolver

    urls = []
    for pattern in get_resolver().url_patterns:
        if not isinstance(pattern, URLPattern) or pattern.name in ("login", "logout"):
            continue
        owner = next(
            (name for name in ("link", "attribution", "speaker") if pattern.name.startswith(name)), None
        )
        pk = {
            "link": rich["link"].pk,
            "attribution": rich["attribution"].pk,
            "speaker": rich["attribution"].speaker_id,
        }.get(owner, rich["annotation"].pk)
        slug = (
            rich["comparison"].left.slug if pattern.name.startswith("document") else rich["comparison"].slug
        )
        values = {"slug": slug, "pk": pk}
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        urls.append(reverse(pattern.name, kwargs=kwargs))
    return urls


def test_every_url_of_the_app_refuses_a_post_without_a_csrf_token(user, rich):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    before = state()
    urls = every_url(rich)
    assert len(urls) >= 19
    for url in urls:
        response = client.post(url, {"status": "accepted", "note": "x", "label": rich["annotation"].label_id})
        assert response.status_code in (403, 405), url
    assert state() == before


def test_the_csrf_list_names_every_url_that_takes_a_post(user, rich):
    """A new write endpoint must join `writes()`: find every URL that answers a POST (with a token)
    with something other than 405, and check the list has it."""
    client = Client()
    client.force_login(user)
    listed = {url for url, _ in writes(rich)}
    takes_post = [url for url in every_url(rich) if client.post(url, {}).status_code != 405]
    assert set(takes_post) <= listed, set(takes_post) - listed


def test_anonymous_visitors_reach_nothing_but_the_login_page(client, rich):
    extra = [
        reverse("comparison_report_json", args=[rich["comparison"].slug]),
        reverse("labels_css"),
        "/admin/",
    ]
    for url in pages(rich) + extra:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), url
    assert client.get(reverse("login")).status_code == 200


def test_anonymous_writes_are_refused_and_write_nothing(client, rich):
    before = state()
    for url, data in writes(rich):
        assert client.post(url, data).status_code in (401, 405), url
    assert state() == before


# Login lockout ---------------------------------------------------------------


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_username_from_that_address(client, db):
    UserFactory(username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "target", "wrong").status_code == 200
    response = login(client, "target", "wrong")
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    locked = login(client, "target", "correct horse battery staple")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_from_one_address_does_not_lock_the_username_from_another(db):
    UserFactory(username="target")
    attacker, colleague = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(attacker, "target", "wrong")
    assert login(attacker, "target", "correct horse battery staple").status_code == 429
    assert login(colleague, "target", "correct horse battery staple").status_code == 302


def test_behind_a_proxy_the_lockout_counts_the_forwarded_address(db, settings):
    settings.TRUSTED_PROXIES = 1
    UserFactory(username="target")
    # Every request comes from the proxy; the proxy appends the address it saw.
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(attacker, "target", "wrong")
    assert login(attacker, "target", "correct horse battery staple").status_code == 429
    assert login(colleague, "target", "correct horse battery staple").status_code == 302


def test_a_forged_forwarded_address_cannot_dodge_or_borrow_a_lockout(db, settings):
    settings.TRUSTED_PROXIES = 1
    UserFactory(username="target")
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker writes a fresh address each time; the proxy appends the real one.
        forged = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
        login(forged, "target", "wrong")
    real = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert login(real, "target", "correct horse battery staple").status_code == 429


def test_without_a_proxy_the_forwarded_header_is_ignored(db):
    UserFactory(username="target")
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), "target", "wrong")
    assert (
        login(Client(REMOTE_ADDR="203.0.113.9"), "target", "correct horse battery staple").status_code == 429
    )


def test_failures_during_a_lockout_do_not_extend_it(client, db):
    from datetime import timedelta

    from axes.models import AccessAttempt

    UserFactory(username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "target", "wrong")

    def minutes_pass(minutes):
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))

    minutes_pass(10)
    for _ in range(3):  # the attacker keeps trying, ten minutes into the lockout
        assert login(client, "target", "wrong").status_code == 429
    minutes_pass(6)  # sixteen minutes after the lockout began
    assert login(client, "target", "correct horse battery staple").status_code == 302


def test_a_lockout_does_not_lock_out_other_users(client, db):
    UserFactory(username="target")
    UserFactory(username="colleague")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "target", "wrong")
    response = login(client, "colleague", "correct horse battery staple")
    assert response.status_code == 302
