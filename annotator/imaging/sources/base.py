"""The tile-source interface: what every image format offers the pyramid writer and the frames endpoint."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

import numpy as np
import pyvips

from annotator.core.errors import RejectedFile

# Frames held whole in memory (DICOM, NIfTI slices, raw frames) stop here: 10,000 × 10,000.
ARRAY_FRAME_MAX_PIXELS = 100_000_000


@dataclass(frozen=True)
class RawFrame:
    """One frame's values for client-side window/level, and the headers that describe them."""

    array: np.ndarray
    headers: dict[str, str] = field(default_factory=dict)

    def little_endian_bytes(self) -> bytes:
        """The values as little-endian bytes, row-major (C order)."""
        array = self.array
        if array.dtype.byteorder == ">" or (array.dtype.byteorder == "=" and np.little_endian is False):
            array = array.astype(array.dtype.newbyteorder("<"))
        return np.ascontiguousarray(array).tobytes()


def describe(array: np.ndarray, photometric: str) -> dict[str, str]:
    """The headers every raw frame carries (the same names the DICOM module uses)."""
    return {
        "X-Frame-Dtype": array.dtype.name,
        "X-Frame-Shape": ",".join(str(n) for n in array.shape),
        "X-Frame-Byte-Order": "little",
        "X-Frame-Photometric": photometric,
    }


def window_headers(low: float, high: float) -> dict[str, str]:
    """Window center/width headers for a display window [low, high]."""
    return {"X-Window-Center": f"{(low + high) / 2:g}", "X-Window-Width": f"{max(high - low, 1e-12):g}"}


class TileSource(ABC):
    """One stored image, opened for reading: its size, frames and pixels, whatever the file format.

    `frame_image(n)` is what the pyramid writer and the rendered frame use: 8-bit grey or sRGB (alpha kept),
    built for one streaming pass. `raw_frame(n)` is for client-side window/level. `analyse()` computes,
    once at processing, what later reads reuse from the image's stored metadata (`stored`).
    """

    kind: ClassVar[str]
    format_name: str = ""
    tile_format: str = "jpeg"
    width: int = 0
    height: int = 0
    frames: int = 1

    def __init__(self, path: Path, *, stored: Mapping[str, Any] | None = None) -> None:
        self.path = path
        self.stored: Mapping[str, Any] = stored or {}

    @abstractmethod
    def frame_image(self, frame: int) -> pyvips.Image:
        """One frame for display and tiling."""

    def frame_array(self, frame: int) -> np.ndarray | None:
        """frame_image()'s pixels as an 8-bit array when this source holds frames whole in memory, else None."""
        return None

    @abstractmethod
    def raw_frame(self, frame: int) -> RawFrame:
        """One frame's stored (or real, after rescale) values with headers describing them."""

    def analyse(self) -> dict[str, Any]:
        """Metadata worth keeping on the image (spacing, window, vendor...); may read the whole image once."""
        return {"format": self.format_name}

    def verify(self) -> None:  # noqa: B027 (optional hook; most sources decode what they tile)
        """Check, at processing, that frames read only later (lazily) decode; RejectedFile names the first bad one."""

    def close(self) -> None:  # noqa: B027 (optional hook; most sources hold nothing open)
        """Release open files."""

    def check_frame(self, frame: int) -> None:
        if not 0 <= frame < self.frames:
            raise IndexError(f"frame {frame} is out of range: the image has {self.frames} frame(s), numbered from 0")

    def check_size(self, max_pixels: int) -> None:
        """Refuse images above the configured limit before any pixel is decoded."""
        pixels = self.width * self.height
        if pixels > max_pixels:
            raise RejectedFile(
                f"the image is {self.width} × {self.height} pixels ({pixels:,}), above the limit of "
                f"{max_pixels:,} pixels per image",
                code="image_too_large",
            )

    def __enter__(self) -> TileSource:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def check_array_frame(width: int, height: int) -> None:
    """Refuse frames too large to hold in memory whole."""
    if width * height > ARRAY_FRAME_MAX_PIXELS:
        raise RejectedFile(
            f"each frame is {width} × {height} pixels ({width * height:,}); frames read whole into memory "
            f"are limited to {ARRAY_FRAME_MAX_PIXELS:,} pixels",
            code="image_too_large",
        )
