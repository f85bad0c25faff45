"""The floor under `create_1w`: a bare Django view inserting one row into SQLite (WAL, as the
app's settings), with no middleware, no session and no template, behind the same gunicorn and
the same client. `python -m bench.run --only create_floor` measures it beside the app's create.

Served as `bench.floor:application`, with FLOOR_DATABASE naming the SQLite file."""

import os

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="the floor measure only",  # noqa: S106 - a throwaway server on loopback
    MIDDLEWARE=[],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["FLOOR_DATABASE"],
            "CONN_MAX_AGE": 600,
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    },
)

import django  # noqa: E402 - settings first

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS row (id INTEGER PRIMARY KEY, words TEXT NOT NULL)")


@require_POST
def create(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO row (words) VALUES (%s)", [request.POST["exact"]])
    return HttpResponse("created")


urlpatterns = [path("create/", create)]
application = get_wsgi_application()
