"""Stored DICOM images on disk as ingest lays them out (series/<n>.dcm or original.dcm), with their snapshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.uid import generate_uid

from annotator.exports.snapshot import AnnotationSnap, ImageSnap, dicom_frames
from tests.annotator.dicom.factories import enhanced_ct, image

from .builders import image as image_snap

# Rows run along (1, 1, 0)/√2 and columns along -z: an oblique plane, so that no axis is left unchecked.
OBLIQUE = (0.7071068, 0.7071068, 0.0, 0.0, 0.0, -1.0)
ROWS, COLUMNS = 16, 20
SPACING = (0.5, 0.8)  # between rows, between columns


def voxel_values(frame: int) -> np.ndarray:
    """Distinct stored values: 1000·frame + 20·row + column."""
    return (1000 * frame + np.arange(ROWS * COLUMNS).reshape(ROWS, COLUMNS)).astype(np.int16)


def write_series(folder: Path, count: int, *, step: float = 2.5) -> list:
    """count slices of one oblique series stored as folder/series/<n>.dcm in ascending position."""
    (folder / "series").mkdir(parents=True)
    series, study, frame_of_reference = generate_uid(), generate_uid(), generate_uid()
    normal = np.cross(OBLIQUE[:3], OBLIQUE[3:])
    datasets = []
    for k in range(count):
        ds = image(
            voxel_values(k),
            Modality="CT",
            StudyInstanceUID=study,
            SeriesInstanceUID=series,
            FrameOfReferenceUID=frame_of_reference,
            PatientID="pseudo",
            ImageOrientationPatient=list(OBLIQUE),
            ImagePositionPatient=[float(v) for v in np.array([-30.0, 12.0, 40.0]) + normal * step * k],
            PixelSpacing=list(SPACING),
            SliceThickness=step,
            RescaleIntercept=-1024,
            RescaleSlope=1,
            InstanceNumber=k + 1,
        )
        ds.save_as(folder / "series" / f"{k:05d}.dcm", enforce_file_format=True)
        datasets.append(ds)
    return datasets


def series_snap(folder: Path, count: int, *annotations: AnnotationSnap, image_id: int = 7) -> ImageSnap:
    return image_snap(
        image_id,
        *annotations,
        kind="dicom",
        width=COLUMNS,
        height=ROWS,
        frames=count,
        folder=str(folder),
        original_ext="series",
        metadata={"photometric": "MONOCHROME2", "modality": "CT"},
        dicom=dicom_frames(folder, "series"),
    )


def write_enhanced(folder: Path, frames: int) -> object:
    """An Enhanced CT multi-frame file stored as folder/original.dcm (positions 2 mm apart along z)."""
    folder.mkdir(parents=True)
    ds = enhanced_ct(
        np.stack([voxel_values(k) for k in range(frames)]), intercepts=[0.0] * frames, windows=[(40, 400)] * frames
    )
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = generate_uid(), generate_uid(), generate_uid()
    ds.save_as(folder / "original.dcm", enforce_file_format=True)
    return ds


def enhanced_snap(folder: Path, frames: int, *annotations: AnnotationSnap, image_id: int = 8) -> ImageSnap:
    return image_snap(
        image_id,
        *annotations,
        kind="dicom",
        width=COLUMNS,
        height=ROWS,
        frames=frames,
        folder=str(folder),
        original_ext="dcm",
        metadata={"photometric": "MONOCHROME2"},
        dicom=dicom_frames(folder, "dcm"),
    )
