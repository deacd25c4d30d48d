"""DRF's rate throttles, keyed on the address a client cannot forge (core/addresses.py).

Anonymous requests (in practice: token logins) are counted in the shared cache, so every process sees
them; the generous per-user limit stays in each process's memory, so an authenticated request (a tile,
an annotation list) pays no cache round trip for it.
"""

from __future__ import annotations

from django.core.cache import caches
from rest_framework import throttling
from rest_framework.request import Request

from annotator.core.addresses import client_address


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request._request)


class UserRateThrottle(throttling.UserRateThrottle):
    cache = caches["local"]

    def get_ident(self, request: Request) -> str:
        return client_address(request._request)
