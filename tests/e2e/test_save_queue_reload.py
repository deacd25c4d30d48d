"""The save queue keeps unsent changes in IndexedDB: drawn offline, the page reloads, they go out exactly once."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def _ready(page: Any) -> None:
    page.wait_for_function("document.title === 'bench ready'", timeout=30_000)


def test_offline_changes_survive_a_reload_and_are_sent_once(page: Any, harness_url: str) -> None:
    page.goto(harness_url)
    _ready(page)
    assert page.evaluate("bench.drawOffline()") == "Offline — will retry"

    page.reload()
    _ready(page)
    first = page.evaluate("bench.resumeOnline()")
    assert first["status"] == "Saved"
    assert sorted(first["shown"]) == ["one", "two"]  # shown again right after the reload, before the save
    assert len(first["requests"]) == 1
    sent = first["requests"][0]
    assert [c["geometry"]["x"] for c in sent["create"]] == [1, 2]
    assert sent["update"] == [] and sent["delete"] == []

    page.reload()
    _ready(page)
    again = page.evaluate("bench.resumeOnline()")
    assert again["requests"] == [] and again["shown"] == []  # nothing left in IndexedDB: saved exactly once
