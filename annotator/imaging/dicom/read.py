"""Read a DICOM file: sniff, parse, metadata, and pixels of one frame (display or raw values)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from annotator.core.errors import RejectedFile
from annotator.imaging.dicom.age import age_from_dates, band_label, band_start, parse_age
from annotator.imaging.dicom.frames import frame_count, frame_info
from annotator.imaging.dicom.pixels import display_frame, raw_frame, raw_frame_with_headers, raw_headers
from annotator.imaging.dicom.transfer import check_decodable, decode_frame, syntax_uid

__all__ = [
    "decode_frame",
    "display_frame",
    "frame_count",
    "looks_like_dicom",
    "metadata",
    "raw_frame",
    "raw_frame_with_headers",
    "raw_headers",
    "read_dataset",
    "read_header",
    "write_dataset",
]


def looks_like_dicom(head: bytes) -> bool:
    """True when the first 132 bytes carry the DICOM preamble marker."""
    return len(head) >= 132 and head[128:132] == b"DICM"


def read_dataset(source: str | Path | BinaryIO) -> Dataset:
    """Parse a DICOM file; a broken one, or pixels we cannot decode, raise RejectedFile with the reason."""
    try:
        ds = pydicom.dcmread(source)
    except (InvalidDicomError, EOFError, ValueError, KeyError, OSError) as exc:
        raise RejectedFile(f"not a readable DICOM file ({exc})", code="invalid_dicom") from exc
    check_decodable(ds)
    return ds


def read_header(path: str | Path) -> Dataset:
    """Parse a DICOM file's attributes without its pixel data (for grouping many files cheaply)."""
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
    except (InvalidDicomError, EOFError, ValueError, KeyError, OSError) as exc:
        raise RejectedFile(f"not a readable DICOM file ({exc})", code="invalid_dicom") from exc
    check_decodable(ds)
    return ds


def write_dataset(ds: Dataset, path: Path) -> None:
    """Write a dataset to storage; its 128-byte preamble as zeros whatever it held (never a polyglot file)."""
    if ds.preamble is not None:
        ds.preamble = bytes(128)
    ds.save_as(path, enforce_file_format=False)


def age_band(ds: Dataset) -> str | None:
    """The patient's 5-year age band ('40-44', '90+') from Patient's Age, else from birth and study dates."""
    years = parse_age(str(ds.get("PatientAge", "") or ""))
    if years is None and ds.get("PatientBirthDate") and ds.get("StudyDate"):
        years = age_from_dates(str(ds.PatientBirthDate), str(ds.StudyDate))
    return band_label(band_start(years)) if years is not None else None


def _text(ds: Dataset, keyword: str) -> str | None:
    """A text attribute, stripped, or None when absent or empty."""
    value = str(ds.get(keyword, "") or "").strip()
    return value or None


def _int(ds: Dataset, keyword: str) -> int | None:
    """An integer attribute, or None when absent or unreadable."""
    try:
        return int(ds.get(keyword)) if ds.get(keyword) not in (None, "") else None
    except (TypeError, ValueError):
        return None


def metadata(ds: Dataset, *, patient_ref: str) -> dict[str, Any]:
    """The metadata the API exposes, from a (de-identified) dataset; geometry and window of the first frame."""
    first = frame_info(ds, 0)
    return {
        "modality": str(ds.get("Modality", "")),
        "study_uid": str(ds.get("StudyInstanceUID", "")),
        "series_uid": str(ds.get("SeriesInstanceUID", "")),
        "patient_ref": patient_ref,
        "pixel_spacing": list(first.pixel_spacing) if first.pixel_spacing else None,
        "slice_thickness": first.slice_thickness,
        "window_center": first.window_center,
        "window_width": first.window_width,
        "bits_stored": _int(ds, "BitsStored") or None,
        "photometric": str(ds.get("PhotometricInterpretation", "")),
        "manufacturer": _text(ds, "Manufacturer"),
        "patient_sex": _text(ds, "PatientSex"),
        "age_band": age_band(ds),
        "image_position": list(first.position) if first.position else None,
        "image_orientation": list(first.orientation) if first.orientation else None,
        "rows": _int(ds, "Rows"),
        "columns": _int(ds, "Columns"),
        "number_of_frames": frame_count(ds),
        "transfer_syntax_uid": syntax_uid(ds),
    }
