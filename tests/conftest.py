import os
import shutil

import pytest

from tests.factories import ComparisonFactory, CuratorFactory, DocumentFactory, UserFactory

# Playwright's sync API keeps an asyncio loop running in the test thread; without
# this Django refuses ORM calls there (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # else Chromium looks up Google's hosts, which this network refuses
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]

EMOJI_TEXT = (
    "Family 👨‍👩‍👧 met at the café in Zürich; flags 🇮🇷 and 🇷🇺 flew.\n\n"
    "The spokesman said “we will respond” 🔥 — e\u0301lan, nai\u0308ve, 𝒳 rules.\n"
    "A second line in the same paragraph.\n\n"
    "Last paragraph 👍🏽 ends here."
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)  # CI must not pass by testing nothing
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def empty_cache():
    # Rendered columns are cached by fingerprint; a test starts from nothing.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 at full strength takes ~0.3 s per user; tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return UserFactory(username="ann")


@pytest.fixture
def other_user(db):
    return UserFactory(username="bob")


@pytest.fixture
def curator(db):
    return CuratorFactory(username="cora")


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def document(db):
    return DocumentFactory(slug="talks", title="Talks fail")


@pytest.fixture
def emoji_document(db):
    return DocumentFactory(slug="emoji", title="Emoji and accents", text=EMOJI_TEXT)


@pytest.fixture
def comparison(db):
    return ComparisonFactory(
        slug="pair",
        left=DocumentFactory(slug="left-doc", title="Left article"),
        right=DocumentFactory(
            slug="right-doc",
            title="Right article",
            text="The talks failed, the minister said.\n\nNo one denied it.",
        ),
    )
