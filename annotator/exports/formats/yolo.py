"""YOLO (Ultralytics layout): images/<split>/, labels/<split>/<stem>.txt with normalised rows, data.yaml."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from annotator.exports.formats.common import (
    ImageFiles,
    count,
    frame_annotations,
    frames_mode,
    label_kinds,
    mask_crop,
    numbered,
    picture_ext,
    sample_frames,
    split_of,
    stem,
)
from annotator.exports.formats.outline import mask_outlines
from annotator.exports.registry import ExportContext, Output, register
from annotator.exports.snapshot import AnnotationSnap, ImageSnap

DETECT_KINDS = ("bbox",)  # a project with masks or polygons is exported in segmentation form
SEGMENT_KINDS = ("bbox", "polygon", "mask")
SPLIT_ORDER = ("train", "val", "test", "default")


def mode_for(kinds: set[str]) -> str:
    """ "segment" when the project has polygon or mask labels, else "detect": one row form per export, since a
    file mixing box rows and polygon rows is misread by Ultralytics."""
    return "segment" if {"polygon", "mask"} & kinds else "detect"


def _numbers(values: list[float]) -> str:
    """The values clamped to [0, 1], six decimals each (inline: this runs for every coordinate exported)."""
    return " ".join([f"{0.0 if v < 0.0 else 1.0 if v > 1.0 else v:.6f}" for v in values])


def _polygon_row(class_id: int, points: Any, image: ImageSnap) -> str:
    w_img, h_img = float(image.width), float(image.height)
    return f"{class_id} " + _numbers([c / (w_img if i == 0 else h_img) for p in points for i, c in enumerate(p)])


def mask_rows(ann: AnnotationSnap, class_id: int, image: ImageSnap) -> tuple[list[str], int]:
    """Segmentation rows of a mask, one polygon per connected component, and how many of them had holes
    (filled: a YOLO polygon has no holes)."""
    x, y, crop = mask_crop(ann.geometry)
    outlines = mask_outlines(crop, x0=x, y0=y)
    return [_polygon_row(class_id, o.points, image) for o in outlines], sum(o.had_holes for o in outlines)


def label_row(ann: AnnotationSnap, kind: str, class_id: int, image: ImageSnap, mode: str) -> str | None:
    """One label file row for a shape, normalised by the image size; None when it has no row in this mode."""
    w_img, h_img = float(image.width), float(image.height)
    g = ann.geometry
    box: tuple[float, float, float, float] | None = None
    if kind == "bbox":
        box = (float(g["x"]), float(g["y"]), float(g["w"]), float(g["h"]))
    if box is not None:
        x, y, w, h = box
        if mode == "segment":  # the box as its four corners, clockwise from the top-left
            corners = [x, y, x + w, y, x + w, y + h, x, y + h]
            return f"{class_id} " + _numbers([v / (w_img if i % 2 == 0 else h_img) for i, v in enumerate(corners)])
        return f"{class_id} " + _numbers([(x + w / 2) / w_img, (y + h / 2) / h_img, w / w_img, h / h_img])
    if kind == "polygon" and mode == "segment":
        return _polygon_row(class_id, g["points"], image)
    return None


def data_yaml(names: list[str], splits: list[str], mode: str) -> str:
    """data.yaml: split folders (relative to this file's folder) and class names by id."""
    present = [s for s in SPLIT_ORDER if s in splits]
    train = "train" if "train" in present else present[0] if present else "default"
    val = "val" if "val" in present else train
    lines = [
        f"# YOLO {mode} dataset exported by Annotator. Paths are relative to the folder holding this file;",
        "# add `path: <that folder>` if your tool resolves them elsewhere.",
        f"train: images/{train}",
        f"val: images/{val}" + ("" if val == "val" else "  # no val split was exported"),
    ]
    if "test" in present:
        lines.append("test: images/test")
    lines.append(f"nc: {len(names)}")
    lines.append("names:")
    lines += [f"  {index}: {json.dumps(name)}" for index, name in enumerate(names)]
    return "\n".join(lines) + "\n"


@dataclass
class _Tally:
    written: int = 0  # annotations that gave at least one row
    components: int = 0  # mask components written as polygons
    holes: int = 0  # of those, components whose holes were filled
    skipped: dict[str, int] = field(default_factory=dict)


def sample_rows(
    annotations: list[AnnotationSnap],
    image: ImageSnap,
    *,
    kinds: dict[int, str],
    class_of: dict[int, int],
    mode: str,
    tally: _Tally,
) -> list[str]:
    """The label file rows of one sample's annotations, counted into tally."""
    rows: list[str] = []
    for ann in annotations:
        kind = kinds[ann.label_id]
        if kind == "mask" and mode == "segment":
            outlines, with_holes = mask_rows(ann, class_of[ann.label_id], image)
            rows += outlines
            tally.components += len(outlines)
            tally.holes += with_holes
            tally.written += 1 if outlines else 0
            continue
        row = label_row(ann, kind, class_of[ann.label_id], image, mode) if ann.label_id in class_of else None
        if row is None:
            count(tally.skipped, kind)
            continue
        rows.append(row)
        tally.written += 1
    return rows


@register("yolo", "YOLO (Ultralytics txt labels)")
def write_yolo(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write labels/<split>/<stem>.txt per sample and data.yaml; return counts for the dataset card."""
    snap = ctx.snapshot
    kinds = label_kinds(snap.labels)
    mode = mode_for(set(kinds.values()))
    class_of = numbered(snap.labels, SEGMENT_KINDS if mode == "segment" else DETECT_KINDS, start=0)
    tally = _Tally()
    image_files = ImageFiles(ctx)
    splits: set[str] = set()
    for image in snap.images:
        split = split_of(ctx, image)
        splits.add(split)
        for frame in sample_frames(image, frames_mode(ctx)):
            annotations = frame_annotations(image, frame)
            rows = sample_rows(annotations, image, kinds=kinds, class_of=class_of, mode=mode, tally=tally)
            name = stem(image, frame)
            out.write_bytes(f"labels/{split}/{name}.txt", "".join(r + "\n" for r in rows).encode())
            image_files.add(f"images/{split}/{name}.{picture_ext(image)}", image.id, frame)
    by_id = {label.id: label for label in snap.labels}
    classes = [{"class": n, "label_id": lid, "name": by_id[lid].name} for lid, n in class_of.items()]
    out.write_bytes("data.yaml", data_yaml([c["name"] for c in classes], sorted(splits), mode).encode())
    return {
        "annotations": tally.written,
        "samples": image_files.count,
        "mask_components": tally.components,
        "mask_components_with_holes_filled": tally.holes,
        "skipped_by_kind": tally.skipped,
        "notes": _notes(mode, tally),
        "details": {"mode": mode, "classes": classes},
        "image_files": image_files.files,
    }


def _notes(mode: str, tally: _Tally) -> list[str]:
    rows_note = (
        "polygon rows `class x1 y1 x2 y2 ...` (YOLO segmentation); boxes are written as their four corners, and "
        "each connected component (8-connected) of a mask as its own polygon, through the midpoints between set "
        "and unset pixel centres"
        if mode == "segment"
        else "box rows `class cx cy w h` (YOLO detection)"
    )
    notes = [
        f"YOLO {mode} labels: {rows_note}. Coordinates are divided by the image width and height, so they lie "
        "in [0, 1], measured from the image's top-left corner.",
        "Class ids are 0..n-1 in label order (the mapping is in dataset.json under format_details.classes "
        "and in data.yaml).",
        "Every single-frame image gets a label file, empty when it has no shape (a negative sample); a stack "
        "contributes one sample per annotated frame (every frame with the option frames: all), named "
        "`<image id>_f<frame>`.",
        "Points, polylines and tags have no YOLO row and are counted as skipped.",
    ]
    if tally.holes:
        notes.append(
            f"{tally.holes} of {tally.components} mask components had holes: a YOLO polygon cannot carry a hole, so "
            "they are filled (use mask_png or coco for the exact masks)."
        )
    return notes
