"""YOLO: normalised rows per sample, one label file per sample (empty for negatives), data.yaml with class ids."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from annotator.annotations import rle

from .builders import BRUSH, LESION, ORGAN, SEED, ann, image, project, run


def rows(data: bytes) -> list[list[float]]:
    return [[float(v) for v in line.split()] for line in data.decode().splitlines()]


def test_detection_rows_are_normalised_centre_and_size() -> None:
    snap = project(
        image(1, ann(LESION, {"x": 10, "y": 6, "w": 20, "h": 12}), ann(SEED, {"x": 1, "y": 1}), width=40, height=30),
        image(2, ann(LESION, {"x": 2, "y": 1, "w": 2, "h": 2}), width=40, height=30),
        image(3, width=40, height=30),
        labels=(LESION, SEED),
    )
    out, stats = run("yolo", snap, splits={1: "train", 2: "train", 3: "val"}, include_images=True)
    assert rows(out.files["labels/train/1.txt"]) == [[0, 0.5, 0.4, 0.5, 0.4]]
    assert rows(out.files["labels/train/2.txt"]) == [pytest.approx([0, 3 / 40, 2 / 30, 2 / 40, 2 / 30], abs=1e-6)]
    assert out.files["labels/val/3.txt"] == b""  # a negative sample
    assert stats["skipped_by_kind"] == {"point": 1} and stats["annotations"] == 2
    assert stats["details"]["mode"] == "detect"
    assert [c["label_id"] for c in stats["details"]["classes"]] == [LESION.id]
    data = yaml.safe_load(out.files["data.yaml"])
    assert data == {"train": "images/train", "val": "images/val", "nc": 1, "names": {0: "Lesion"}}
    assert ("images/train/1.png", 1, 0) in stats["image_files"]


def test_polygon_labels_switch_every_row_to_segmentation_form() -> None:
    snap = project(
        image(
            1,
            ann(LESION, {"x": 10, "y": 6, "w": 20, "h": 12}),
            ann(ORGAN, {"points": [[0, 0], [40, 0], [20, 30]]}),
            width=40,
            height=30,
        ),
        labels=(LESION, ORGAN),
    )
    out, stats = run("yolo", snap)
    box, triangle = rows(out.files["labels/default/1.txt"])
    assert box == pytest.approx([0, 0.25, 0.2, 0.75, 0.2, 0.75, 0.6, 0.25, 0.6])
    assert triangle == pytest.approx([1, 0, 0, 1, 0, 0.5, 1])
    assert stats["details"]["mode"] == "segment"
    assert "segmentation" in " ".join(stats["notes"])
    assert yaml.safe_load(out.files["data.yaml"])["val"] == "images/default"


def test_stacks_give_one_sample_per_annotated_frame() -> None:
    stack = image(4, ann(LESION, {"x": 0, "y": 0, "w": 4, "h": 3}, frame=2), frames=5, kind="dicom", original_ext="dcm")
    out, stats = run("yolo", project(stack, labels=(LESION,)), include_images=True)
    assert set(out.files) == {"labels/default/4_f0002.txt", "data.yaml"}
    assert stats["image_files"] == [("images/default/4_f0002.png", 4, 2)]
    _, plain = run("yolo", project(stack, labels=(LESION,)))  # without the images: counted, not listed
    assert plain["image_files"] == [] and plain["samples"] == 1


def read_ultralytics_segments(data: bytes, nc: int) -> list[tuple[int, np.ndarray]]:
    """A label file read by Ultralytics' rules for segmentation: a class id below nc, then an even number (at
    least 6) of coordinates, each normalised into [0, 1]; no duplicate rows."""
    lines = data.decode().splitlines()
    assert len(set(lines)) == len(lines), "duplicate rows"
    result = []
    for line in lines:
        values = [float(v) for v in line.split()]
        cls, coords = int(values[0]), np.array(values[1:])
        assert values[0] == cls and 0 <= cls < nc and len(coords) >= 6 and len(coords) % 2 == 0
        assert (coords >= 0).all() and (coords <= 1).all()
        result.append((cls, coords.reshape(-1, 2)))
    return result


def test_masks_become_one_polygon_per_component_and_holes_are_noted() -> None:
    from annotator.exports.formats.rasterize import fill_polygon

    crop = np.zeros((10, 12), dtype=np.uint8)
    crop[1:4, 1:4] = 1  # a square
    crop[5:9, 6:11] = 1  # a ring: a block with a hole
    crop[6:8, 8] = 0
    crop[0, 11] = 1  # a single pixel
    width, height = 40, 30
    snap = project(
        image(1, ann(BRUSH, {"x": 5, "y": 4, "w": 12, "h": 10, "rle": rle.encode(crop)}), width=width, height=height),
        labels=(LESION, BRUSH),
    )
    out, stats = run("yolo", snap)
    assert stats["details"]["mode"] == "segment" and stats["annotations"] == 1
    segments = read_ultralytics_segments(out.files["labels/default/1.txt"], nc=2)
    assert [cls for cls, _ in segments] == [1, 1, 1] and stats["mask_components"] == 3
    canvas = np.zeros((height, width), dtype=np.uint8)
    for _, points in segments:
        fill_polygon(canvas, points * [width, height], 1)
    expected = np.zeros((height, width), dtype=np.uint8)
    expected[4:14, 5:17] = crop
    expected[10:12, 13] = 1  # the hole, filled
    assert np.array_equal(canvas, expected)
    assert stats["mask_components_with_holes_filled"] == 1
    assert any("1 of 3 mask components had holes" in note for note in stats["notes"])
