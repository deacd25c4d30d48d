"""COCO detection format: instances JSON per split, optional image files."""

from __future__ import annotations

from typing import Any

from annotator.annotations import rle
from annotator.exports.formats.common import (
    ImageFiles,
    bounds,
    frames_mode,
    mask_box,
    picture_ext,
    polygon_area,
    sample_frames,
    split_of,
)
from annotator.exports.formats.spool import JsonSpool, json_object
from annotator.exports.registry import ExportContext, Output, register
from annotator.exports.snapshot import AnnotationSnap, ImageSnap

COCO_KINDS = ("bbox", "polygon", "mask")
NOTES = [
    "COCO instances: bbox [x, y, w, h] in pixels from the image's top-left corner; boxes and polygons also carry "
    "a polygon segmentation.",
    "Masks are written as compressed RLE over the whole image (size [height, width], column-major as COCO defines "
    "it) with iscrowd 0 (each mask is one object); their bbox and area are those of the set pixels. "
    "Empty masks are left out.",
    "Points, polylines and image-level tags have no COCO instance form and are counted as skipped.",
    "A stack (multi-frame image or series) contributes one COCO image per frame, annotated or not (negative "
    "frames train too), named `<image id>_f<frame>.png`; with the option frames: annotated, only its annotated "
    "frames. Each COCO image records annotator_image_id, original_name (the uploaded file's name) and frame.",
]


def coco_annotation(ann: AnnotationSnap, kind: str, image: ImageSnap | None = None) -> dict[str, Any] | None:
    """One COCO annotation body (without ids) for a shape, or None if COCO has no place for it (or it is empty)."""
    g = ann.geometry
    if kind == "bbox":
        x, y, w, h = g["x"], g["y"], g["w"], g["h"]
        return {"bbox": [x, y, w, h], "area": w * h, "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]]}
    if kind == "polygon":
        pts = g["points"]
        return {"bbox": list(bounds(pts)), "area": polygon_area(pts), "segmentation": [[c for p in pts for c in p]]}
    if kind == "mask" and image is not None:
        box = mask_box(g)
        if box is None:
            return None
        full = rle.paste(
            g["rle"], x=round(float(g["x"])), y=round(float(g["y"])), height=image.height, width=image.width
        )
        return {"bbox": [float(v) for v in box], "area": float(rle.area(full)), "segmentation": full}
    return None


def file_name(image: ImageSnap, frame: int) -> str:
    """Name of an image (or one frame of it) inside the export."""
    if image.frames > 1:
        return f"images/{image.id}_f{frame:04d}.png"
    return f"images/{image.id}.{picture_ext(image)}"


@register("coco", "COCO instances (JSON)")
def write_coco(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write annotations/instances_<split>.json; return counts for the dataset card. Images and annotations are
    spooled per split as the images stream past, so memory does not grow with the project."""
    snap = ctx.snapshot
    kinds = {label.id: label.kind for label in snap.labels}
    categories = [
        {"id": label.id, "name": label.name, "supercategory": label.kind}
        for label in snap.labels
        if label.kind in COCO_KINDS
    ]
    skipped: dict[str, int] = {}
    empty_masks = 0
    coco_image_id = 0
    image_files = ImageFiles(ctx)
    info = {"description": snap.name, "version": "1.0", "date_created": snap.changed_at}
    with JsonSpool() as spool:
        for image in snap.images:
            split = split_of(ctx, image)
            spool.counts.setdefault((split, "annotations"), 0)
            frame_ids: dict[int, int] = {}
            for frame in sample_frames(image, frames_mode(ctx, "all")):
                coco_image_id += 1
                frame_ids[frame] = coco_image_id
                entry = {
                    "id": coco_image_id,
                    "file_name": file_name(image, frame),
                    "width": image.width,
                    "height": image.height,
                    "annotator_image_id": image.id,
                    "original_name": image.name,
                    "frame": frame,
                }
                spool.add((split, "images"), entry)
                image_files.add(entry["file_name"], image.id, frame)
            for ann in image.annotations:
                kind = kinds[ann.label_id]
                body = coco_annotation(ann, kind, image)
                if body is None or ann.frame not in frame_ids:
                    if kind == "mask" and body is None:
                        empty_masks += 1
                    else:
                        skipped[kind] = skipped.get(kind, 0) + 1
                    continue
                record = {
                    "id": ann.id,
                    "image_id": frame_ids[ann.frame],
                    "category_id": ann.label_id,
                    "iscrowd": 0,
                    "attributes": ann.attributes,
                    **body,
                }
                spool.add((split, "annotations"), record)
        splits = sorted({key[0] for key in spool.counts})
        for split in splits:
            document = [
                ("info", info),
                ("licenses", []),
                ("categories", categories),
                ("images", spool.array((split, "images"))),
                ("annotations", spool.array((split, "annotations"))),
            ]
            out.write_chunks(f"annotations/instances_{split}.json", json_object(document))
        written = sum(n for key, n in spool.counts.items() if key[1] == "annotations")
    return {
        "annotations": written,
        "images": image_files.count,
        "skipped_by_kind": skipped,
        "empty_masks_skipped": empty_masks,
        "notes": NOTES,
        "image_files": image_files.files,
    }
