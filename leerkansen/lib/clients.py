"""The address a request came from, for throttles (django-axes, bad links).

Behind our TLS proxy (settings.BEHIND_TLS_PROXY) every request arrives from the proxy, so
REMOTE_ADDR would put all clients in one bucket: one attacker would lock everyone out. The
proxy appends the address it saw to X-Forwarded-For, so the right-most entry is the one we can
trust; entries to its left are whatever the client sent and are ignored. Without the proxy,
the header is the client's own text and REMOTE_ADDR is used.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


def client_address(request: HttpRequest) -> str:
    """The client's IP address; "" when there is none that parses."""
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = _valid(forwarded.split(",")[-1]) if forwarded else ""
        if address:
            return address
    return _valid(request.META.get("REMOTE_ADDR", ""))
