"""Pascal VOC: Annotations/<stem>.xml per sample, ImageSets/Main/<split>.txt, JPEGImages/ with the pictures."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any

from annotator.exports.formats.common import (
    ImageFiles,
    count,
    frame_annotations,
    frames_mode,
    label_kinds,
    mask_box,
    picture_ext,
    sample_frames,
    split_of,
    stem,
)
from annotator.exports.registry import ExportContext, Output, register
from annotator.exports.snapshot import AnnotationSnap, ImageSnap, LabelSnap


def voc_box(x: float, y: float, w: float, h: float, width: int, height: int) -> tuple[int, int, int, int]:
    """VOC (xmin, ymin, xmax, ymax): 1-based indices of the first and last pixel (both inclusive) whose centres
    lie inside the box; at least one pixel, inside the image."""

    def first(value: float) -> int:  # 1-based index of the first pixel whose centre is at or after value
        return math.ceil(value - 0.5) + 1

    xmin, ymin = first(x), first(y)
    xmax, ymax = first(x + w) - 1, first(y + h) - 1
    xmin, ymin = min(max(xmin, 1), width), min(max(ymin, 1), height)
    return xmin, ymin, min(max(xmax, xmin), width), min(max(ymax, ymin), height)


def object_box(ann: AnnotationSnap, kind: str) -> tuple[float, float, float, float] | None:
    """(x, y, w, h) of a shape's box in pixel coordinates, or None when VOC has no object for it."""
    g = ann.geometry
    if kind == "bbox":
        return float(g["x"]), float(g["y"]), float(g["w"]), float(g["h"])
    if kind == "polygon":
        xs, ys = [p[0] for p in g["points"]], [p[1] for p in g["points"]]
        return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
    if kind == "mask":
        box = mask_box(g)
        return None if box is None else (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    return None


def _add(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def depth(image: ImageSnap) -> int:
    """Samples per pixel: 1 for greyscale (DICOM MONOCHROME*), else 3."""
    return 1 if str(image.metadata.get("photometric", "")).startswith("MONOCHROME") else 3


def annotation_xml(
    image: ImageSnap, frame: int, file_name: str, objects: list[tuple[LabelSnap, AnnotationSnap, tuple]]
) -> bytes:
    """One VOC annotation document."""
    root = ET.Element("annotation")
    _add(root, "folder", "JPEGImages")
    _add(root, "filename", file_name)
    source = _add(root, "source")
    _add(source, "database", "Annotator")
    _add(source, "annotator_image_id", image.id)
    _add(source, "frame", frame)
    size = _add(root, "size")
    _add(size, "width", image.width)
    _add(size, "height", image.height)
    _add(size, "depth", depth(image))
    _add(root, "segmented", 0)
    for label, ann, (xmin, ymin, xmax, ymax) in objects:
        obj = _add(root, "object")
        _add(obj, "name", label.name)
        _add(obj, "pose", "Unspecified")
        _add(obj, "truncated", 0)
        _add(obj, "difficult", 1 if ann.attributes.get("difficult") is True else 0)
        box = _add(obj, "bndbox")
        for tag, value in (("xmin", xmin), ("ymin", ymin), ("xmax", xmax), ("ymax", ymax)):
            _add(box, tag, value)
        if ann.attributes:
            attributes = _add(obj, "attributes")
            for name, value in sorted(ann.attributes.items()):
                attribute = _add(attributes, "attribute")
                _add(attribute, "name", name)
                _add(attribute, "value", value)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


@register("voc", "Pascal VOC (XML boxes)")
def write_voc(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write one XML per sample and the per-split image set lists; return counts for the dataset card."""
    snap = ctx.snapshot
    kinds = label_kinds(snap.labels)
    labels = {label.id: label for label in snap.labels}
    written, skipped = 0, {}
    image_sets: dict[str, list[str]] = {}
    image_files = ImageFiles(ctx)
    for image in snap.images:
        split = split_of(ctx, image)
        for frame in sample_frames(image, frames_mode(ctx)):
            objects = []
            for ann in frame_annotations(image, frame):
                box = object_box(ann, kinds[ann.label_id])
                if box is None:
                    count(skipped, kinds[ann.label_id])
                    continue
                objects.append((labels[ann.label_id], ann, voc_box(*box, image.width, image.height)))
            name = stem(image, frame)
            file_name = f"{name}.{picture_ext(image)}"
            out.write_bytes(f"Annotations/{name}.xml", annotation_xml(image, frame, file_name, objects))
            image_sets.setdefault(split, []).append(name)
            image_files.add(f"JPEGImages/{file_name}", image.id, frame)
            written += len(objects)
    for split, names in sorted(image_sets.items()):
        out.write_bytes(f"ImageSets/Main/{split}.txt", "".join(n + "\n" for n in names).encode())
    return {
        "annotations": written,
        "samples": image_files.count,
        "skipped_by_kind": skipped,
        "notes": [
            "Pascal VOC boxes use 1-based pixel indices, both ends inclusive: xmin/ymin is the first and xmax/ymax "
            "the last pixel whose centre lies inside the shape's box (a box from x=10 to x=60 in Annotator's "
            "0-based corner coordinates becomes xmin=11, xmax=60).",
            "Polygons are written as their bounding box, masks as the box of their set pixels; points, polylines "
            "and tags have no VOC object and are counted as skipped. Annotation attributes are kept under "
            "`<attributes>`; `<difficult>` is 1 when an annotation has the attribute difficult = true.",
            "`ImageSets/Main/<split>.txt` lists the samples of each split. Pictures go to JPEGImages/ in their "
            "original format (PNG for DICOM and stacks), whatever the folder's name says.",
        ],
        "image_files": image_files.files,
    }
