"""CSV tables: annotations.csv (one row per annotation) and images.csv (one row per image, workflow state)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from annotator.exports.formats.common import extent, label_kinds, split_of
from annotator.exports.registry import ExportContext, Output, register
from annotator.exports.snapshot import AnnotationSnap, ImageSnap, LabelSnap

ANNOTATION_COLUMNS = (
    "annotation_id",
    "image_id",
    "image_name",
    "patient_ref",
    "site",
    "split",
    "frame",
    "label_id",
    "label",
    "kind",
    "geometry",
    "bbox_x",
    "bbox_y",
    "bbox_w",
    "bbox_h",
    "attributes",
    "author_id",
    "version",
    "source",
    "created_at",
    "updated_at",
)
IMAGE_COLUMNS = (
    "image_id",
    "name",
    "kind",
    "width",
    "height",
    "frames",
    "patient_ref",
    "site",
    "split",
    "fold",
    "workflow_state",
    "assignee_id",
    "reviewer_id",
    "annotations",
    "modality",
    "study_uid",
    "series_uid",
)


def number(value: float) -> str:
    """A coordinate without a needless ".0", full precision otherwise."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def compact(value: Any) -> str:
    """JSON on one line, keys sorted."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def table(columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """UTF-8 CSV (RFC 4180 quoting, \\n line ends) with a header row; None becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode()


def tag_columns(labels: Iterable[LabelSnap]) -> list[tuple[LabelSnap, str | None]]:
    """(tag label, attribute name or None for the tag itself), in label then attribute order."""
    columns: list[tuple[LabelSnap, str | None]] = []
    for label in labels:
        if label.kind == "tag":
            columns.append((label, None))
            columns += [(label, str(attribute.get("name"))) for attribute in label.attributes]
    return columns


def _cell(value: Any) -> Any:
    return value if isinstance(value, str) or value is None else compact(value)


def tag_cells(image: ImageSnap, columns: list[tuple[LabelSnap, str | None]]) -> list[Any]:
    """Per tag column: 1 or 0 for the tag, the attribute's value (JSON unless text) of its first tag (by frame,
    then id) for an attribute column."""
    first: dict[int, AnnotationSnap] = {}
    for ann in sorted(image.annotations, key=lambda a: (a.frame, a.id)):
        first.setdefault(ann.label_id, ann)
    cells = []
    for label, attribute in columns:
        tag = first.get(label.id)
        if attribute is None:
            cells.append(1 if tag else 0)
        else:
            cells.append(_cell(tag.attributes.get(attribute)) if tag else None)
    return cells


def annotation_row(ann: AnnotationSnap, image: ImageSnap, split: str, *, kind: str, name: str) -> tuple[Any, ...]:
    """One annotations.csv row."""
    box = extent(kind, ann.geometry)
    box_cells = tuple(number(v) for v in box) if box else (None, None, None, None)
    return (
        ann.id,
        image.id,
        image.name,
        image.patient_ref,
        image.site,
        split,
        ann.frame,
        ann.label_id,
        name,
        kind,
        compact(ann.geometry),
        *box_cells,
        compact(ann.attributes),
        ann.author_id,
        ann.version,
        ann.source,
        ann.created_at,
        ann.updated_at,
    )


def image_row(
    image: ImageSnap, split: str, fold: int | None, tags: list[tuple[LabelSnap, str | None]]
) -> tuple[Any, ...]:
    """One images.csv row."""
    meta = image.metadata
    return (
        image.id,
        image.name,
        image.kind,
        image.width,
        image.height,
        image.frames,
        image.patient_ref,
        image.site,
        split,
        fold,
        image.workflow_state,
        image.assignee_id,
        image.reviewer_id,
        len(image.annotations),
        meta.get("modality"),
        meta.get("study_uid"),
        meta.get("series_uid"),
        *tag_cells(image, tags),
    )


def table_chunks(columns: Iterable[str], rows: Iterable[Iterable[Any]], *, per_chunk: int = 1000) -> Iterator[bytes]:
    """table(), streamed: the header, then the rows a thousand at a time."""
    batch: list[Iterable[Any]] = []
    yield table(columns, [])
    for row in rows:
        batch.append(row)
        if len(batch) == per_chunk:
            yield _rows(batch)
            batch = []
    if batch:
        yield _rows(batch)


def _rows(rows: list[Iterable[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode()


@register("csv", "CSV tables (annotations and images)")
def write_csv(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write annotations.csv and images.csv; return counts for the dataset card."""
    snap = ctx.snapshot
    kinds = label_kinds(snap.labels)
    names = {label.id: label.name for label in snap.labels}
    tags = tag_columns(snap.labels)
    tag_header = [f"tag:{label.name}" + (f":{attribute}" if attribute else "") for label, attribute in tags]
    image_rows: list[tuple[Any, ...]] = []
    written = 0

    def annotation_rows() -> Iterator[tuple[Any, ...]]:
        """Every annotation's row, image by image (streamed into annotations.csv); collects the image rows."""
        nonlocal written
        for image in snap.images:
            split = split_of(ctx, image)
            for ann in image.annotations:
                written += 1
                yield annotation_row(ann, image, split, kind=kinds[ann.label_id], name=names[ann.label_id])
            image_rows.append(image_row(image, split, ctx.folds.get(image.id), tags))

    out.write_chunks("annotations.csv", table_chunks(ANNOTATION_COLUMNS, annotation_rows()))
    out.write_bytes("images.csv", table([*IMAGE_COLUMNS, *tag_header], image_rows))
    return {
        "annotations": written,
        "notes": [
            "annotations.csv has one row per annotation of every kind; images.csv one row per image with its "
            "workflow state. Both are UTF-8 with a header row; the split is a column (no per-split files).",
            "geometry and attributes are JSON. bbox_x/y/w/h is the box of every shape with extent (a box itself, "
            "a polygon's or polyline's bounds, a mask's stored box) and empty for points and tags.",
            "images.csv has a column `tag:<label>` per image-level tag label (1 when the image carries the tag, "
            "else 0) and `tag:<label>:<attribute>` per attribute of that label (the value on its first tag by frame, "
            "JSON unless text).",
            "Frames are numbered from 0; author_id and reviewer/assignee ids are user ids (no names are exported).",
        ],
    }
