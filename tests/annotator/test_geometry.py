"""Geometry validation per label kind: good shapes pass normalised, bad ones name the problem."""

import math

import pytest

from annotator.annotations.geometry import validate_geometry
from annotator.core.errors import ValidationFailed


def test_bbox_inside_the_image_passes_and_is_normalised_to_floats() -> None:
    assert validate_geometry("bbox", {"x": 1, "y": 2, "w": 3, "h": 4}, width=10, height=10) == {
        "x": 1.0,
        "y": 2.0,
        "w": 3.0,
        "h": 4.0,
    }


@pytest.mark.parametrize(
    ("geometry", "fragment"),
    [
        ({"x": 8, "y": 0, "w": 5, "h": 1}, "outside the image"),
        ({"x": -1, "y": 0, "w": 5, "h": 1}, "outside the image"),
        ({"x": 0, "y": 0, "w": 0, "h": 1}, "positive"),
        ({"x": math.nan, "y": 0, "w": 1, "h": 1}, "finite"),
        ({"x": "1", "y": 0, "w": 1, "h": 1}, "number"),
        ({"x": True, "y": 0, "w": 1, "h": 1}, "number"),
        ([1, 2, 3, 4], "expected"),
    ],
)
def test_bad_bbox_is_rejected_with_the_reason(geometry: object, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_geometry("bbox", geometry, width=10, height=10)
    assert fragment in caught.value.detail
    assert "geometry" in caught.value.errors


def test_edges_of_the_image_are_inside() -> None:
    assert validate_geometry("bbox", {"x": 0, "y": 0, "w": 10, "h": 10}, width=10, height=10)["w"] == 10.0
    assert validate_geometry("point", {"x": 10, "y": 10}, width=10, height=10) == {"x": 10.0, "y": 10.0}


def test_polygon_needs_three_points_and_polyline_two() -> None:
    with pytest.raises(ValidationFailed, match="at least 3"):
        validate_geometry("polygon", {"points": [[0, 0], [1, 1]]}, width=10, height=10)
    assert validate_geometry("polyline", {"points": [[0, 0], [1, 1]]}, width=10, height=10)


def test_tag_has_no_geometry() -> None:
    assert validate_geometry("tag", None, width=10, height=10) is None
    with pytest.raises(ValidationFailed):
        validate_geometry("tag", {"x": 1, "y": 1}, width=10, height=10)


def test_mask_rle_size_must_match_its_box() -> None:
    good = {"x": 0, "y": 0, "w": 2, "h": 3, "rle": {"counts": "06", "size": [3, 2]}}
    assert validate_geometry("mask", good, width=10, height=10)["rle"]["size"] == [3, 2]
    with pytest.raises(ValidationFailed, match="rle size"):
        validate_geometry("mask", {**good, "rle": {"counts": "06", "size": [2, 3]}}, width=10, height=10)


def test_self_intersecting_polygon_is_rejected() -> None:
    bowtie = {"points": [[0, 0], [4, 4], [4, 0], [0, 4]]}
    with pytest.raises(ValidationFailed, match="crosses itself"):
        validate_geometry("polygon", bowtie, width=10, height=10)


def test_degenerate_polygon_is_rejected() -> None:
    with pytest.raises(ValidationFailed, match="no area"):
        validate_geometry("polygon", {"points": [[0, 0], [1, 1], [2, 2]]}, width=10, height=10)


def test_simple_polygon_passes() -> None:
    square = {"points": [[0, 0], [4, 0], [4, 4], [0, 4]]}
    assert validate_geometry("polygon", square, width=10, height=10) == {
        "points": [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]]
    }
