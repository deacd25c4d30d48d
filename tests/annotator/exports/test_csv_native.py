"""CSV tables and the native JSON: every annotation, every field, and the split of every image."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from annotator.annotations import rle
from annotator.exports.formats.csv_table import ANNOTATION_COLUMNS, IMAGE_COLUMNS
from annotator.exports.snapshot import LabelSnap

from .builders import ALL_LABELS, BRUSH, LESION, LINE, NORMAL, ORGAN, SEED, ann, image, project, run


def sample_project():
    mask = {"x": 3, "y": 4, "w": 2, "h": 2, "rle": rle.encode(np.eye(2))}
    first = image(
        1,
        ann(LESION, {"x": 1.5, "y": 2, "w": 3, "h": 4}, attributes={"grade": 2}),
        ann(ORGAN, {"points": [[0, 0], [4, 1], [1, 5]]}),
        ann(BRUSH, mask, source="model", version=3),
        ann(SEED, {"x": 7, "y": 8}),
        ann(LINE, {"points": [[1, 1], [9, 3]]}),
        ann(NORMAL, None),
        metadata={"modality": "CT", "study_uid": "1.2", "series_uid": "1.2.3", "pixel_spacing": [0.5, 0.5]},
        assignee_id=7,
        reviewer_id=8,
    )
    return project(first, image(2, workflow_state="in_progress"))


def test_csv_has_one_row_per_annotation_with_extent_columns() -> None:
    out, stats = run("csv", sample_project(), splits={1: "train", 2: "test"})
    table = list(csv.DictReader(io.StringIO(out.files["annotations.csv"].decode())))
    assert tuple(table[0]) == ANNOTATION_COLUMNS and len(table) == 6 == stats["annotations"]
    by_kind = {row["kind"]: row for row in table}
    assert [by_kind["bbox"][k] for k in ("bbox_x", "bbox_y", "bbox_w", "bbox_h")] == ["1.5", "2", "3", "4"]
    assert [by_kind["polygon"][k] for k in ("bbox_x", "bbox_y", "bbox_w", "bbox_h")] == ["0", "0", "4", "5"]
    assert [by_kind["polyline"][k] for k in ("bbox_w", "bbox_h")] == ["8", "2"]
    assert [by_kind["mask"][k] for k in ("bbox_x", "bbox_w", "source", "version")] == ["3", "2", "model", "3"]
    assert by_kind["point"]["bbox_x"] == "" and by_kind["tag"]["bbox_x"] == "" and by_kind["tag"]["geometry"] == "null"
    assert json.loads(by_kind["bbox"]["attributes"]) == {"grade": 2}
    assert json.loads(by_kind["mask"]["geometry"])["rle"]["size"] == [2, 2]
    assert {row["split"] for row in table} == {"train"} and by_kind["bbox"]["patient_ref"] == "p1"
    images = list(csv.DictReader(io.StringIO(out.files["images.csv"].decode())))
    assert tuple(images[0]) == (*IMAGE_COLUMNS, "tag:Normal")
    assert [(r["image_id"], r["split"], r["workflow_state"], r["annotations"]) for r in images] == [
        ("1", "train", "accepted", "6"),
        ("2", "test", "in_progress", "0"),
    ]
    assert images[0]["modality"] == "CT" and images[0]["assignee_id"] == "7"


def test_native_json_keeps_every_field() -> None:
    snap = sample_project()
    out, stats = run("native", snap, splits={1: "val", 2: "val"})
    doc = json.loads(out.files["annotator.json"])
    assert doc["schema_version"] == 1 and doc["project"]["name"] == "Test"
    assert [label["name"] for label in doc["labels"]] == [label.name for label in ALL_LABELS]
    first = doc["images"][0]
    assert first["split"] == "val" and first["metadata"]["pixel_spacing"] == [0.5, 0.5]
    assert (first["assignee"], first["reviewer"], first["workflow_state"]) == (7, 8, "accepted")
    for stored, written in zip(snap.images[0].annotations, first["annotations"], strict=True):
        assert written == {
            "id": stored.id,
            "label": stored.label_id,
            "frame": stored.frame,
            "geometry": stored.geometry,
            "attributes": stored.attributes,
            "author": stored.author_id,
            "version": stored.version,
            "source": stored.source,
            "created_at": stored.created_at,
            "updated_at": stored.updated_at,
        }
    assert stats["annotations"] == 6


def test_images_csv_has_a_column_per_tag_label_and_attribute() -> None:
    quality = LabelSnap(
        id=17,
        name="Quality",
        kind="tag",
        color="#123456",
        attributes=({"name": "score", "type": "number"}, {"name": "notes", "type": "text"}),
    )
    labels = (*ALL_LABELS, quality)
    snap = project(
        image(1, ann(NORMAL, None), ann(quality, None, attributes={"score": 3, "notes": "motion, slight"})),
        image(2, ann(quality, None, frame=1, attributes={"score": 1}), ann(quality, None, attributes={"score": 5})),
        image(3),
        labels=labels,
    )
    out, _ = run("csv", snap)
    rows = list(csv.DictReader(io.StringIO(out.files["images.csv"].decode())))
    tags = [{k: v for k, v in row.items() if k.startswith("tag:")} for row in rows]
    assert tags == [
        {"tag:Normal": "1", "tag:Quality": "1", "tag:Quality:score": "3", "tag:Quality:notes": "motion, slight"},
        {"tag:Normal": "0", "tag:Quality": "1", "tag:Quality:score": "5", "tag:Quality:notes": ""},  # frame 0 first
        {"tag:Normal": "0", "tag:Quality": "0", "tag:Quality:score": "", "tag:Quality:notes": ""},
    ]
