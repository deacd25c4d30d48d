"""The API docs (Swagger UI, Redoc) come from our own static files, with no inline script and no CDN."""

from __future__ import annotations

import re

import pytest

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_page_loads_nothing_from_elsewhere(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "/static/drf_spectacular_sidecar/" in html
    # Every script is a file (a Content-Security-Policy without 'unsafe-inline' allows it).
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts), scripts


def test_swagger_set_up_script_is_served_and_names_our_schema(client) -> None:
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


def test_sidecar_bundles_are_static_files() -> None:
    from django.contrib.staticfiles import finders

    for name in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
    ):
        assert finders.find(name), name
