"""COCO writes masks as full-image RLE that pycocotools reads back exactly; other kinds are counted as skipped."""

from __future__ import annotations

import json

import numpy as np
from pycocotools.coco import COCO

from annotator.annotations import rle
from annotator.exports.formats.coco import file_name

from .builders import BRUSH, LESION, LINE, NORMAL, ORGAN, SEED, ann, image, project, run


def test_masks_become_full_image_rle_that_pycocotools_decodes(tmp_path) -> None:
    crop = np.zeros((6, 5), dtype=np.uint8)
    crop[1:5, 1:4] = 1
    crop[2, 2] = 0
    mask = ann(BRUSH, {"x": 30, "y": 20, "w": 5, "h": 6, "rle": rle.encode(crop)})
    empty = ann(BRUSH, {"x": 0, "y": 0, "w": 2, "h": 2, "rle": rle.encode(np.zeros((2, 2)))})
    shapes = [
        ann(LESION, {"x": 1, "y": 2, "w": 3, "h": 4}),
        ann(ORGAN, {"points": [[0, 0], [4, 0], [0, 4]]}),
        mask,
        empty,
        ann(SEED, {"x": 1, "y": 1}),
        ann(LINE, {"points": [[1, 1], [2, 2]]}),
        ann(NORMAL, None),
    ]
    out, stats = run("coco", project(image(5, *shapes, width=40, height=30)))
    assert stats["annotations"] == 3 and stats["empty_masks_skipped"] == 1
    assert stats["skipped_by_kind"] == {"point": 1, "polyline": 1, "tag": 1}
    document = json.loads(out.files["annotations/instances_default.json"])
    assert sorted(c["id"] for c in document["categories"]) == [LESION.id, ORGAN.id, BRUSH.id]

    path = tmp_path / "instances.json"
    path.write_bytes(out.files["annotations/instances_default.json"])
    coco = COCO(str(path))
    (loaded,) = coco.loadAnns(coco.getAnnIds(catIds=[BRUSH.id]))
    expected = np.zeros((30, 40), dtype=np.uint8)
    expected[20:26, 30:35] = crop
    assert np.array_equal(coco.annToMask(loaded), expected)
    assert loaded["iscrowd"] == 0 and loaded["area"] == float(crop.sum())
    assert loaded["bbox"] == [31.0, 21.0, 3.0, 4.0]  # the set pixels, not the stored box
    box = coco.loadAnns(coco.getAnnIds(catIds=[LESION.id]))[0]
    assert box["bbox"] == [1, 2, 3, 4] and coco.annToMask(box).sum() == 12


def test_stack_frames_are_named_and_counted_per_annotated_frame_with_frames_annotated() -> None:
    stack = image(
        9, ann(LESION, {"x": 1, "y": 1, "w": 2, "h": 2}, frame=3), frames=10, kind="dicom", original_ext="dcm"
    )
    out, stats = run("coco", project(stack), splits={9: "train"}, frames="annotated", include_images=True)
    document = json.loads(out.files["annotations/instances_train.json"])
    assert [i["file_name"] for i in document["images"]] == ["images/9_f0003.png"]
    assert stats["image_files"] == [("images/9_f0003.png", 9, 3)]
    assert file_name(image(4, original_ext="jpg"), 0) == "images/4.jpg"
    assert file_name(image(4, original_ext="nii.gz"), 0) == "images/4.png"  # a NIfTI is rendered, not copied


def test_every_frame_of_a_stack_is_a_coco_image_unless_annotated_only() -> None:
    stack = image(5, ann(LESION, {"x": 1, "y": 2, "w": 3, "h": 4}, frame=2), frames=4)
    out, stats = run("coco", project(stack))
    document = json.loads(out.files["annotations/instances_default.json"])
    assert [i["frame"] for i in document["images"]] == [0, 1, 2, 3] and stats["images"] == 4
    assert {i["original_name"] for i in document["images"]} == {"scan-5.png"}  # for matching on import
    (only,) = document["annotations"]
    assert {i["id"]: i["frame"] for i in document["images"]}[only["image_id"]] == 2
    out, _ = run("coco", project(stack), frames="annotated")
    document = json.loads(out.files["annotations/instances_default.json"])
    assert [i["frame"] for i in document["images"]] == [2]
