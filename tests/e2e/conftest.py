"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).is_file():
        message = f"Chromium not found at {CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from tests are still sync.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


# Runs before any page script (injected by the browser, so the policy does not apply to it).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  const what = event.blockedURI || 'inline';
  window.__cspViolations.push(`${event.violatedDirective} blocked ${what} on ${location.pathname}`);
});
"""


def csp_violations(page: object) -> list[str]:
    """The Content-Security-Policy violations the current document reported so far."""
    return page.evaluate("window.__cspViolations || []")  # type: ignore[attr-defined]


def forget_csp_violations(page: object) -> None:
    """For a test that provokes violations on purpose: they are not a failure."""
    page.evaluate("window.__cspViolations = []")  # type: ignore[attr-defined]
    page.csp_console.clear()  # type: ignore[attr-defined]


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A page that fails its test when the Content-Security-Policy blocked anything, or logged that it did."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    refused: list[str] = []
    page.csp_console = refused
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield page
    seen = refused + (csp_violations(page) if not page.is_closed() else [])
    context.close()
    assert seen == [], f"Content-Security-Policy violations: {seen}"


FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
HARNESS_DIST = FRONTEND / "bench" / "dist"


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="session")
def harness_url() -> Iterator[str]:
    """The frontend's harness page (frontend/bench/, also the benchmark's), built now and served on a private port."""
    subprocess.run(["npx", "vite", "build", "--config", "bench/vite.config.ts"], cwd=FRONTEND, check=True, timeout=300)
    handler = functools.partial(_QuietFiles, directory=str(HARNESS_DIST))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def require_frontend_build() -> None:
    """Skip (or fail, under REQUIRE_E2E=1) a test of the served app when frontend/dist is not built."""
    from django.conf import settings

    if not (settings.FRONTEND_DIST / "index.html").is_file():
        message = "frontend/dist is not built (run `npm run build` in frontend/, or `make test`)"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)


PANELS_DIST = FRONTEND / "panels" / "dist"


@pytest.fixture(scope="session")
def panels_dist() -> Path:
    """The panels harness page (frontend/panels/), built now; serve it with serve_dist_on."""
    subprocess.run(["npx", "vite", "build", "--config", "panels/vite.config.ts"], cwd=FRONTEND, check=True, timeout=300)
    return PANELS_DIST


def serve_dist_on(page: object, origin: str, prefix: str, dist: Path) -> None:
    """Answer {origin}/{prefix}/… from dist, so a harness page shares the live server's cookies and CSRF token."""
    import mimetypes

    def fulfil(route: object) -> None:
        path = dist / route.request.url.split(f"/{prefix}/", 1)[1].split("?", 1)[0]  # type: ignore[attr-defined]
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), content_type=kind)  # type: ignore[attr-defined]

    page.route(f"{origin}/{prefix}/**", fulfil)  # type: ignore[attr-defined]


def open_viewer(page: Any, origin: str, username: str, password: str, image_id: int) -> Any:
    """Sign in through the login form, open an image's viewer page and wait until it has opened; the viewer."""
    page.goto(f"{origin}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.get_by_test_id("project-link").first.wait_for()
    page.goto(f"{origin}/#/images/{image_id}")
    viewer = page.get_by_test_id("viewer")
    viewer.and_(page.locator("[data-ready=true]")).wait_for(timeout=20_000)
    return viewer
