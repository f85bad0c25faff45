from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render


def error_response(request, message, *, status):
    """A clear message with a 4xx status: a toast for htmx, a page otherwise.

    htmx is configured to swap 4xx answers (see base.html); retargeting to the
    flash region keeps the error out of whatever fragment asked.
    """
    if request.headers.get("HX-Request"):
        response = render(request, "reader/error.html#flash", {"message": message}, status=status)
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "reader/error.html", {"message": message, "status": status}, status=status)


def csrf_failure(request, reason=""):
    return error_response(
        request,
        "This form has expired or came from elsewhere (CSRF check failed). Reload the page and try again.",
        status=403,
    )


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        limit = settings.MAX_DOCUMENT_BYTES // (1024 * 1024)
        return error_response(
            request, f"The request is too large: an article may be at most {limit} MB.", status=400
        )
    return error_response(request, "The request was malformed.", status=400)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "You may not do that."
    return error_response(request, message, status=403)


def page_not_found(request, exception=None):
    return error_response(request, "There is nothing at this address.", status=404)
