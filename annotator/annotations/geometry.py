"""Pure validation of annotation geometry per label kind, in level-0 pixel coordinates."""

from __future__ import annotations

import math
from typing import Any

from shapely import Polygon
from shapely.validation import explain_validity

from annotator.annotations.rle import RleError, check_counts, string_to_counts
from annotator.core.errors import ValidationFailed


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(f"Invalid geometry: {message}.", code="invalid_geometry", errors={"geometry": [message]})


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"{name} must be a number")
    if not math.isfinite(value):
        raise _fail(f"{name} must be finite")
    return float(value)


def _within(x: float, y: float, width: int, height: int, name: str) -> None:
    if not (0 <= x <= width and 0 <= y <= height):
        raise _fail(f"{name} ({x}, {y}) lies outside the image (0..{width}, 0..{height})")


def _points(geometry: Any, minimum: int, width: int, height: int) -> dict[str, Any]:
    if not isinstance(geometry, dict) or not isinstance(geometry.get("points"), list):
        raise _fail('expected {"points": [[x, y], ...]}')
    points = []
    for index, point in enumerate(geometry["points"]):
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise _fail(f"point {index} must be [x, y]")
        x, y = _number(point[0], f"point {index} x"), _number(point[1], f"point {index} y")
        _within(x, y, width, height, f"point {index}")
        points.append([x, y])
    if len(points) < minimum:
        raise _fail(f"at least {minimum} points are needed, got {len(points)}")
    return {"points": points}


def _polygon(geometry: dict[str, Any]) -> dict[str, Any]:
    shape = Polygon(geometry["points"])
    if shape.convex_hull.area <= 0:
        raise _fail("the polygon has no area (its points are collinear or repeated)")
    if not shape.is_valid:
        raise _fail(f"the polygon crosses itself ({explain_validity(shape)}); draw it without crossing edges")
    return geometry


def _bbox(geometry: Any, width: int, height: int) -> dict[str, Any]:
    if not isinstance(geometry, dict):
        raise _fail('expected {"x", "y", "w", "h"}')
    x, y, w, h = (_number(geometry.get(key), key) for key in ("x", "y", "w", "h"))
    if w <= 0 or h <= 0:
        raise _fail("w and h must be positive")
    _within(x, y, width, height, "top-left corner")
    _within(x + w, y + h, width, height, "bottom-right corner")
    return {"x": x, "y": y, "w": w, "h": h}


def _point(geometry: Any, width: int, height: int) -> dict[str, Any]:
    if not isinstance(geometry, dict):
        raise _fail('expected {"x", "y"}')
    x, y = _number(geometry.get("x"), "x"), _number(geometry.get("y"), "y")
    _within(x, y, width, height, "point")
    return {"x": x, "y": y}


def _mask(geometry: Any, width: int, height: int) -> dict[str, Any]:
    box = _bbox(geometry, width, height)
    rle = geometry.get("rle")
    if not isinstance(rle, dict) or not isinstance(rle.get("counts"), str) or not isinstance(rle.get("size"), list):
        raise _fail('mask needs "rle": {"counts": "...", "size": [h, w]}')
    if [int(v) for v in rle["size"]] != [int(box["h"]), int(box["w"])]:
        raise _fail("rle size must equal [h, w] of the mask's box")
    try:
        check_counts(string_to_counts(rle["counts"]), int(box["h"]), int(box["w"]))
    except RleError as exc:
        raise _fail(f"rle counts do not describe the mask: {exc}") from exc
    return {**box, "rle": {"counts": rle["counts"], "size": [int(v) for v in rle["size"]]}}


def validate_geometry(kind: str, geometry: Any, *, width: int, height: int) -> dict[str, Any] | None:
    """Check geometry for a label kind inside a width × height image; return it normalised."""
    if kind == "tag":
        if geometry not in (None, {}):
            raise _fail("a tag has no geometry (use null)")
        return None
    if geometry is None:
        raise _fail(f"a {kind} needs geometry")
    if kind == "bbox":
        return _bbox(geometry, width, height)
    if kind == "point":
        return _point(geometry, width, height)
    if kind == "polyline":
        return _points(geometry, 2, width, height)
    if kind == "polygon":
        return _polygon(_points(geometry, 3, width, height))
    if kind == "mask":
        return _mask(geometry, width, height)
    raise _fail(f"unknown label kind {kind!r}")
