"""Pure display maths for DICOM pixels: linear VOI windowing to 8 bits (PS3.3 C.11.2.1.2)."""

from __future__ import annotations

import numpy as np


def window_to_uint8(values: np.ndarray, center: float, width: float, *, invert: bool = False) -> np.ndarray:
    """Map real values to 0..255 with DICOM's linear window; invert for MONOCHROME1."""
    width = max(float(width), 1.0)
    low = center - 0.5 - (width - 1.0) / 2.0
    scaled = ((values.astype(np.float64) - (center - 0.5)) / (width - 1.0 if width > 1 else 1.0) + 0.5) * 255.0
    scaled = np.where(values <= low, 0.0, scaled)
    out = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return (255 - out) if invert else out


def default_window(values: np.ndarray) -> tuple[float, float]:
    """A window spanning the data's full range, for files that carry none."""
    lo = float(np.min(values))
    hi = float(np.max(values))
    width = max(hi - lo, 1.0)
    return lo + width / 2.0, width


def first_number(value: object) -> float | None:
    """First value of a possibly multi-valued numeric DICOM element, or None."""
    if value is None:
        return None
    if isinstance(value, list | tuple) or (hasattr(value, "__getitem__") and not isinstance(value, str)):
        try:
            value = value[0]  # type: ignore[index]
        except (IndexError, TypeError):
            return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
