"""The canvas shape layer puts a polygon's pixels where the view says, during and after a pan and zoom."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ORANGE = (230, 159, 0)  # #E69F00, label 1 (no colour of its own: Okabe–Ito in label order)
SKY = (86, 180, 233)  # #56B4E9, label 2


def _near(rgba: list[int], rgb: tuple[int, int, int]) -> bool:
    """Un-premultiplied canvas colours are rounded: within a few units of the label colour."""
    return all(abs(c - e) <= 6 for c, e in zip(rgba[:3], rgb, strict=True))


def _filled(probe: dict[str, list[int]], rgb: tuple[int, int, int], alpha: int = 51) -> None:
    """Inside: the 20 % fill; on the left edge: the outline, stronger; 6 px outside: nothing."""
    assert _near(probe["centre"], rgb) and abs(probe["centre"][3] - alpha) <= 3, probe
    assert _near(probe["edge"], rgb) and probe["edge"][3] > probe["centre"][3] + 40, probe
    assert probe["outside"] == [0, 0, 0, 0], probe


def test_polygon_pixels_follow_pan_zoom_selection_and_label_style(page: Any, harness_url: str) -> None:
    page.goto(harness_url)
    page.wait_for_function("document.title === 'bench ready'", timeout=30_000)
    out = page.evaluate("bench.pixelCheck()")

    _filled(out["fit"], ORANGE)
    # Mid-gesture the last render stands in, scaled; the sharp render is still to come.
    assert out["gesture"]["rendering"] is True
    gesture = out["gesture"]["a"]
    assert _near(gesture["centre"], ORANGE) and gesture["centre"][3] > 30, gesture
    assert gesture["outside"] == [0, 0, 0, 0], gesture
    # Settled after the pan and a 5.25× zoom: sharp, in place, the 1 px outline not reaching 1.2 px outside.
    assert out["settled"]["scale"] > 0.1
    _filled(out["settled"]["a"], ORANGE)
    assert out["settled"]["a"]["beyond"][3] == 0
    _filled(out["settled"]["b"], SKY)
    # Selected: a 3 px outline, reaching past the edge.
    _filled(out["selected"], ORANGE)
    assert out["selected"]["edge"][3] == 255 and out["selected"]["beyond"][3] > 60
    # A moved shape: gone from its old place, drawn at the new one (repainted in place).
    _filled(out["moved"]["before"], ORANGE)
    assert out["moved"]["oldPlace"] == [0, 0, 0, 0]
    _filled(out["moved"]["after"], ORANGE)
    # Label 2 hidden, then shown at half opacity.
    assert all(v == [0, 0, 0, 0] for v in out["hidden"].values()), out["hidden"]
    _filled(out["halfOpacity"], SKY, alpha=26)
    assert out["halfOpacity"]["edge"][3] < out["settled"]["b"]["edge"][3] * 0.7
    assert out["colors"] == {"a": "#E69F00", "b": "#56B4E9"}
