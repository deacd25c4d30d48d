"""Masks to polygons: one outline per connected component (8-connected), holes filled and reported."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Outline:
    points: list[tuple[float, float]]  # (x, y) in image coordinates, at least 3, not repeated at the end
    had_holes: bool


def _without_collinear(points: np.ndarray) -> np.ndarray:
    """Drop the vertices that lie on the straight line through their neighbours (the contour's many steps)."""
    before, after = np.roll(points, 1, axis=0), np.roll(points, -1, axis=0)
    cross = (points[:, 0] - before[:, 0]) * (after[:, 1] - before[:, 1]) - (points[:, 1] - before[:, 1]) * (
        after[:, 0] - before[:, 0]
    )
    kept = points[np.abs(cross) > 1e-9]
    return kept if len(kept) >= 3 else points


def mask_outlines(crop: np.ndarray, *, x0: int = 0, y0: int = 0) -> list[Outline]:
    """The outline of each connected component of a 0/1 crop whose top-left pixel is (x0, y0).

    The outline runs through the midpoints between set and unset pixel centres (marching squares at level 0.5),
    so filling it by the pixel-centre rule gives the component back; a hole cannot be carried by one polygon, so
    it is filled and the outline says it had one. Components are ordered by their first pixel in raster order.
    """
    from scipy import ndimage
    from skimage import measure

    labelled, _ = ndimage.label(crop.astype(bool), structure=np.ones((3, 3), dtype=bool))
    outlines = []
    for number, box in enumerate(ndimage.find_objects(labelled), start=1):
        if box is None:
            continue
        part = labelled[box] == number
        filled = ndimage.binary_fill_holes(part, structure=np.ones((3, 3), dtype=bool))
        padded = np.pad(filled, 1).astype(np.float64)
        contours = measure.find_contours(padded, 0.5, fully_connected="high")
        contour = max(contours, key=len)[:-1]  # closed: the last point repeats the first
        simplified = _without_collinear(contour)
        top, left = box[0].start, box[1].start
        xs = simplified[:, 1] - 1 + 0.5 + left + x0
        ys = simplified[:, 0] - 1 + 0.5 + top + y0
        outlines.append(
            Outline(
                points=[(float(x), float(y)) for x, y in zip(xs, ys, strict=True)],
                had_holes=bool(filled.sum() > part.sum()),
            )
        )
    return outlines
