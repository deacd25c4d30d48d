"""Pure modality LUT maths (PS3.3 C.11.1): stored values to real values, in the smallest fitting dtype."""

from __future__ import annotations

import numpy as np

# Integer dtypes tried in order for integral results; anything else is float32.
INTEGER_DTYPES: tuple[np.dtype, ...] = tuple(np.dtype(t) for t in ("uint8", "int16", "uint16", "int32", "uint32"))


def is_integral(value: float) -> bool:
    """True for a finite number with no fractional part."""
    return bool(np.isfinite(value)) and float(value).is_integer()


def real_dtype(low: float, high: float, *, slope: float = 1.0, intercept: float = 0.0) -> np.dtype:
    """The smallest dtype holding slope * [low, high] + intercept exactly (float32 when not integral)."""
    ends = sorted((low * slope + intercept, high * slope + intercept))
    if not (is_integral(slope) and is_integral(intercept)):
        return np.dtype(np.float32)
    for dtype in INTEGER_DTYPES:
        info = np.iinfo(dtype)
        if info.min <= ends[0] and ends[1] <= info.max:
            return dtype
    return np.dtype(np.float64)


def apply_rescale(stored: np.ndarray, *, slope: float, intercept: float, dtype: np.dtype) -> np.ndarray:
    """Real values = stored * slope + intercept, cast to dtype (rounded when integral)."""
    if slope == 1.0 and intercept == 0.0:
        return stored.astype(dtype, copy=False)
    real = stored.astype(np.float64) * slope + intercept
    if np.issubdtype(dtype, np.integer):
        real = np.rint(real)
    return real.astype(dtype)


def apply_lut(stored: np.ndarray, *, first_mapped: int, data: np.ndarray) -> np.ndarray:
    """A Modality or VOI LUT: values below/above the table take its first/last entry."""
    position = np.clip(stored.astype(np.int64) - int(first_mapped), 0, len(data) - 1)
    return data[position]
