"""Pure display maths for DICOM pixels: VOI windows (LINEAR, LINEAR_EXACT, SIGMOID) and VOI LUTs to 8 bits."""

from __future__ import annotations

import numpy as np

from annotator.imaging.dicom.modality import apply_lut


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


def window_exact_to_uint8(values: np.ndarray, center: float, width: float, *, invert: bool = False) -> np.ndarray:
    """LINEAR_EXACT (PS3.3 C.11.2.1.3.2): the window spans exactly center ± width / 2."""
    width = max(float(width), np.finfo(np.float64).tiny)
    scaled = ((values.astype(np.float64) - center) / width + 0.5) * 255.0
    out = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return (255 - out) if invert else out


def window_sigmoid_to_uint8(values: np.ndarray, center: float, width: float, *, invert: bool = False) -> np.ndarray:
    """SIGMOID (PS3.3 C.11.2.1.3.1): 255 / (1 + exp(-4 (x - center) / width))."""
    width = max(float(width), np.finfo(np.float64).tiny)
    exponent = np.clip(-4.0 * (values.astype(np.float64) - center) / width, -700.0, 700.0)
    out = np.clip(np.rint(255.0 / (1.0 + np.exp(exponent))), 0, 255).astype(np.uint8)
    return (255 - out) if invert else out


VOI_FUNCTIONS = {
    "LINEAR": window_to_uint8,
    "LINEAR_EXACT": window_exact_to_uint8,
    "SIGMOID": window_sigmoid_to_uint8,
}


def voi_window_to_uint8(
    values: np.ndarray, center: float, width: float, *, function: str = "LINEAR", invert: bool = False
) -> np.ndarray:
    """Window with the named VOI LUT Function; unknown names fall back to LINEAR as the standard's default."""
    apply = VOI_FUNCTIONS.get(function.strip().upper() or "LINEAR", window_to_uint8)
    return apply(values, center, width, invert=invert)


def voi_lut_to_uint8(
    values: np.ndarray, *, first_mapped: int, data: np.ndarray, bits: int, invert: bool = False
) -> np.ndarray:
    """A VOI LUT (PS3.3 C.11.2.1.1): look values up, then scale the table's output range to 0..255."""
    looked_up = apply_lut(np.rint(values), first_mapped=first_mapped, data=data)
    top = float((1 << max(int(bits), 1)) - 1)
    out = np.clip(np.rint(looked_up.astype(np.float64) * (255.0 / top)), 0, 255).astype(np.uint8)
    return (255 - out) if invert else out
