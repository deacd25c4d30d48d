"""Brute force: failed logins are limited per account and per address on the API, browser and admin logins."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import ROOT

TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fast_hasher(settings) -> None:
    """Hundreds of logins: a cheap hasher keeps the test fast; the limits do not depend on it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _token(client: APIClient, username: str, password: str, **headers: str) -> object:
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **headers)


def test_300_wrong_passwords_are_refused_even_with_spoofed_forwarded_for(make_user) -> None:
    make_user("bob")
    client = APIClient()
    limit = settings.ANNOTATOR_LOGIN_FAILURES_PER_ACCOUNT
    responses = [
        _token(client, "bob", f"guess-{n}", HTTP_X_FORWARDED_FOR=f"10.0.{n // 250}.{n % 250}") for n in range(limit)
    ]
    assert [r.status_code for r in responses] == [400] * limit
    # Locked out: even the right password is refused until the window ends, with a clear message.
    locked = _token(client, "bob", "pw-bob", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= settings.ANNOTATOR_LOGIN_WINDOW_SECONDS
    assert locked.json()["code"] == "too_many_attempts" and "try again in" in locked.json()["detail"]
    rest = [_token(client, "bob", f"more-{n}", HTTP_X_FORWARDED_FOR=f"10.1.0.{n}").status_code for n in range(289)]
    assert set(rest) == {429}


def test_per_address_limit_across_accounts_is_not_reset_by_the_header(make_user) -> None:
    client = APIClient()
    limit = settings.ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS
    for n in range(limit):
        assert _token(client, f"user{n}", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 400
    make_user("carol")
    refused = _token(client, "carol", "pw-carol", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert refused.status_code == 429
    # Another address (a different peer) is not affected.
    other = APIClient(REMOTE_ADDR="127.0.0.2")
    assert _token(other, "carol", "pw-carol").status_code == 200


def test_forwarded_for_is_believed_from_a_configured_proxy_only(make_user, settings) -> None:
    settings.ANNOTATOR_TRUSTED_PROXIES = ["127.0.0.1/32"]
    client = APIClient()
    limit = settings.ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS
    for n in range(limit):  # the proxy reports one client; the client's own left-most entries are ignored
        spoof = f"10.9.9.{n}, 198.51.100.7"
        assert _token(client, f"user{n}", "x", HTTP_X_FORWARDED_FOR=spoof).status_code == 400
    make_user("dave")
    assert _token(client, "dave", "pw-dave", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert _token(client, "dave", "pw-dave", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_browser_and_admin_logins_lock_out(path: str, make_user) -> None:
    make_user("erin", is_staff=True)
    client = Client()
    limit = settings.ANNOTATOR_LOGIN_FAILURES_PER_ACCOUNT
    for n in range(limit):
        response = client.post(path, {"username": "erin", "password": f"wrong-{n}"}, HTTP_X_FORWARDED_FOR=f"10.1.1.{n}")
        assert response.status_code == 200 and b"Too many failed logins" not in response.content
    response = client.post(path, {"username": "erin", "password": "pw-erin"})
    assert b"Too many failed logins for this account or from this address" in response.content
    assert "_auth_user_id" not in client.session
    if path == "/accounts/login/":
        assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_the_limit_is_shared_by_every_process(make_user) -> None:
    """Failures counted by another process (as another gunicorn worker would) lock this one out."""
    if not settings.CACHE_URL:
        pytest.skip("no Redis: the embedded default keeps the limits in one process's memory")
    make_user("frank")
    code = (
        "import django; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from annotator.accounts.login_guard import login_failed\n"
        "request = RequestFactory().post('/', REMOTE_ADDR='192.0.2.50')\n"
        f"for _ in range({settings.ANNOTATOR_LOGIN_FAILURES_PER_ACCOUNT}):\n"
        "    login_failed(request=request, username='frank')\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "annotator.settings"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)
    assert _token(APIClient(), "frank", "pw-frank").status_code == 429
