"""COCO detection format: instances JSON per split, optional image files."""

from __future__ import annotations

import json
from typing import Any

from annotator.exports.registry import ExportContext, Output, register
from annotator.exports.snapshot import AnnotationSnap, ImageSnap


def polygon_area(points: list[list[float]]) -> float:
    """Area of a simple polygon by the shoelace formula."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2.0


def _bounds(points: list[list[float]]) -> list[float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]


def coco_annotation(ann: AnnotationSnap, kind: str) -> dict[str, Any] | None:
    """One COCO annotation body (without ids) for a shape, or None if COCO has no place for it."""
    g = ann.geometry
    if kind == "bbox":
        x, y, w, h = g["x"], g["y"], g["w"], g["h"]
        return {"bbox": [x, y, w, h], "area": w * h, "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]]}
    if kind == "polygon":
        pts = g["points"]
        return {"bbox": _bounds(pts), "area": polygon_area(pts), "segmentation": [[c for p in pts for c in p]]}
    return None


def file_name(image: ImageSnap, frame: int) -> str:
    """Name of an image (or one frame of it) inside the export."""
    if image.frames > 1:
        return f"images/{image.id}_f{frame:04d}.png"
    ext = "png" if image.kind == "dicom" else image.original_ext
    return f"images/{image.id}.{ext}"


@register("coco", "COCO instances (JSON)")
def write_coco(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write annotations/instances_<split>.json; return counts for the dataset card."""
    snap = ctx.snapshot
    kinds = {label.id: label.kind for label in snap.labels}
    categories = [
        {"id": label.id, "name": label.name, "supercategory": label.kind}
        for label in snap.labels
        if label.kind in ("bbox", "polygon")
    ]
    per_split: dict[str, dict[str, list[dict[str, Any]]]] = {}
    skipped: dict[str, int] = {}
    coco_image_id = 0
    for image in snap.images:
        split = ctx.splits.get(image.id, "default")
        bucket = per_split.setdefault(split, {"images": [], "annotations": []})
        frame_ids: dict[int, int] = {}
        for frame in range(image.frames):
            if image.frames > 1 and not any(a.frame == frame for a in image.annotations):
                continue
            coco_image_id += 1
            frame_ids[frame] = coco_image_id
            bucket["images"].append(
                {
                    "id": coco_image_id,
                    "file_name": file_name(image, frame),
                    "width": image.width,
                    "height": image.height,
                    "annotator_image_id": image.id,
                    "frame": frame,
                }
            )
        for ann in image.annotations:
            body = coco_annotation(ann, kinds[ann.label_id])
            if body is None:
                skipped[kinds[ann.label_id]] = skipped.get(kinds[ann.label_id], 0) + 1
                continue
            bucket["annotations"].append(
                {
                    "id": ann.id,
                    "image_id": frame_ids[ann.frame],
                    "category_id": ann.label_id,
                    "iscrowd": 0,
                    "attributes": ann.attributes,
                    **body,
                }
            )
    info = {"description": snap.name, "version": "1.0", "date_created": snap.taken_at}
    for split, bucket in sorted(per_split.items()):
        document = {"info": info, "licenses": [], "categories": categories, **bucket}
        out.write_bytes(f"annotations/instances_{split}.json", json.dumps(document, indent=1).encode())
    return {
        "annotations": sum(len(b["annotations"]) for b in per_split.values()),
        "images": sum(len(b["images"]) for b in per_split.values()),
        "skipped_by_kind": skipped,
        "image_files": [
            (e["file_name"], e["annotator_image_id"], e["frame"]) for b in per_split.values() for e in b["images"]
        ],
    }
