"""The client's address, for the login lockout, when Close Reader runs behind proxies.

Behind a proxy every request comes from the proxy's address (REMOTE_ADDR), so a lockout by
address would lock a username for everybody. Each proxy appends the address it received the
request from to X-Forwarded-For; the entries to its left were written by whoever sent the
request and can be forged. So with N trusted proxies (DJANGO_TRUSTED_PROXIES, default 1, read
only when DJANGO_BEHIND_PROXY=1) the client is the N-th entry from the right, never one further
left: a forged header cannot pick someone else's address, nor a fresh one per attempt to dodge
the lockout. Without a proxy the header is ignored.

A dozen lines of our own rather than django-ipware: its default trusts the left-most entry,
which is the forgeable one, and the right-most rule is the whole of what is needed here.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    hops = getattr(settings, "TRUSTED_PROXIES", 0)
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote  # not through all our proxies: only the connection itself can be trusted
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
