"""Pascal VOC: 1-based inclusive boxes, one XML per sample that xml.etree reads, image sets per split."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from annotator.annotations import rle
from annotator.exports.formats.voc import voc_box

from .builders import BRUSH, LESION, LINE, ORGAN, ann, image, project, run


def objects(xml: bytes) -> list[tuple[str, list[int]]]:
    root = ET.fromstring(xml)
    return [
        (obj.findtext("name"), [int(obj.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")])
        for obj in root.iter("object")
    ]


def test_boxes_are_one_based_and_inclusive() -> None:
    assert voc_box(10, 20, 50, 40, 100, 100) == (11, 21, 60, 60)
    assert voc_box(0, 0, 100, 100, 100, 100) == (1, 1, 100, 100)
    assert voc_box(10.6, 0.2, 0.1, 0.1, 100, 100) == (12, 1, 12, 1)  # no centre inside: still one pixel


def test_voc_documents_and_image_sets() -> None:
    crop = np.zeros((3, 3), dtype=np.uint8)
    crop[1, 1:] = 1
    first = image(
        1,
        ann(LESION, {"x": 10, "y": 20, "w": 5, "h": 4}, attributes={"difficult": True, "grade": 2}),
        ann(ORGAN, {"points": [[2, 3], [8, 3], [5, 9]]}),
        ann(BRUSH, {"x": 30, "y": 10, "w": 3, "h": 3, "rle": rle.encode(crop)}),
        ann(LINE, {"points": [[0, 0], [1, 1]]}),
        metadata={"photometric": "MONOCHROME2"},
    )
    out, stats = run("voc", project(first, image(2)), splits={1: "train", 2: "test"}, include_images=True)
    root = ET.fromstring(out.files["Annotations/1.xml"])
    assert root.findtext("filename") == "1.png" and root.findtext("size/depth") == "1"
    assert [int(root.findtext(f"size/{k}")) for k in ("width", "height")] == [40, 30]
    assert objects(out.files["Annotations/1.xml"]) == [
        ("Lesion", [11, 21, 15, 24]),
        ("Organ", [3, 4, 8, 9]),
        ("Brush", [32, 12, 33, 12]),
    ]
    lesion = next(root.iter("object"))
    assert lesion.findtext("difficult") == "1"
    assert {a.findtext("name"): a.findtext("value") for a in lesion.iter("attribute")} == {
        "difficult": "True",
        "grade": "2",
    }
    assert objects(out.files["Annotations/2.xml"]) == []
    assert out.files["ImageSets/Main/train.txt"] == b"1\n" and out.files["ImageSets/Main/test.txt"] == b"2\n"
    assert stats["skipped_by_kind"] == {"polyline": 1} and stats["annotations"] == 3
    assert stats["image_files"] == [("JPEGImages/1.png", 1, 0), ("JPEGImages/2.png", 2, 0)]
