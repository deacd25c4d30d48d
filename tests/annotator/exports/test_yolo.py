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
    crop = np.zeros((4, 4), dtype=np.uint8)
    crop[1:3, 2:4] = 1
    snap = project(
        image(1, ann(LESION, {"x": 10, "y": 6, "w": 20, "h": 12}), ann(SEED, {"x": 1, "y": 1}), width=40, height=30),
        image(2, ann(BRUSH, {"x": 0, "y": 0, "w": 4, "h": 4, "rle": rle.encode(crop)}), width=40, height=30),
        image(3, width=40, height=30),
        labels=(LESION, BRUSH, SEED),
    )
    out, stats = run("yolo", snap, splits={1: "train", 2: "train", 3: "val"})
    assert rows(out.files["labels/train/1.txt"]) == [[0, 0.5, 0.4, 0.5, 0.4]]
    assert rows(out.files["labels/train/2.txt"]) == [pytest.approx([1, 3 / 40, 2 / 30, 2 / 40, 2 / 30], abs=1e-6)]
    assert out.files["labels/val/3.txt"] == b""  # a negative sample
    assert stats["skipped_by_kind"] == {"point": 1} and stats["annotations"] == 2
    assert stats["details"]["mode"] == "detect"
    assert [c["label_id"] for c in stats["details"]["classes"]] == [LESION.id, BRUSH.id]
    data = yaml.safe_load(out.files["data.yaml"])
    assert data == {"train": "images/train", "val": "images/val", "nc": 2, "names": {0: "Lesion", 1: "Brush"}}
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
    out, stats = run("yolo", project(stack, labels=(LESION,)))
    assert set(out.files) == {"labels/default/4_f0002.txt", "data.yaml"}
    assert stats["image_files"] == [("images/default/4_f0002.png", 4, 2)]
