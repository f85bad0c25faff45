from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.db import OperationalError

from reader.responses import error_response


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs an account.

    A page visit is redirected to the login page; a write or an htmx fragment
    request gets a 401 with a message instead, because a redirect would either
    lose the write or swap the login page into a fragment.
    """

    def handle_no_permission(self, request, view_func):
        if request.method in ("GET", "HEAD") and not request.headers.get("HX-Request"):
            return super().handle_no_permission(request, view_func)
        return error_response(request, "Log in to do that: your session has ended.", status=401)


class DatabaseBusyMiddleware:
    """A database that stays busy (SQLite's lock held past the timeout, a PostgreSQL deadlock or
    lock timeout) answers 503 with a message and a Retry-After, not a bare 500: nothing was
    written, and trying again a moment later works."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        message = str(exception).lower()
        if not any(sign in message for sign in BUSY_SIGNS):
            return None
        response = error_response(
            request,
            "The database is busy with another change; nothing was saved. Try again in a moment.",
            status=503,
        )
        response["Retry-After"] = "2"
        return response


BUSY_SIGNS = ("database is locked", "deadlock detected", "lock timeout", "could not serialize", "busy")


class RefuseNulMiddleware:
    """No legitimate parameter holds a NUL character, and PostgreSQL cannot store or compare one
    (a query with it fails, a 500): refuse the request whole, with a message, before any view.
    Only the query string, which views read directly: forms refuse NUL in what is posted, field
    by field, with a message beside the field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return error_response(request, f"The parameter {name!r} holds a NUL character.", status=400)
        return self.get_response(request)
