"""Failed-login limits per account and per address, kept in the cache shared by every process."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.http import HttpRequest

from annotator.core.addresses import client_address
from annotator.core.errors import TooManyAttempts


class LoginLocked(TooManyAttempts):
    """Too many failed logins for this account or from this address."""

    def __init__(self, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        plural = "s" if minutes != 1 else ""
        super().__init__(
            f"Too many failed logins for this account or from this address; try again in {minutes} minute{plural}.",
            retry_after=retry_after,
        )


@dataclass(frozen=True)
class _Bucket:
    key: str
    limit: int


def _window() -> tuple[int, int]:
    """The current fixed window's number and the seconds left in it."""
    length = settings.ANNOTATOR_LOGIN_WINDOW_SECONDS
    now = time.time()
    return int(now // length), max(1, math.ceil(length - now % length))


def _buckets(request: HttpRequest, username: str, window: int) -> list[_Bucket]:
    account = username.strip().lower()[:150]
    address = client_address(request)
    return [
        _Bucket(f"login-fail:account:{window}:{account}", settings.ANNOTATOR_LOGIN_FAILURES_PER_ACCOUNT),
        _Bucket(f"login-fail:address:{window}:{address}", settings.ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS),
    ]


def login_check(*, request: HttpRequest, username: str) -> None:
    """Raise LoginLocked when this account or this address used up its failures in this window."""
    window, left = _window()
    buckets = _buckets(request, username, window)
    counts = cache.get_many([bucket.key for bucket in buckets])
    if any(counts.get(bucket.key, 0) >= bucket.limit for bucket in buckets):
        raise LoginLocked(left)


def login_failed(*, request: HttpRequest, username: str) -> None:
    """Count one failed login against the account and the address."""
    window, left = _window()
    for bucket in _buckets(request, username, window):
        cache.add(bucket.key, 0, timeout=left + 5)
        try:
            cache.incr(bucket.key)
        except ValueError:  # expired between add and incr
            cache.set(bucket.key, 1, timeout=left + 5)


def login_authenticate(*, request: HttpRequest, username: str, password: str) -> AbstractBaseUser | None:
    """authenticate() behind the limits: refuses (LoginLocked) before checking once the limit is reached."""
    login_check(request=request, username=username)
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failed(request=request, username=username)
    return user
