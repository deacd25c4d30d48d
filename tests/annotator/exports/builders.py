"""Hand-built snapshots and an in-memory Output, so that each format is tested without a database."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotator.exports.registry import ExportContext, get_format
from annotator.exports.snapshot import AnnotationSnap, ImageSnap, LabelSnap, ProjectSnap

LESION = LabelSnap(id=11, name="Lesion", kind="bbox", color="#ff0000")
ORGAN = LabelSnap(id=12, name="Organ", kind="polygon", color="#00ff00")
BRUSH = LabelSnap(id=13, name="Brush", kind="mask", color="#0000ff")
SEED = LabelSnap(id=14, name="Seed", kind="point", color="#ffff00")
LINE = LabelSnap(id=15, name="Line", kind="polyline", color="#00ffff")
NORMAL = LabelSnap(id=16, name="Normal", kind="tag", color="#ffffff")
ALL_LABELS = (LESION, ORGAN, BRUSH, SEED, LINE, NORMAL)


class MemoryOutput:
    """The Output interface into a dict, refusing duplicate names like the zip does."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write_bytes(self, name: str, data: bytes) -> None:
        assert name not in self.files, f"{name} written twice"
        self.files[name] = data

    def write_file(self, name: str, path: str) -> None:
        self.write_bytes(name, Path(path).read_bytes())

    def write_chunks(self, name: str, chunks: Iterable[bytes]) -> None:
        self.write_bytes(name, b"".join(chunks))


_next_id = iter(range(1000, 100000))


def ann(label: LabelSnap, geometry: Any, *, frame: int = 0, **extra: Any) -> AnnotationSnap:
    """An annotation of a label (ids increase in creation order)."""
    fields: dict[str, Any] = {
        "id": next(_next_id),
        "label_id": label.id,
        "frame": frame,
        "geometry": geometry,
        "attributes": {},
        "version": 1,
        "source": "human",
        "author_id": 3,
        "created_at": "2025-01-02T03:04:05+00:00",
        "updated_at": "2025-01-02T03:04:05+00:00",
    }
    return AnnotationSnap(**{**fields, **extra})


def image(image_id: int, *annotations: AnnotationSnap, width: int = 40, height: int = 30, **extra: Any) -> ImageSnap:
    """A ready image (a PNG unless told otherwise) holding annotations."""
    fields: dict[str, Any] = {
        "id": image_id,
        "name": f"scan-{image_id}.png",
        "kind": "raster",
        "width": width,
        "height": height,
        "frames": 1,
        "patient_ref": f"p{image_id}",
        "site": "north",
        "workflow_state": "accepted",
        "metadata": {},
        "folder": f"/nonexistent/{image_id}",
        "original_ext": "png",
        "annotations": tuple(annotations),
    }
    return ImageSnap(**{**fields, **extra})


def project(*images: ImageSnap, labels: tuple[LabelSnap, ...] = ALL_LABELS) -> ProjectSnap:
    return ProjectSnap(
        id=1, name="Test", description="", labels=labels, images=tuple(images), changed_at="2025-01-01T00:00:00+00:00"
    )


def run(
    key: str,
    snap: ProjectSnap,
    *,
    splits: dict[int, str] | None = None,
    folds: dict[int, int] | None = None,
    **options: Any,
) -> tuple[MemoryOutput, dict]:
    """Run a registered format on a snapshot; (files written, stats)."""
    fmt = get_format(key)
    assert fmt is not None
    out = MemoryOutput()
    split_map = splits or {i.id: "default" for i in snap.images}
    stats = fmt.write(ExportContext(snapshot=snap, options=options, splits=split_map, folds=folds or {}), out)
    return out, stats
