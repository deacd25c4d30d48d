"""DRF's rate throttles, keyed on the address a client cannot forge (core/addresses.py)."""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.request import Request

from annotator.core.addresses import client_address


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request._request)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request._request)
