"""Settings for Close Reader.

Everything that differs between a laptop and a server comes from the
environment; with nothing set, the project runs locally on SQLite.
"""

import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"  # git-ignored: generated key, admin password


def env_bool(name, default=False):
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key():
    """A key generated once per checkout, so local sessions survive restarts."""
    path = LOCAL_DIR / "secret_key"
    if not path.exists():
        LOCAL_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# DJANGO_PRODUCTION=1 on a server: a real key is required, HTTPS enforced, static
# files served compressed under hashed names (after `collectstatic`).
PRODUCTION = env_bool("DJANGO_PRODUCTION")
DEBUG = env_bool("DJANGO_DEBUG")
if PRODUCTION:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_PRODUCTION is set but DJANGO_SECRET_KEY is missing or weak: give it at least "
            '50 random characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
        )
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production: it shows settings and code.")
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "reader.responses.csrf_failure"
# The public address, for the ids of W3C exports; when unset, a web export names the address it
# was asked at, and the command takes --base-url.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "reader",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reader.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "reader.middleware.DatabaseBusyMiddleware",
    "reader.middleware.RefuseNulMiddleware",
]

# Login: after 5 failures for one username from one address, that pair is locked
# out for 15 minutes (django-axes). Locking the username alone would let anyone
# lock a colleague out; locking the address alone would lock a whole classroom
# behind one NAT.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a session's user by one plain statement (reader/backends.py).
    "reader.backends.UserBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The 15 minutes run from the lockout: failures during it are refused without being recorded,
# so an attacker cannot keep a lockout going for ever by trying again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind a proxy, the client's address comes from X-Forwarded-For, counting only the entries our
# own proxies appended (reader/security.py); elsewhere the header is ignored.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "1")) if BEHIND_PROXY else 0
AXES_CLIENT_IP_CALLABLE = "reader.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

ROOT_URLCONF = "reader.urls"
WSGI_APPLICATION = "reader.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% partialdef %} everywhere without a load tag, as in Django 6.
            "builtins": ["template_partials.templatetags.partials", "reader.templatetags.reader_tags"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "reader.context_processors.reader",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One test database per test run, so two runs on one server do not drop each other's.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write
    # lock at BEGIN so concurrent writers queue on the busy timeout instead of
    # failing with "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
# The reader is in English only: no translation lookups (truncating a quote asked for the
# translated ellipsis every time, a sizeable share of the reader page).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
if PRODUCTION:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    # Serve straight from the app folders, so neither `make run` nor the tests need collectstatic.
    WHITENOISE_USE_FINDERS = True

# Pasted articles may be up to 2 MB each; the form, not Django's generic 400, says so.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
# Imports: a larger upload runs as a background job (a detached `import_annotations --job`), its
# file kept in IMPORT_JOBS_DIR until the job ends; MAX_IMPORT_BYTES refuses anything larger.
IMPORT_BACKGROUND_BYTES = int(os.environ.get("DJANGO_IMPORT_BACKGROUND_BYTES", 5 * 1024 * 1024))
MAX_IMPORT_BYTES = int(os.environ.get("DJANGO_MAX_IMPORT_BYTES", 500 * 1024 * 1024))
IMPORT_JOBS_DIR = Path(os.environ.get("DJANGO_IMPORT_JOBS_DIR", BASE_DIR / ".local" / "import-jobs"))

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# The cache holds the reader's rendered columns (keyed by a fingerprint of what they show), the
# suggestion indexes (also kept in the database) and the sessions (below). With CACHE_URL or
# REDIS_URL set, e.g. redis://127.0.0.1:6379/0, every app server shares one Redis, so a page one
# node rendered is not rendered again by the next, and a session made on one is read on another.
# Unset, each worker keeps its own in memory: right for one machine, and nothing to run.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"CACHE_URL must name a Redis server (redis://host:port/db, rediss:// or unix://), "
            f"not {CACHE_URL!r}."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # One Redis may serve several sites (staging and production, a benchmark's databases):
            # each database keeps to keys of its own.
            "KEY_PREFIX": hashlib.sha256(
                repr([DATABASES["default"].get(k) for k in ("HOST", "PORT", "NAME")]).encode()
            ).hexdigest()[:12],
            # A Redis that stops answering fails a request in seconds instead of holding a worker
            # until gunicorn's timeout kills it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    # Rendered paragraphs are cached one by one: room for many more than the default 300 entries.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

SESSION_COOKIE_HTTPONLY = True
# Sessions read from the cache, written through to the database: one query less on every
# request, and nothing lost when a worker or Redis restarts (a session missing from the cache is
# read from the database). With Redis, one login serves every app server.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if BEHIND_PROXY:
        # Only behind a proxy that sets this header itself (nginx, a load balancer).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
