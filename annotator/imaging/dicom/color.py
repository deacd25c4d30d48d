"""Pure colour maths for DICOM pixels: YBR_FULL to RGB (PS3.3 C.7.6.3.1.2) and palette lookup (C.7.6.3.1.5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annotator.imaging.dicom.modality import apply_lut

YBR_PHOTOMETRICS: frozenset[str] = frozenset({"YBR_FULL", "YBR_FULL_422"})


def ybr_full_to_rgb(ybr: np.ndarray, *, bits: int = 8) -> np.ndarray:
    """Convert YBR_FULL (and upsampled YBR_FULL_422) samples to RGB of the same dtype.

    The standard's full-range equations: R = Y + 1.402 Cr', G = Y - 0.344136 Cb' - 0.714136 Cr',
    B = Y + 1.772 Cb', with Cb' and Cr' the chroma samples minus half the range.
    """
    values = ybr.astype(np.float64)
    half = float(1 << (bits - 1))
    y, cb, cr = values[..., 0], values[..., 1] - half, values[..., 2] - half
    rgb = np.stack(
        (y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb),
        axis=-1,
    )
    top = float((1 << bits) - 1)
    return np.clip(np.rint(rgb), 0.0, top).astype(ybr.dtype)


@dataclass(frozen=True)
class PaletteChannel:
    """One channel's lookup table: descriptor values and its entries."""

    entries: int  # number of entries (0 in the descriptor means 65536)
    first_mapped: int  # the stored value mapped to the first entry
    bits: int  # 8 or 16 bits per entry
    data: np.ndarray  # the entries, as integers


def apply_palette(indices: np.ndarray, channels: tuple[PaletteChannel, PaletteChannel, PaletteChannel]) -> np.ndarray:
    """RGB from palette indices: uint8 when every table has 8-bit entries, else uint16."""
    dtype = np.uint8 if all(channel.bits <= 8 for channel in channels) else np.uint16
    planes = []
    for channel in channels:
        plane = apply_lut(indices, first_mapped=channel.first_mapped, data=channel.data)
        if dtype == np.uint16 and channel.bits <= 8:
            plane = plane.astype(np.uint16) * 257  # widen 8-bit entries to the 16-bit range
        planes.append(plane.astype(dtype))
    return np.stack(planes, axis=-1)


def lut_entries(raw: bytes, *, entries: int, bits: int, little_endian: bool = True) -> np.ndarray:
    """Decode LUT Data bytes: 16-bit words, or 8-bit entries packed one per byte when the length says so."""
    count = entries or 65536
    if bits <= 8 and len(raw) == count + (count % 2):
        return np.frombuffer(raw[:count], dtype=np.uint8)
    words = np.frombuffer(raw[: 2 * count], dtype="<u2" if little_endian else ">u2")
    return (words & 0xFF).astype(np.uint8) if bits <= 8 else words.astype(np.uint16)


def color_to_uint8(rgb: np.ndarray, *, bits_stored: int) -> np.ndarray:
    """Scale RGB samples of any depth to 8 bits for display."""
    if rgb.dtype == np.uint8 and bits_stored <= 8:
        return rgb
    top = float((1 << max(bits_stored, 1)) - 1)
    return np.clip(np.rint(rgb.astype(np.float64) * (255.0 / top)), 0, 255).astype(np.uint8)
