"""Label-map PNGs: masks/<split>/<stem>.png per sample (0 background, 1..n per label), a legend with colours."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np
from PIL import Image as PILImage

from annotator.exports.formats.common import (
    AREA_KINDS,
    RASTER_MAX_PIXELS,
    ImageFiles,
    count,
    frame_annotations,
    frames_mode,
    label_kinds,
    numbered,
    picture_ext,
    sample_frames,
    split_of,
    stem,
)
from annotator.exports.formats.rasterize import draw, label_dtype, label_map
from annotator.exports.registry import ExportContext, Output, register
from annotator.exports.snapshot import AnnotationSnap, LabelSnap


def rgb(color: str) -> list[int]:
    """[r, g, b] of a "#rrggbb" colour (black when malformed)."""
    text = color.lstrip("#")
    try:
        return [int(text[i : i + 2], 16) for i in (0, 2, 4)] if len(text) == 6 else [0, 0, 0]
    except ValueError:
        return [0, 0, 0]


def legend(labels: list[LabelSnap], index: dict[int, int]) -> list[dict[str, Any]]:
    """Value → label rows, background first."""
    rows = [{"value": 0, "label_id": None, "name": "background", "kind": None, "color": "#000000", "rgb": [0, 0, 0]}]
    by_id = {label.id: label for label in labels}
    for label_id, value in sorted(index.items(), key=lambda item: item[1]):
        label = by_id[label_id]
        rows.append(
            {
                "value": value,
                "label_id": label.id,
                "name": label.name,
                "kind": label.kind,
                "color": label.color,
                "rgb": rgb(label.color),
            }
        )
    return rows


def legend_csv(rows: list[dict[str, Any]]) -> bytes:
    """The legend as CSV: value,label_id,name,kind,color,r,g,b."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["value", "label_id", "name", "kind", "color", "r", "g", "b"])
    for row in rows:
        writer.writerow(
            [row["value"], row["label_id"] or "", row["name"], row["kind"] or "", row["color"], *row["rgb"]]
        )
    return buffer.getvalue().encode()


def png_bytes(array: np.ndarray) -> bytes:
    """A single-channel PNG: 8-bit grey for uint8 values, 16-bit grey for uint16."""
    buffer = io.BytesIO()
    PILImage.fromarray(array).save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def instance_map(
    annotations: list[AnnotationSnap], *, height: int, width: int, kinds: dict[int, str], index: dict[int, int]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """One frame's instance map (0 background, 1..m one per shape in annotation order, later shapes over earlier
    ones; 8-bit up to 255 shapes, else 16-bit) and its rows: instance → annotation, label and class value."""
    shapes = [ann for ann in annotations if ann.label_id in index]
    canvas = np.zeros((height, width), dtype=label_dtype(len(shapes)))
    rows = []
    for number, ann in enumerate(shapes, start=1):
        draw(canvas, kinds[ann.label_id], ann.geometry, number)
        rows.append(
            {"instance": number, "annotation_id": ann.id, "label_id": ann.label_id, "value": index[ann.label_id]}
        )
    return canvas, rows


@register("mask_png", "Label-map PNGs (semantic and instance masks)")
def write_mask_png(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write one label map per sample and the legend; return counts for the dataset card."""
    snap = ctx.snapshot
    kinds = label_kinds(snap.labels)
    index = numbered(snap.labels, AREA_KINDS, start=1)
    dtype = label_dtype(len(index))
    drawn, skipped, too_large = 0, {}, []
    image_files = ImageFiles(ctx)
    for image in snap.images:
        if image.width * image.height > RASTER_MAX_PIXELS:
            too_large.append(image.id)
            continue
        split = split_of(ctx, image)
        for frame in sample_frames(image, frames_mode(ctx)):
            annotations = frame_annotations(image, frame)
            for ann in annotations:
                if ann.label_id in index:
                    drawn += 1
                else:
                    count(skipped, kinds[ann.label_id])
            array = label_map(
                annotations, height=image.height, width=image.width, kinds=kinds, index=index, dtype=dtype
            )
            name = stem(image, frame)
            out.write_bytes(f"masks/{split}/{name}.png", png_bytes(array))
            instances, rows = instance_map(
                annotations, height=image.height, width=image.width, kinds=kinds, index=index
            )
            out.write_bytes(f"instances/{split}/{name}.png", png_bytes(instances))
            out.write_bytes(f"instances/{split}/{name}.json", json.dumps(rows, indent=1).encode())
            image_files.add(f"images/{split}/{name}.{picture_ext(image)}", image.id, frame)
    rows = legend(list(snap.labels), index)
    out.write_bytes("labels.json", json.dumps({"background": 0, "labels": rows}, indent=2).encode())
    out.write_bytes("labels.csv", legend_csv(rows))
    return {
        "annotations": drawn,
        "samples": image_files.count,
        "skipped_by_kind": skipped,
        "images_too_large": len(too_large),
        "notes": [
            f"Each sample's mask is a single-channel {8 * np.dtype(dtype).itemsize}-bit PNG of the image's size: 0 "
            "is background, 1..n are the box, polygon and mask labels in label order (labels.json and labels.csv "
            "give each value's label, name and colour).",
            "Where shapes overlap, the later annotation (higher id) wins the pixel.",
            "`instances/<split>/<stem>.png` is the instance mask of the same sample: 0 background, 1..m one value "
            "per box, polygon or mask in annotation order (8-bit up to 255 shapes on a frame, 16-bit beyond), the "
            "later shape winning overlaps; `instances/<split>/<stem>.json` lists each instance's annotation id, "
            "label id and semantic value.",
            "A pixel belongs to a box or polygon when its centre lies inside it; a mask's RLE is decoded and placed "
            "at its box. Points, polylines and tags cover no pixels and are counted as skipped.",
            "Every single-frame image gets a mask (all background when unannotated); a stack contributes one mask "
            "per annotated frame, named `<image id>_f<frame>.png`."
            + (f" Images above {RASTER_MAX_PIXELS:,} pixels (slides) are left out: {too_large}." if too_large else ""),
        ],
        "details": {"legend": rows},
        "image_files": image_files.files,
    }
