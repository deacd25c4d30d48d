"""The import parser without a database: COCO RLE masks cropped from their runs, shapes per kind, names."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.annotations import rle
from annotator.imports.parsing import ImportFileError, coco_names, coco_shapes, parse_document


def test_whole_image_rle_becomes_the_crop_of_its_set_pixels() -> None:
    rng = np.random.default_rng(0)
    checked = 0
    for trial in range(400):
        h, w = (int(v) for v in rng.integers(1, 30, 2))
        full = np.zeros((h, w), np.uint8)
        y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
        y1, x1 = int(rng.integers(y0, h)) + 1, int(rng.integers(x0, w)) + 1
        full[y0:y1, x0:x1] = rng.integers(0, 2, (y1 - y0, x1 - x0)) if trial % 2 else 1
        if not full.any():
            continue
        seg = rle.encode(full)
        if trial % 3 == 0:  # uncompressed counts, as COCO's iscrowd annotations carry them
            seg = {"size": seg["size"], "counts": rle.string_to_counts(seg["counts"])}
        (shapes,) = coco_shapes({"segmentation": seg}, {})
        mask = shapes["mask"]
        assert rle.bounding_box(full) == (mask["x"], mask["y"], mask["w"], mask["h"])
        back = np.zeros_like(full)
        back[mask["y"] : mask["y"] + mask["h"], mask["x"] : mask["x"] + mask["w"]] = rle.decode(mask["rle"])
        assert (back == full).all()
        checked += 1
    assert checked > 300


def test_a_slide_sized_mask_is_never_decoded_whole() -> None:
    height = width = 200_000  # 40 gigapixels: decoding it whole would not fit
    start = 150_000 * height + 70_000  # column 150,000, rows 70,000..70,002
    seg = {"size": [height, width], "counts": [start, 3, height * width - start - 3]}
    (shapes,) = coco_shapes({"segmentation": seg}, {})
    assert {k: shapes["mask"][k] for k in "xywh"} == {"x": 150_000, "y": 70_000, "w": 1, "h": 3}


def test_shapes_by_kind_and_names() -> None:
    box = {"bbox": [1, 2, 3, 4], "segmentation": [[1, 2, 4, 2, 4, 6, 1, 6]]}
    assert list(coco_shapes(box, {})) == [
        {"polygon": {"points": [[1, 2], [4, 2], [4, 6], [1, 6]]}, "bbox": {"x": 1, "y": 2, "w": 3, "h": 4}}
    ]
    two_rings = {"segmentation": [[0, 0, 5, 0, 5, 5], [9, 9, 12, 9, 12, 12]]}
    assert [set(s) for s in coco_shapes(two_rings, {})] == [{"polygon"}, {"polygon"}]
    keypoints = {"keypoints": [3, 4, 2, 0, 0, 0, 7, 8, 1]}
    assert list(coco_shapes(keypoints, {})) == [{"point": {"x": 3, "y": 4}}, {"point": {"x": 7, "y": 8}}]
    assert coco_names({"file_name": "images/12.png", "original_name": "scan 1.png"}) == (
        "scan 1.png",
        "images/12.png",
        "12.png",
    )


def test_unknown_documents_are_refused_with_a_sentence() -> None:
    with pytest.raises(ImportFileError, match="neither COCO instances"):
        parse_document({"labels": []}, "x.json")
    parsed = parse_document(
        {"images": [{"id": 1, "file_name": "a.png"}], "annotations": [{"id": 5, "image_id": 2}], "categories": []},
        "x.json",
    )
    assert parsed.items == [] and parsed.problems == [
        ("annotation 5 in x.json", "its image_id 2 is not among the file's images")
    ]
