"""A snapshot frozen to a file (gzip JSON lines: a header, then one image per line) and read back."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from annotator.core.storage import image_dir
from annotator.exports.snapshot import AnnotationSnap, ImageSnap, LabelSnap, ProjectSnap

SCHEMA = 1
_NOT_FROZEN = ("folder", "dicom", "annotations")  # derived from the stored image when read back


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def image_record(image: ImageSnap) -> dict[str, Any]:
    """One image with its annotations as plain JSON."""
    record = {k: v for k, v in asdict(image).items() if k not in _NOT_FROZEN}
    record["annotations"] = [asdict(ann) for ann in image.annotations]
    return record


def freeze(snap: ProjectSnap, path: Path) -> None:
    """Write the snapshot to path; the same snapshot always gives the same bytes (gzip without a time)."""
    header = {
        "schema": SCHEMA,
        "project": {"id": snap.id, "name": snap.name, "description": snap.description},
        "labels": [{**asdict(label), "attributes": list(label.attributes)} for label in snap.labels],
        "changed_at": snap.changed_at,
    }
    with path.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6, mtime=0) as out:
        out.write(_line(header))
        for image in snap.images:
            out.write(_line(image_record(image)))


def _read_lines(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _image(record: dict[str, Any]) -> ImageSnap:
    annotations = tuple(AnnotationSnap(**ann) for ann in record.pop("annotations"))
    return ImageSnap(**record, folder=str(image_dir(record["id"])), annotations=annotations)


def thaw(path: Path, *, only_accepted: bool = False) -> ProjectSnap:
    """Read a frozen snapshot back (optionally only its accepted images); image files are looked up where the
    image's files live now."""
    lines = _read_lines(path)
    header = next(lines)
    if header.get("schema") != SCHEMA:
        raise ValueError(f"unknown frozen snapshot schema {header.get('schema')!r}")
    labels = tuple(LabelSnap(**{**label, "attributes": tuple(label["attributes"])}) for label in header["labels"])
    images = tuple(_image(record) for record in lines if not only_accepted or record["workflow_state"] == "accepted")
    project = header["project"]
    return ProjectSnap(
        id=project["id"],
        name=project["name"],
        description=project["description"],
        labels=labels,
        images=images,
        changed_at=header["changed_at"],
    )
