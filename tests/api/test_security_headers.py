"""Security headers: a CSP without inline scripts everywhere; HTTPS-only settings when DEBUG is off."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from tests.conftest import ROOT


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/api/docs/", "/api/schema/", "/healthz"])
def test_every_page_has_a_csp_without_inline_scripts(path: str, db) -> None:
    response = Client().get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def _production(**env: str) -> dict:
    code = (
        "import json, annotator.settings as s; print(json.dumps({k: getattr(s, k, None) for k in ("
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_PROXY_SSL_HEADER')}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PLAIN_HTTP", "TRUST_X_FORWARDED_PROTO"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DEBUG": "0", "SECRET_KEY": "k" * 60, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_debug_off_means_https_only_unless_plain_http() -> None:
    strict = _production()
    assert strict["SECURE_SSL_REDIRECT"] is True and strict["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert strict["SESSION_COOKIE_SECURE"] is True and strict["CSRF_COOKIE_SECURE"] is True
    assert strict["SECURE_PROXY_SSL_HEADER"] is None
    plain = _production(PLAIN_HTTP="1")
    assert plain["SECURE_SSL_REDIRECT"] is False and plain["SECURE_HSTS_SECONDS"] == 0
    assert plain["SESSION_COOKIE_SECURE"] is False and plain["CSRF_COOKIE_SECURE"] is False
    assert _production(TRUST_X_FORWARDED_PROTO="1")["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_REDIRECT_EXEMPT=[r"^healthz$"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_forwarded_proto_https_counts_as_secure_when_trusted(db) -> None:
    client = Client()
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    proxied = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200 and "max-age=31536000" in proxied["Strict-Transport-Security"]
    assert client.get("/healthz").status_code == 200  # the compose health check speaks plain http
