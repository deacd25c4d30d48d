"""Bring any pixel format to 8-bit grey or sRGB for display: data-range windows for scientific data."""

from __future__ import annotations

import numpy as np
import pyvips

from annotator.core.errors import RejectedFile

Window = tuple[float, float]


def colour_bands(image: pyvips.Image) -> pyvips.Image:
    """The image without its alpha band."""
    return image.extract_band(0, n=image.bands - 1) if image.hasalpha() else image


def shape_bands(image: pyvips.Image) -> pyvips.Image:
    """One or three colour bands (plus alpha when there is one); extra channels beyond RGB are dropped."""
    if image.coding != "none":
        image = image.decode()
    alpha = image.hasalpha()
    colours = image.bands - (1 if alpha else 0)
    if colours in (1, 3):
        return image
    if image.interpretation == "cmyk" and colours == 4:
        return image
    keep = 3 if colours > 3 else 1
    return image.extract_band(0, n=keep)


def needs_window(image: pyvips.Image) -> bool:
    """True when the pixels are not 8-bit and have no fixed display range (grey 16-bit, signed, float)."""
    if image.format == "uchar":
        return False
    return not (image.format == "ushort" and image.interpretation == "rgb16")


def data_window(image: pyvips.Image) -> Window:
    """[min, max] of the colour bands (one streaming pass; pass a freshly opened image)."""
    stats = colour_bands(image).stats()
    low, high = stats(0, 0)[0], stats(1, 0)[0]
    return float(low), float(high)


def to_display(image: pyvips.Image, window: Window | None = None) -> pyvips.Image:
    """8-bit grey or sRGB (alpha kept): rgb16 scaled by 1/257, other deep data stretched over `window`."""
    image = shape_bands(image)
    if image.format in ("complex", "dpcomplex"):
        raise RejectedFile("complex-valued pixels cannot be displayed", code="unsupported_pixels")
    if image.format == "ushort" and image.interpretation == "rgb16":
        image = (image / 257).cast("uchar").copy(interpretation="srgb")
    elif image.format != "uchar":
        if window is None:
            raise ValueError("deep pixels need a display window")
        low, high = window
        scale = 255.0 / (high - low) if high > low else 0.0
        stretched = colour_bands(image).linear(scale, -low * scale).cast("uchar")  # cast clips to 0..255
        if image.hasalpha():
            alpha = image.extract_band(image.bands - 1)
            alpha = (alpha / 257).cast("uchar") if image.format == "ushort" else alpha.cast("uchar")
            stretched = stretched.bandjoin(alpha)
        image = stretched.copy(interpretation="b-w" if stretched.bands <= 2 else "srgb")
    if image.interpretation not in ("srgb", "b-w"):
        image = image.colourspace("srgb")
    return image


def window_array(values: np.ndarray, window: Window) -> np.ndarray:
    """A numpy frame stretched linearly over `window` to uint8 (NaN shows as black)."""
    low, high = window
    scale = 255.0 / (high - low) if high > low else 0.0
    out = (values.astype(np.float32) - np.float32(low)) * np.float32(scale)
    return np.nan_to_num(np.clip(out, 0, 255), nan=0.0).astype(np.uint8)
