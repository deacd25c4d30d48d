"""Shapes to pixels by pixel centres: boxes, polygons (against shapely, centre by centre), masks, overlaps."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from annotator.annotations import rle
from annotator.exports.formats.rasterize import fill_box, fill_polygon, label_map, paste_mask

from .builders import BRUSH, LESION, ORGAN, ann


def centres(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.mgrid[0:height, 0:width]
    return cols + 0.5, rows + 0.5


def star_polygon(rng: np.random.Generator, n: int, centre: tuple[float, float], radius: float) -> list[list[float]]:
    """A simple polygon: n vertices at increasing angles and random radii around a centre."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = rng.uniform(0.2, 1.0, n) * radius
    return [[centre[0] + r * np.cos(a), centre[1] + r * np.sin(a)] for a, r in zip(angles, radii, strict=True)]


def test_a_box_on_pixel_borders_covers_exactly_its_pixels() -> None:
    canvas = np.zeros((10, 12), dtype=np.uint8)
    fill_box(canvas, {"x": 2, "y": 3, "w": 4, "h": 5}, 1)
    expected = np.zeros_like(canvas)
    expected[3:8, 2:6] = 1
    assert np.array_equal(canvas, expected)


def test_a_fractional_box_covers_the_pixels_whose_centres_it_holds() -> None:
    canvas = np.zeros((10, 12), dtype=np.uint8)
    fill_box(canvas, {"x": 2.6, "y": 0.55, "w": 2.0, "h": 0.8}, 1)  # x ∈ [2.6, 4.6): centres 3.5, 4.5; no row centre
    assert canvas.sum() == 0
    fill_box(canvas, {"x": 2.6, "y": 0.4, "w": 2.0, "h": 0.2}, 1)  # y ∈ [0.4, 0.6): centre 0.5
    assert np.argwhere(canvas).tolist() == [[0, 3], [0, 4]]


def test_polygons_fill_pixel_centres_like_shapely() -> None:
    rng = np.random.default_rng(5)
    height, width = 40, 50
    xs, ys = centres(height, width)
    for _ in range(200):
        points = star_polygon(rng, int(rng.integers(3, 12)), (rng.uniform(-5, 55), rng.uniform(-5, 45)), 30)
        canvas = np.zeros((height, width), dtype=bool)
        fill_polygon(canvas, points, True)
        assert np.array_equal(canvas, shapely.contains_xy(Polygon(points), xs, ys)), points


def test_polygons_sharing_an_edge_share_no_pixel_and_leave_no_gap() -> None:
    left, right = [[1, 1], [6.3, 2], [5.2, 9], [1, 9]], [[6.3, 2], [11, 1], [11, 9], [5.2, 9]]
    a, b = np.zeros((12, 12), dtype=np.uint8), np.zeros((12, 12), dtype=np.uint8)
    fill_polygon(a, left, 1)
    fill_polygon(b, right, 1)
    whole = np.zeros((12, 12), dtype=np.uint8)
    fill_polygon(whole, [[1, 1], [6.3, 2], [11, 1], [11, 9], [1, 9]], 1)
    assert not (a & b).any() and np.array_equal(a | b, whole)


def test_masks_are_pasted_at_their_box_and_clipped_to_the_canvas() -> None:
    crop = np.array([[1, 0, 1], [1, 1, 0]], dtype=np.uint8)
    canvas = np.zeros((4, 5), dtype=np.uint8)
    paste_mask(canvas, {"x": 3, "y": 1, "w": 3, "h": 2, "rle": rle.encode(crop)}, 7)
    assert canvas.tolist() == [[0, 0, 0, 0, 0], [0, 0, 0, 7, 0], [0, 0, 0, 7, 7], [0, 0, 0, 0, 0]]


@pytest.mark.parametrize("order", ["box first", "polygon first"])
def test_the_later_annotation_wins_where_shapes_overlap(order) -> None:
    box = ann(LESION, {"x": 0, "y": 0, "w": 6, "h": 6})
    polygon = ann(ORGAN, {"points": [[3, 3], [9, 3], [9, 9], [3, 9]]})
    mask = ann(BRUSH, {"x": 4, "y": 4, "w": 1, "h": 1, "rle": rle.encode(np.ones((1, 1)))})
    shapes = [box, polygon] if order == "box first" else [polygon, box]
    kinds = {LESION.id: "bbox", ORGAN.id: "polygon", BRUSH.id: "mask"}
    index = {LESION.id: 1, ORGAN.id: 2, BRUSH.id: 3}
    result = label_map([*shapes, mask], height=10, width=10, kinds=kinds, index=index)
    assert result[4, 4] == 3  # the mask came last
    assert result[3, 5] == (2 if order == "box first" else 1)
    assert result[0, 0] == 1 and result[8, 8] == 2 and result[9, 9] == 0
