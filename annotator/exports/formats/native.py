"""Annotator's own lossless JSON (annotator.json): every label, image and annotation field, for re-import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from annotator.exports.formats.common import split_of
from annotator.exports.formats.spool import json_object
from annotator.exports.registry import ExportContext, Output, register
from annotator.exports.snapshot import AnnotationSnap, ImageSnap, LabelSnap

SCHEMA_VERSION = 1
BATCH = 256 * 1024


def label_record(label: LabelSnap) -> dict[str, Any]:
    return {
        "id": label.id,
        "name": label.name,
        "kind": label.kind,
        "color": label.color,
        "hotkey": label.hotkey,
        "attributes": [dict(a) for a in label.attributes],
    }


def annotation_record(ann: AnnotationSnap) -> dict[str, Any]:
    return {
        "id": ann.id,
        "label": ann.label_id,
        "frame": ann.frame,
        "geometry": ann.geometry,
        "attributes": ann.attributes,
        "author": ann.author_id,
        "version": ann.version,
        "source": ann.source,
        "created_at": ann.created_at,
        "updated_at": ann.updated_at,
    }


def image_record(image: ImageSnap, split: str, fold: int | None = None) -> dict[str, Any]:
    return {
        "id": image.id,
        "name": image.name,
        "kind": image.kind,
        "width": image.width,
        "height": image.height,
        "frames": image.frames,
        "patient_ref": image.patient_ref,
        "site": image.site,
        "split": split,
        "fold": fold,
        "workflow_state": image.workflow_state,
        "assignee": image.assignee_id,
        "reviewer": image.reviewer_id,
        "original_ext": image.original_ext,
        "metadata": image.metadata,
        "annotations": [annotation_record(ann) for ann in image.annotations],
    }


def _images(ctx: ExportContext, tally: dict[str, int]) -> Iterator[bytes]:
    """The images array, one image record at a time, counting annotations into tally."""
    buffer = [b"["]
    size = 0
    for number, image in enumerate(ctx.snapshot.images):
        record = image_record(image, split_of(ctx, image), ctx.folds.get(image.id))
        tally["annotations"] += len(record["annotations"])
        text = (b"," if number else b"") + b"\n" + json.dumps(record, ensure_ascii=False).encode()
        buffer.append(text)
        size += len(text)
        if size >= BATCH:  # fewer, larger writes into the compressor
            yield b"".join(buffer)
            buffer, size = [], 0
    buffer.append(b"\n]")
    yield b"".join(buffer)


def document(ctx: ExportContext, tally: dict[str, int]) -> Iterator[bytes]:
    """The whole project as JSON, streamed image by image."""
    snap = ctx.snapshot
    return json_object(
        [
            ("schema_version", SCHEMA_VERSION),
            ("format", "annotator-native"),
            ("data_changed_at", snap.changed_at),
            ("project", {"id": snap.id, "name": snap.name, "description": snap.description}),
            ("labels", [label_record(label) for label in snap.labels]),
            ("images", _images(ctx, tally)),
        ]
    )


@register("native", "Annotator native JSON (lossless)")
def write_native(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write annotator.json (streamed); return counts for the dataset card."""
    tally = {"annotations": 0}
    out.write_chunks("annotator.json", document(ctx, tally))
    return {
        "annotations": tally["annotations"],
        "notes": [
            f"annotator.json (schema_version {SCHEMA_VERSION}) holds the project, its label schema (with attribute "
            "definitions), every exported image with its metadata and split, and every annotation with all its "
            "fields, geometry exactly as stored (API geometry: level-0 pixels, origin at the top-left corner of "
            "the top-left pixel, frames from 0; masks as COCO RLE of their box).",
            "Ids are those of this Annotator instance; an import maps labels by name and images by id or name.",
        ],
    }
