"""Series: order slices along the slice normal, and group parsed files into stackable series."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydicom.dataset import Dataset

from annotator.imaging.dicom.frames import frame_count, frame_info

ORIENTATION_TOLERANCE = 1e-3  # largest difference between direction cosines still taken as the same orientation


@dataclass(frozen=True)
class SliceGeometry:
    """What ordering needs from one file: its SOP Instance UID, position, orientation and instance number."""

    sop_uid: str
    position: tuple[float, float, float] | None = None
    orientation: tuple[float, float, float, float, float, float] | None = None
    instance_number: int | None = None


def slice_normal(orientation: Sequence[float]) -> np.ndarray:
    """The slice normal: cross product of the row and column direction cosines (PS3.3 C.7.6.2.1.1)."""
    row = np.asarray(orientation[:3], dtype=np.float64)
    column = np.asarray(orientation[3:6], dtype=np.float64)
    return np.cross(row, column)


def ordering_method(records: Sequence[SliceGeometry]) -> str:
    """'position' when every slice has a position and the first orientation gives a normal, else 'instance_number'."""
    oriented = [r.orientation for r in records if r.orientation is not None]
    positioned = all(r.position is not None for r in records)
    if records and oriented and positioned and np.linalg.norm(slice_normal(oriented[0])) > 1e-6:
        return "position"
    return "instance_number"


def _instance_key(record: SliceGeometry) -> tuple[bool, int, str]:
    """Instance number ascending, files without one last, then the UID so that the order is total."""
    number = record.instance_number
    return number is None, number if number is not None else 0, record.sop_uid


def order_slices(records: Sequence[SliceGeometry]) -> list[SliceGeometry]:
    """Slices in ascending position along the normal; by InstanceNumber when positions cannot be used."""
    if ordering_method(records) == "instance_number":
        return sorted(records, key=_instance_key)
    normal = slice_normal(next(r.orientation for r in records if r.orientation is not None))
    return sorted(records, key=lambda r: (float(np.dot(np.asarray(r.position), normal)), *_instance_key(r)))


def geometry_of(ds: Dataset) -> SliceGeometry:
    """A file's geometry record (the first frame's, for a multi-frame file)."""
    info = frame_info(ds, 0)
    try:
        number = int(ds.get("InstanceNumber")) if ds.get("InstanceNumber") not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    return SliceGeometry(
        sop_uid=str(ds.get("SOPInstanceUID", "")),
        position=info.position,  # type: ignore[arg-type]
        orientation=info.orientation,  # type: ignore[arg-type]
        instance_number=number,
    )


def orientations_match(a: Sequence[float], b: Sequence[float], *, tolerance: float = ORIENTATION_TOLERANCE) -> bool:
    """True when two ImageOrientationPatient values agree within tolerance."""
    return bool(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))) <= tolerance)


def stack_problem(datasets: Sequence[Dataset], *, tolerance: float = ORIENTATION_TOLERANCE) -> str | None:
    """Why these files cannot be stacked into one volume, or None when they can."""
    if len(datasets) > 1 and any(frame_count(ds) > 1 for ds in datasets):
        return "the series mixes a multi-frame file with other files; each multi-frame file is its own stack"
    sizes = {(int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0)) for ds in datasets}
    if len(sizes) > 1:
        listed = ", ".join(f"{rows}×{columns}" for rows, columns in sorted(sizes))
        return f"the slices differ in size (rows × columns: {listed})"
    geometries = [geometry_of(ds) for ds in datasets]
    oriented = [g for g in geometries if g.orientation is not None]
    if oriented and len(oriented) < len(geometries):
        return f"{len(geometries) - len(oriented)} of {len(geometries)} slices have no ImageOrientationPatient"
    for geometry in oriented[1:]:
        if not orientations_match(oriented[0].orientation, geometry.orientation, tolerance=tolerance):  # type: ignore[arg-type]
            return (
                f"slice {geometry.sop_uid} is oriented differently from slice {oriented[0].sop_uid} "
                f"(beyond a tolerance of {tolerance:g})"
            )
    return None


@dataclass
class SeriesGroup:
    """The files of one SeriesInstanceUID, in slice order, and whether they stack into one volume."""

    series_uid: str
    datasets: list[Dataset] = field(default_factory=list)
    reason: str | None = None  # why the files cannot be stacked; None when they can

    @property
    def stackable(self) -> bool:
        """True when the files form one volume."""
        return self.reason is None


def group_series(datasets: Iterable[Dataset], *, tolerance: float = ORIENTATION_TOLERANCE) -> list[SeriesGroup]:
    """Group parsed files by SeriesInstanceUID (in order of first appearance), order each, check it stacks."""
    by_uid: dict[str, list[Dataset]] = {}
    for ds in datasets:
        by_uid.setdefault(str(ds.get("SeriesInstanceUID", "") or ""), []).append(ds)
    groups = []
    for uid, members in by_uid.items():
        pairs = [(geometry_of(ds), ds) for ds in members]
        dataset_of = {id(record): ds for record, ds in pairs}  # sorting keeps the record objects
        ordered_members = [dataset_of[id(record)] for record in order_slices([record for record, _ in pairs])]
        reason = "the files have no SeriesInstanceUID" if not uid else stack_problem(members, tolerance=tolerance)
        groups.append(SeriesGroup(series_uid=uid, datasets=ordered_members, reason=reason))
    return groups
