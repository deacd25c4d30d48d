"""Voxel-to-patient geometry of an image as a NIfTI affine (RAS+, millimetres), and label volumes.

Voxel (i, j, k) is pixel column i, row j of frame k, exactly as annotations address pixels, so a label
drawn at (x, y) on frame k lands in voxel (floor(x), floor(y), k). For DICOM, the centre of pixel (i, j) of
frame k lies at P_k + i·Δc·X + j·Δr·Y in LPS, where P_k is the frame's ImagePositionPatient, X and Y the
row and column direction cosines of ImageOrientationPatient, Δr and Δc the PixelSpacing (between rows,
between columns) (PS3.3 C.7.6.2.1.1). Frames step by the mean vector between the first and last position;
NIfTI's RAS+ is LPS with the first two axes negated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotator.exports.formats.rasterize import label_map
from annotator.exports.snapshot import DicomFrameSnap, ImageSnap

LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])
SPACING_TOLERANCE = 0.01  # relative departure from even slice steps before the card warns


@dataclass(frozen=True)
class VolumeGeometry:
    """A voxel-to-world affine, the NIfTI form code it deserves (1 scanner, 2 aligned) and caveats."""

    affine: np.ndarray
    code: int
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _spacing(frame: DicomFrameSnap, warnings: list[str]) -> tuple[float, float]:
    if frame.pixel_spacing and all(v > 0 for v in frame.pixel_spacing):
        return float(frame.pixel_spacing[0]), float(frame.pixel_spacing[1])
    warnings.append("no PixelSpacing: 1 mm assumed")
    return 1.0, 1.0


def dicom_geometry(frames: Sequence[DicomFrameSnap]) -> VolumeGeometry:
    """The RAS affine of a DICOM image's frames (in frame order)."""
    warnings: list[str] = []
    first = frames[0]
    row_spacing, column_spacing = _spacing(first, warnings)
    thickness = first.slice_thickness if first.slice_thickness and first.slice_thickness > 0 else 1.0
    if first.orientation is None or first.position is None:
        warnings.append("no ImagePositionPatient/ImageOrientationPatient: pixel spacing only, no patient orientation")
        return VolumeGeometry(np.diag([column_spacing, row_spacing, thickness, 1.0]), 2, tuple(warnings))
    x_dir, y_dir = np.asarray(first.orientation[:3], float), np.asarray(first.orientation[3:6], float)
    origin = np.asarray(first.position, float)
    step = np.cross(x_dir, y_dir) * thickness
    positions = [f.position for f in frames]
    if len(frames) > 1 and all(p is not None for p in positions):
        points = np.asarray(positions, float)
        mean_step = (points[-1] - points[0]) / (len(frames) - 1)
        if np.linalg.norm(mean_step) > 1e-6:
            step = mean_step
            expected = points[0] + np.outer(np.arange(len(frames)), step)
            if np.max(np.linalg.norm(points - expected, axis=1)) > SPACING_TOLERANCE * np.linalg.norm(step):
                warnings.append("uneven slice spacing: the affine uses the mean step")
        else:
            warnings.append("every frame has the same position: slice thickness used as the step")
    elif len(frames) > 1:
        warnings.append("some frames have no position: slice thickness along the normal used as the step")
    lps = np.eye(4)
    lps[:3, 0], lps[:3, 1], lps[:3, 2], lps[:3, 3] = x_dir * column_spacing, y_dir * row_spacing, step, origin
    return VolumeGeometry(LPS_TO_RAS @ lps, 1, tuple(warnings))


def metadata_frame(metadata: Mapping[str, Any]) -> DicomFrameSnap:
    """A stand-in for a DICOM image's first frame from its stored metadata (when its files were not read)."""

    def numbers(key: str, size: int) -> tuple[float, ...] | None:
        value = metadata.get(key)
        return tuple(float(v) for v in value) if isinstance(value, list) and len(value) == size else None

    return DicomFrameSnap(
        file="",
        frame_in_file=0,
        sop_instance_uid="",
        sop_class_uid="",
        position=numbers("image_position", 3),
        orientation=numbers("image_orientation", 6),
        pixel_spacing=numbers("pixel_spacing", 2),
        slice_thickness=float(metadata["slice_thickness"]) if metadata.get("slice_thickness") else None,
    )


def raster_geometry(metadata: Mapping[str, Any]) -> VolumeGeometry:
    """A 2-D picture as one slice: pixel spacing when known (else 1 mm), no patient orientation."""
    spacing = metadata.get("pixel_spacing")
    if isinstance(spacing, list) and len(spacing) == 2 and all(float(v) > 0 for v in spacing):
        return VolumeGeometry(np.diag([float(spacing[1]), float(spacing[0]), 1.0, 1.0]), 2)
    return VolumeGeometry(np.eye(4), 2, ("no pixel spacing: identity affine (1 unit per pixel)",))


def image_geometry(image: ImageSnap) -> VolumeGeometry:
    """The affine of a DICOM image (per-frame geometry, else its metadata) or of a 2-D picture."""
    if image.kind == "dicom":
        frames = image.dicom or (metadata_frame(image.metadata),) * image.frames
        if not image.dicom and image.frames > 1:
            geometry = dicom_geometry(frames[:1])
            warning = "per-frame positions unavailable: the first frame's geometry and slice thickness used"
            return VolumeGeometry(geometry.affine, geometry.code, (*geometry.warnings, warning))
        return dicom_geometry(frames)
    if image.metadata.get("affine"):
        return VolumeGeometry(np.asarray(image.metadata["affine"], float), 2)
    return raster_geometry(image.metadata)


def label_volume(image: ImageSnap, *, kinds: Mapping[int, str], index: Mapping[int, int], dtype: Any) -> np.ndarray:
    """The (width, height, frames) label volume of an image: voxel (i, j, k) = pixel (x=i, y=j) of frame k."""
    volume = np.zeros((image.width, image.height, max(image.frames, 1)), dtype=dtype)
    by_frame: dict[int, list[Any]] = {}
    for ann in image.annotations:
        by_frame.setdefault(ann.frame, []).append(ann)
    for frame, shapes in by_frame.items():
        if 0 <= frame < volume.shape[2]:
            plane = label_map(shapes, height=image.height, width=image.width, kinds=kinds, index=index, dtype=dtype)
            volume[:, :, frame] = plane.T
    return volume
