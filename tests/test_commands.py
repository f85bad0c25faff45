"""The management commands behind `make run`, and the migrations."""

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reader.management.commands import ensure_admin
from reader.models import Comparison, Document

SEEDS = Path(settings.BASE_DIR) / "seeds"
pytestmark = pytest.mark.django_db


def test_load_seeds_stores_both_articles_byte_for_byte():
    call_command("load_seeds", stdout=io.StringIO())
    manifest = json.loads((SEEDS / "manifest.json").read_text())
    for entry in manifest["documents"]:
        document = Document.objects.get(slug=entry["slug"])
        on_disk = (SEEDS / entry["file"]).read_bytes()
        assert document.text.encode("utf-8") == on_disk
        assert document.text_sha256 == hashlib.sha256(on_disk).hexdigest()
        assert document.title == entry["title"]
        assert str(document.published) == entry["published"]


def test_load_seeds_makes_one_comparison_of_the_pair():
    call_command("load_seeds", stdout=io.StringIO())
    comparison = Comparison.objects.get()
    slugs = [entry["slug"] for entry in json.loads((SEEDS / "manifest.json").read_text())["documents"]]
    assert [comparison.left.slug, comparison.right.slug] == slugs


def test_loading_the_seeds_twice_changes_nothing():
    call_command("load_seeds", stdout=io.StringIO())
    before = list(Document.objects.values()), list(Comparison.objects.values())
    call_command("load_seeds", stdout=io.StringIO())
    assert (list(Document.objects.values()), list(Comparison.objects.values())) == before


def test_the_shipped_seeds_are_the_shared_ones():
    shared = Path(settings.BASE_DIR).parent / "shared" / "seeds"
    if not shared.exists():
        pytest.skip("no ../shared/seeds beside this checkout")
    for path in shared.iterdir():
        assert (SEEDS / path.name).read_bytes() == path.read_bytes()


@pytest.fixture
def password_file(tmp_path, monkeypatch):
    path = tmp_path / "admin-password"
    monkeypatch.setattr(ensure_admin, "PASSWORD_FILE", path)
    return path


def test_ensure_admin_creates_an_admin_with_a_random_password(password_file):
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    password = password_file.read_text().strip()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)
    assert password in out.getvalue()
    assert len(password) >= 16


def test_ensure_admin_twice_keeps_the_account_and_does_not_print_the_password(password_file):
    call_command("ensure_admin", stdout=io.StringIO())
    password = password_file.read_text().strip()
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    assert password not in out.getvalue()
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_two_fresh_setups_get_different_passwords(password_file):
    call_command("ensure_admin", stdout=io.StringIO())
    first = password_file.read_text()
    get_user_model().objects.all().delete()
    call_command("ensure_admin", stdout=io.StringIO())
    assert password_file.read_text() != first


def test_the_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())
