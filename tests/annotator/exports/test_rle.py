"""Our COCO RLE against pycocotools: round trips, the compressed string, pasting a crop, and its validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pycocotools import mask as coco_mask

from annotator.annotations import rle
from annotator.annotations.geometry import validate_geometry
from annotator.core.errors import ValidationFailed

masks = st.tuples(st.integers(1, 24), st.integers(1, 24)).flatmap(
    lambda shape: arrays(np.uint8, shape, elements=st.integers(0, 1))
)


def reference(mask: np.ndarray) -> str:
    return coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))["counts"].decode()


@settings(max_examples=300, deadline=None)
@given(masks)
def test_encode_matches_pycocotools_and_decodes_back(mask) -> None:
    ours = rle.encode(mask)
    assert ours["size"] == list(mask.shape)
    assert ours["counts"] == reference(mask)
    assert np.array_equal(rle.decode(ours), mask)
    assert rle.area(ours) == int(mask.sum()) == int(coco_mask.area({**ours, "counts": ours["counts"].encode()}))


@settings(max_examples=300, deadline=None)
@given(masks)
def test_decode_reads_what_pycocotools_writes(mask) -> None:
    theirs = coco_mask.encode(np.asfortranarray(mask))
    assert np.array_equal(rle.decode({"counts": theirs["counts"].decode(), "size": theirs["size"]}), mask)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=40))
def test_counts_string_round_trip(counts) -> None:
    assert rle.string_to_counts(rle.counts_to_string(counts)) == counts


@settings(max_examples=300, deadline=None)
@given(masks, st.integers(0, 20), st.integers(0, 20), st.integers(-6, 30), st.integers(-6, 30))
def test_paste_equals_encoding_the_placed_mask(mask, extra_h, extra_w, x, y) -> None:
    height, width = mask.shape[0] + extra_h, mask.shape[1] + extra_w
    canvas = np.zeros((height + 80, width + 80), dtype=np.uint8)
    canvas[y + 40 : y + 40 + mask.shape[0], x + 40 : x + 40 + mask.shape[1]] = mask
    full = canvas[40 : 40 + height, 40 : 40 + width]  # parts of the crop outside the image are dropped
    pasted = rle.paste(rle.encode(mask), x=x, y=y, height=height, width=width)
    assert pasted == {"counts": reference(full), "size": [height, width]}


def test_paste_merges_runs_across_columns_of_a_full_height_box() -> None:
    mask = np.ones((5, 3), dtype=np.uint8)
    pasted = rle.paste(rle.encode(mask), x=2, y=0, height=5, width=7)
    assert rle.string_to_counts(pasted["counts"]) == [10, 15, 10]


def test_uncompressed_counts_and_bounding_box() -> None:
    mask = rle.decode({"counts": [1, 2, 2, 1], "size": [2, 3]})
    assert mask.tolist() == [[0, 1, 0], [1, 0, 1]]
    assert rle.bounding_box(mask) == (0, 0, 3, 2)
    assert rle.bounding_box(np.zeros((3, 3))) is None


@pytest.mark.parametrize(
    ("counts", "message"),
    [("0!", "alphabet"), ("0`", "middle of a count"), ("05", "cover 5 pixels"), ("07", "cover 7 pixels")],
)
def test_bad_rle_is_refused(counts, message) -> None:
    with pytest.raises(rle.RleError, match=message):
        rle.decode({"counts": counts, "size": [3, 2]})


def test_negative_runs_are_refused() -> None:
    counts = rle.counts_to_string([0, 4, 2, 2, -2, 0])  # sums to 6 with a negative run
    with pytest.raises(rle.RleError, match="negative"):
        rle.decode({"counts": counts, "size": [3, 2]})


def test_geometry_validation_decodes_the_rle() -> None:
    mask = np.zeros((3, 2), dtype=np.uint8)
    mask[1, 1] = 1
    good = {"x": 1, "y": 2, "w": 2, "h": 3, "rle": rle.encode(mask)}
    assert validate_geometry("mask", good, width=10, height=10)["rle"] == rle.encode(mask)
    short = {**good, "rle": {"counts": rle.counts_to_string([1, 1]), "size": [3, 2]}}
    with pytest.raises(ValidationFailed, match="rle counts do not describe the mask"):
        validate_geometry("mask", short, width=10, height=10)
    with pytest.raises(ValidationFailed, match="alphabet"):
        validate_geometry("mask", {**good, "rle": {"counts": "0 6", "size": [3, 2]}}, width=10, height=10)
