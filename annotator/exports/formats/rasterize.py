"""Shapes to pixels: a pixel belongs to a shape when its centre lies inside it (edges half-open).

Pixel (column c, row r) covers [c, c + 1) × [r, r + 1) in annotation coordinates, so its centre is
(c + 0.5, r + 0.5). Boxes and polygons are filled by that rule (the usual scan-line rule: shapes that share
an edge never share a pixel, a box drawn on pixel borders covers exactly the pixels inside it); a mask is
its decoded RLE placed with its top-left pixel at (round(x), round(y)). Points, polylines and tags cover
no pixels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from annotator.exports.formats.common import mask_crop
from annotator.exports.snapshot import AnnotationSnap


def _first_centre_at_or_after(value: float) -> int:
    """The first index i with i + 0.5 >= value."""
    return math.ceil(value - 0.5)


def fill_box(canvas: np.ndarray, geometry: Mapping[str, Any], value: int | bool) -> None:
    """Set the pixels whose centres lie in [x, x + w) × [y, y + h)."""
    height, width = canvas.shape[:2]
    x, y = float(geometry["x"]), float(geometry["y"])
    c0 = min(max(_first_centre_at_or_after(x), 0), width)
    c1 = min(max(_first_centre_at_or_after(x + float(geometry["w"])), 0), width)
    r0 = min(max(_first_centre_at_or_after(y), 0), height)
    r1 = min(max(_first_centre_at_or_after(y + float(geometry["h"])), 0), height)
    canvas[r0:r1, c0:c1] = value


def polygon_spans(points: Any, height: int, width: int) -> Iterable[tuple[int, int, int]]:
    """(row, first column, stop column) runs of the pixels whose centres lie inside a simple polygon."""
    pts = np.asarray(points, dtype=np.float64)
    x0, y0 = pts[:, 0], pts[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    low, high = np.minimum(y0, y1), np.maximum(y0, y1)
    # Edge e crosses the centre line of rows [first, stop): low <= r + 0.5 < high (horizontal edges: none).
    first = np.clip(np.ceil(low - 0.5), 0, height).astype(np.int64)
    stop = np.clip(np.ceil(high - 0.5), 0, height).astype(np.int64)
    per_edge = np.maximum(stop - first, 0)
    if not per_edge.sum():
        return []
    edge = np.repeat(np.arange(pts.shape[0]), per_edge)
    offset = np.arange(per_edge.sum()) - np.repeat(np.cumsum(per_edge) - per_edge, per_edge)
    rows = first[edge] + offset
    t = (rows + 0.5 - y0[edge]) / (y1[edge] - y0[edge])
    xs = x0[edge] + t * (x1[edge] - x0[edge])
    order = np.lexsort((xs, rows))
    rows, xs = rows[order], xs[order]
    # Crossings come in pairs on every row of a closed polygon: inside lies between the 1st and 2nd, 3rd and 4th...
    starts = np.clip(np.ceil(xs[0::2] - 0.5), 0, width).astype(np.int64)
    stops = np.clip(np.ceil(xs[1::2] - 0.5), 0, width).astype(np.int64)
    return zip(rows[0::2].tolist(), starts.tolist(), stops.tolist(), strict=True)


def fill_polygon(canvas: np.ndarray, points: Any, value: int | bool) -> None:
    """Set the pixels whose centres lie inside a simple polygon."""
    height, width = canvas.shape[:2]
    for row, start, stop in polygon_spans(points, height, width):
        if stop > start:
            canvas[row, start:stop] = value


def paste_mask(canvas: np.ndarray, geometry: Mapping[str, Any], value: int | bool) -> None:
    """Set the pixels of a mask's decoded RLE placed at its box (parts outside the canvas are dropped)."""
    height, width = canvas.shape[:2]
    x, y, crop = mask_crop(geometry)
    top, left = max(0, -y), max(0, -x)
    bottom, right = min(crop.shape[0], height - y), min(crop.shape[1], width - x)
    if bottom <= top or right <= left:
        return
    region = crop[top:bottom, left:right].astype(bool)
    canvas[y + top : y + bottom, x + left : x + right][region] = value


def draw(canvas: np.ndarray, kind: str, geometry: Any, value: int | bool) -> bool:
    """Paint one shape with value; False when the kind covers no pixels (point, polyline, tag)."""
    if kind == "bbox":
        fill_box(canvas, geometry, value)
    elif kind == "polygon":
        fill_polygon(canvas, geometry["points"], value)
    elif kind == "mask":
        paste_mask(canvas, geometry, value)
    else:
        return False
    return True


def label_map(
    annotations: Iterable[AnnotationSnap],
    *,
    height: int,
    width: int,
    kinds: Mapping[int, str],
    index: Mapping[int, int],
    dtype: Any = np.uint8,
) -> np.ndarray:
    """One frame's label map: 0 background, index[label] where a shape lies; later annotations paint over
    earlier ones. Annotations of labels missing from index are ignored."""
    canvas = np.zeros((height, width), dtype=dtype)
    for ann in annotations:
        if ann.label_id in index:
            draw(canvas, kinds[ann.label_id], ann.geometry, index[ann.label_id])
    return canvas


def label_dtype(count: int) -> Any:
    """The smallest unsigned type holding label numbers 0..count."""
    return np.uint8 if count < 256 else np.uint16
