"""Label-map PNGs: values by label order, later annotations win, a legend in JSON and CSV, stacks per frame."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
from PIL import Image as PILImage

from annotator.annotations import rle
from annotator.exports.snapshot import LabelSnap

from .builders import ALL_LABELS, BRUSH, LESION, ORGAN, SEED, ann, image, project, run


def read_png(data: bytes) -> np.ndarray:
    picture = PILImage.open(io.BytesIO(data))
    assert picture.mode in ("L", "I;16")
    return np.array(picture)


def test_label_maps_legend_and_overlaps() -> None:
    crop = np.ones((2, 2), dtype=np.uint8)
    shapes = [
        ann(LESION, {"x": 0, "y": 0, "w": 10, "h": 10}),
        ann(ORGAN, {"points": [[5, 5], [20, 5], [20, 20], [5, 20]]}),
        ann(BRUSH, {"x": 8, "y": 8, "w": 2, "h": 2, "rle": rle.encode(crop)}),
        ann(SEED, {"x": 3, "y": 3}),
    ]
    out, stats = run("mask_png", project(image(1, *shapes), image(2)), splits={1: "train", 2: "val"})
    labels = read_png(out.files["masks/train/1.png"])
    assert labels.shape == (30, 40) and labels.dtype == np.uint8
    assert labels[0, 0] == 1 and labels[6, 6] == 2 and labels[8, 8] == 3 and labels[25, 25] == 0
    assert labels[3, 3] == 1  # the point covers nothing
    assert not read_png(out.files["masks/val/2.png"]).any()
    assert stats["skipped_by_kind"] == {"point": 1} and stats["annotations"] == 3
    assert any("later annotation" in note for note in stats["notes"])
    legend = json.loads(out.files["labels.json"])["labels"]
    assert [(r["value"], r["name"], r["rgb"]) for r in legend] == [
        (0, "background", [0, 0, 0]),
        (1, "Lesion", [255, 0, 0]),
        (2, "Organ", [0, 255, 0]),
        (3, "Brush", [0, 0, 255]),
    ]
    table = list(csv.DictReader(io.StringIO(out.files["labels.csv"].decode())))
    assert [(r["value"], r["name"], r["color"]) for r in table][1] == ("1", "Lesion", "#ff0000")


def test_stack_frames_and_sixteen_bit_maps_for_many_labels() -> None:
    many = tuple(LabelSnap(id=100 + n, name=f"L{n}", kind="bbox", color="#102030") for n in range(300))
    last = many[-1]
    stack = image(3, ann(last, {"x": 1, "y": 1, "w": 2, "h": 2}, frame=4), frames=6, kind="dicom", original_ext="dcm")
    out, stats = run("mask_png", project(stack, labels=ALL_LABELS + many), include_images=True)
    assert set(out.files) == {
        "masks/default/3_f0004.png",
        "instances/default/3_f0004.png",
        "instances/default/3_f0004.json",
        "labels.json",
        "labels.csv",
    }
    labels = read_png(out.files["masks/default/3_f0004.png"])
    assert labels.dtype == np.uint16 and labels[1, 1] == 303  # Lesion, Organ, Brush, then the 300 boxes
    assert stats["image_files"] == [("images/default/3_f0004.png", 3, 4)]


def test_slide_sized_images_are_left_out() -> None:
    out, stats = run("mask_png", project(image(8, width=20_000, height=20_000, kind="slide", original_ext="svs")))
    assert stats["images_too_large"] == 1 and not any(n.startswith("masks/") for n in out.files)


def test_instance_masks_give_each_shape_its_own_value() -> None:
    first = ann(LESION, {"x": 0, "y": 0, "w": 4, "h": 4})
    second = ann(LESION, {"x": 2, "y": 2, "w": 4, "h": 4})
    brush = ann(BRUSH, {"x": 10, "y": 10, "w": 2, "h": 1, "rle": rle.encode(np.ones((1, 2), dtype=np.uint8))})
    out, _ = run("mask_png", project(image(1, first, second, brush, ann(SEED, {"x": 1, "y": 1}))))
    instances = read_png(out.files["instances/default/1.png"])
    semantic = read_png(out.files["masks/default/1.png"])
    assert instances.dtype == np.uint8 and instances[0, 0] == 1 and instances[3, 3] == 2 and instances[10, 11] == 3
    assert semantic[0, 0] == semantic[3, 3] == 1  # one class, two instances
    rows = json.loads(out.files["instances/default/1.json"])
    assert [(r["instance"], r["annotation_id"], r["value"]) for r in rows] == [
        (1, first.id, 1),
        (2, second.id, 1),
        (3, brush.id, 3),
    ]


def test_instance_masks_turn_16_bit_past_255_shapes() -> None:
    boxes = [ann(LESION, {"x": n % 40, "y": n // 40, "w": 1, "h": 1}) for n in range(300)]
    out, _ = run("mask_png", project(image(1, *boxes, width=40, height=30)))
    instances = read_png(out.files["instances/default/1.png"])
    assert instances.dtype == np.uint16 and instances[0, 0] == 1 and instances[299 // 40, 299 % 40] == 300
    assert len(np.unique(instances)) == 301
