"""Read a DICOM file: sniff, parse, metadata and display pixels for one frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import apply_modality_lut

from annotator.core.errors import RejectedFile
from annotator.imaging.dicom.windowing import default_window, first_number, window_to_uint8


def looks_like_dicom(head: bytes) -> bool:
    """True when the first 132 bytes carry the DICOM preamble marker."""
    return len(head) >= 132 and head[128:132] == b"DICM"


def read_dataset(source: str | Path | BinaryIO) -> Dataset:
    """Parse a DICOM file; a broken one raises RejectedFile with the reason."""
    try:
        return pydicom.dcmread(source)
    except (InvalidDicomError, EOFError, ValueError, KeyError, OSError) as exc:
        raise RejectedFile(f"not a readable DICOM file ({exc})", code="invalid_dicom") from exc


def write_dataset(ds: Dataset, path: Path) -> None:
    """Write a dataset to storage."""
    ds.save_as(path, enforce_file_format=False)


def metadata(ds: Dataset, *, patient_ref: str) -> dict[str, Any]:
    """The metadata the API exposes, from a (de-identified) dataset."""
    spacing = ds.get("PixelSpacing")
    return {
        "modality": str(ds.get("Modality", "")),
        "study_uid": str(ds.get("StudyInstanceUID", "")),
        "series_uid": str(ds.get("SeriesInstanceUID", "")),
        "patient_ref": patient_ref,
        "pixel_spacing": [float(v) for v in spacing] if spacing else None,
        "slice_thickness": first_number(ds.get("SliceThickness")),
        "window_center": first_number(ds.get("WindowCenter")),
        "window_width": first_number(ds.get("WindowWidth")),
        "bits_stored": int(ds.get("BitsStored", 0)) or None,
        "photometric": str(ds.get("PhotometricInterpretation", "")),
    }


def frame_count(ds: Dataset) -> int:
    """Number of frames in the file."""
    return int(ds.get("NumberOfFrames", 1) or 1)


def display_frame(ds: Dataset, frame: int = 0) -> np.ndarray:
    """One frame as 8-bit pixels for display: modality LUT, then the file's window (or full range)."""
    try:
        pixels = ds.pixel_array
    except Exception as exc:  # pydicom raises many types for broken or unsupported pixel data
        raise RejectedFile(f"the pixel data cannot be decoded ({exc})", code="undecodable_pixels") from exc
    if frame_count(ds) > 1:
        pixels = pixels[frame]
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    if pixels.ndim == 3:  # colour: already display values
        return pixels.astype(np.uint8) if pixels.dtype != np.uint8 else pixels
    values = apply_modality_lut(pixels, ds)
    center = first_number(ds.get("WindowCenter"))
    width = first_number(ds.get("WindowWidth"))
    if center is None or width is None:
        center, width = default_window(values)
    return window_to_uint8(values, center, width, invert=photometric == "MONOCHROME1")
