"""The floor under `create_1w` with this app's own stack: every middleware of reader.settings
(sessions, CSRF, login required, lockouts, CSP, htmx, …), a user logged in through the login
form, and a view that inserts one row and answers, behind the same gunicorn and the same client
as the create. Whatever a create does beyond that costs more than this.

`python -m bench.run --only create_floor_app` measures it. Served as reader.wsgi:application with
DJANGO_SETTINGS_MODULE=bench.app_floor_settings: the app's URLs, and /bench-floor/ besides."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_http_methods

from reader.urls import urlpatterns as app_urlpatterns

TABLE = "bench_floor_row"

# Made when the URLconf is first loaded (a worker's first request), not per request: the floor
# measures one statement, as bench/floor.py does.
with connection.cursor() as cursor:
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, words TEXT NOT NULL)")


@require_http_methods(["GET", "POST"])
def floor(request):
    """POST inserts one row (autocommit: its own transaction); GET counts them."""
    with connection.cursor() as cursor:
        if request.method == "GET":
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 - a constant name
            return HttpResponse(str(cursor.fetchone()[0]))
        cursor.execute(f"INSERT INTO {TABLE} (words) VALUES (%s)", [request.POST["exact"]])  # noqa: S608
    return HttpResponse("created")


urlpatterns = [path("bench-floor/", floor), *app_urlpatterns]
