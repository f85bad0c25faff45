from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

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
