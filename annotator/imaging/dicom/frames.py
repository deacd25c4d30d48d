"""Per-frame attributes: classic top-level values, overridden by shared then per-frame functional groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset

from annotator.imaging.dicom.windowing import first_number

# Functional group macro (PS3.3 C.7.6.16.2) -> the attributes it carries that we read.
PIXEL_VALUE_TRANSFORMATION = "PixelValueTransformationSequence"
FRAME_VOI_LUT = "FrameVOILUTSequence"
PLANE_POSITION = "PlanePositionSequence"
PLANE_ORIENTATION = "PlaneOrientationSequence"
PIXEL_MEASURES = "PixelMeasuresSequence"


@dataclass(frozen=True)
class FrameInfo:
    """What one frame needs for real values, display and geometry."""

    slope: float = 1.0
    intercept: float = 0.0
    rescale_type: str | None = None
    window_center: float | None = None
    window_width: float | None = None
    voi_function: str = "LINEAR"
    position: tuple[float, ...] | None = None
    orientation: tuple[float, ...] | None = None
    pixel_spacing: tuple[float, ...] | None = None
    slice_thickness: float | None = None


def frame_count(ds: Dataset) -> int:
    """Number of frames in the file (1 when NumberOfFrames is absent, empty or not a number)."""
    try:
        return max(int(ds.get("NumberOfFrames", 1) or 1), 1)
    except (TypeError, ValueError):
        return 1


def _group_item(ds: Dataset, sequence: str, frame: int | None) -> Dataset | None:
    """The first item of one macro in the shared groups (frame None) or in one frame's groups."""
    if frame is None:
        groups = ds.get("SharedFunctionalGroupsSequence")
        group = groups[0] if groups else None
    else:
        groups = ds.get("PerFrameFunctionalGroupsSequence")
        group = groups[frame] if groups and 0 <= frame < len(groups) else None
    items = group.get(sequence) if group is not None else None
    return items[0] if items else None


def lookup(ds: Dataset, frame: int, sequence: str, keyword: str) -> Any:
    """An attribute's value for a frame: per-frame group, else shared group, else the top level."""
    for scope in (frame, None):
        item = _group_item(ds, sequence, scope)
        if item is not None and item.get(keyword) not in (None, ""):
            return item.get(keyword)
    value = ds.get(keyword)
    return None if value in (None, "") else value


def numbers(value: Any, count: int) -> tuple[float, ...] | None:
    """A tuple of exactly count floats from a multi-valued element, or None."""
    if value is None:
        return None
    try:
        values = tuple(float(v) for v in (value if isinstance(value, list | tuple) else list(value)))
    except (TypeError, ValueError):
        return None
    return values if len(values) == count else None


def first_text(value: Any) -> str | None:
    """First value of a possibly multi-valued text element, stripped, or None."""
    if value is None:
        return None
    if not isinstance(value, str) and hasattr(value, "__getitem__"):
        value = value[0] if len(value) else None
    text = str(value).strip() if value is not None else ""
    return text or None


def frame_info(ds: Dataset, frame: int = 0) -> FrameInfo:
    """Rescale, window and geometry of one frame (enhanced multi-frame or classic single-frame)."""
    slope = first_number(lookup(ds, frame, PIXEL_VALUE_TRANSFORMATION, "RescaleSlope"))
    intercept = first_number(lookup(ds, frame, PIXEL_VALUE_TRANSFORMATION, "RescaleIntercept"))
    rescale_type = first_text(lookup(ds, frame, PIXEL_VALUE_TRANSFORMATION, "RescaleType"))
    if rescale_type is None and str(ds.get("Modality", "")) == "CT" and slope is not None:
        rescale_type = "HU"  # CT rescale yields Hounsfield units (PS3.3 C.8.2.1.1.6)
    return FrameInfo(
        slope=slope if slope not in (None, 0.0) else 1.0,
        intercept=intercept or 0.0,
        rescale_type=rescale_type,
        window_center=first_number(lookup(ds, frame, FRAME_VOI_LUT, "WindowCenter")),
        window_width=first_number(lookup(ds, frame, FRAME_VOI_LUT, "WindowWidth")),
        voi_function=first_text(lookup(ds, frame, FRAME_VOI_LUT, "VOILUTFunction")) or "LINEAR",
        position=numbers(lookup(ds, frame, PLANE_POSITION, "ImagePositionPatient"), 3),
        orientation=numbers(lookup(ds, frame, PLANE_ORIENTATION, "ImageOrientationPatient"), 6),
        pixel_spacing=numbers(lookup(ds, frame, PIXEL_MEASURES, "PixelSpacing"), 2),
        slice_thickness=first_number(lookup(ds, frame, PIXEL_MEASURES, "SliceThickness")),
    )
