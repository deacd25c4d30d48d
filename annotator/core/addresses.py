"""The client's address: REMOTE_ADDR, or X-Forwarded-For as written by a configured proxy only."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """Who sent the request, as far as a client cannot forge it.

    X-Forwarded-For is read only when the peer is one of ANNOTATOR_TRUSTED_PROXIES, from the right:
    each trusted proxy appended the address it saw, so the first untrusted entry is the client.
    Anything left of it was written by the client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    networks = _networks(tuple(settings.ANNOTATOR_TRUSTED_PROXIES))
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else remote
