"""Whole-slide vendor formats through OpenSlide (imported lazily); label and macro images are never read.

libvips in pyvips-binary has no OpenSlide loader, so level 0 reaches libvips as a PNG stream we
generate strip by strip from OpenSlide's read_region (stored deflate blocks: no compression work),
which dzsave consumes in one sequential pass with bounded memory.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyvips

from annotator.core.errors import RejectedFile
from annotator.imaging.models import ImageKind
from annotator.imaging.sources.base import RawFrame, TileSource, check_array_frame, describe

STRIP_ROWS = 256  # a whole row of the slide's own tiles, so each is decoded once
STRIP_PIXELS = 8_000_000  # at most this much of level 0 per strip (32 MB as RGBA); wider slides take fewer rows
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Vendors whose single-file slides libvips' TIFF reader opens as plain TIFFs; the rest need OpenSlide.
TIFF_READABLE = frozenset({"generic-tiff"})
# Scanners work at 0.1-2 µm per pixel; a TIFF's default resolution (libvips writes 1 pixel/mm) is not a scale.
MAX_PLAUSIBLE_MPP = 50.0


def detect_vendor(path: Path) -> str | None:
    """OpenSlide's name for the file's format ('aperio', 'hamamatsu', 'generic-tiff'...), or None."""
    import openslide

    try:
        return openslide.OpenSlide.detect_format(str(path))
    except openslide.OpenSlideError:
        return None


def slide_facts(path: Path) -> dict[str, Any]:
    """Vendor, microns per pixel as pixel spacing in mm (row, column), objective power; nothing identifying."""
    import openslide

    try:
        slide = openslide.OpenSlide(str(path))
    except (openslide.OpenSlideError, OSError):
        return {}
    with slide:
        props = slide.properties
        facts: dict[str, Any] = {"vendor": props.get(openslide.PROPERTY_NAME_VENDOR)}
        mpp_x, mpp_y = props.get(openslide.PROPERTY_NAME_MPP_X), props.get(openslide.PROPERTY_NAME_MPP_Y)
        if mpp_x and mpp_y and 0 < float(mpp_x) <= MAX_PLAUSIBLE_MPP and 0 < float(mpp_y) <= MAX_PLAUSIBLE_MPP:
            facts["pixel_spacing"] = [float(mpp_y) / 1000, float(mpp_x) / 1000]
        power = props.get(openslide.PROPERTY_NAME_OBJECTIVE_POWER)
        if power:
            facts["objective_power"] = float(power)
        facts["slide_levels"] = slide.level_count
    return facts


class OpenSlideSource(TileSource):
    """A vendor slide (SVS, NDPI, MRXS, SCN, ...): one frame, level 0 read through OpenSlide."""

    kind = ImageKind.SLIDE
    tile_format = "jpeg"

    def __init__(self, path: Path, *, stored: Mapping[str, Any] | None = None, vendor: str = "") -> None:
        super().__init__(path, stored=stored)
        import openslide

        try:
            self._slide = openslide.OpenSlide(str(path))
        except (openslide.OpenSlideError, OSError) as exc:
            raise RejectedFile(f"OpenSlide cannot read this slide ({exc})", code="invalid_slide") from exc
        self.vendor = vendor or self._slide.properties.get(openslide.PROPERTY_NAME_VENDOR, "")
        self.format_name = f"slide/{self.vendor}"
        self.width, self.height = self._slide.dimensions

    def close(self) -> None:
        self._slide.close()

    def frame_image(self, frame: int) -> pyvips.Image:
        self.check_frame(frame)
        source = pyvips.SourceCustom()
        stream = _Stream(self._png_chunks())
        source.on_read(stream.read)
        return pyvips.Image.new_from_source(source, "", access="sequential", fail_on="error")

    def raw_frame(self, frame: int) -> RawFrame:
        self.check_frame(frame)
        check_array_frame(self.width, self.height)
        array = self._rgb(0, self.height)
        return RawFrame(array, describe(array, "RGB"))

    def analyse(self) -> dict[str, Any]:
        return {"format": self.format_name, **slide_facts(self.path), "photometric": "RGB", "bits_stored": 8}

    def _rgb(self, y: int, rows: int) -> np.ndarray:
        """Level-0 rows [y, y + rows) as RGB, transparent (unscanned) areas white."""
        region = np.asarray(self._slide.read_region((0, y), 0, (self.width, rows)))
        if region[..., 3].min() == 255:
            return region[..., :3]
        rgb = region[..., :3].astype(np.uint16)
        alpha = region[..., 3:4].astype(np.uint16)
        # OpenSlide hands back un-premultiplied RGBA; composite over white.
        return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)

    def _png_chunks(self) -> Iterator[bytes]:
        """An RGB PNG of level 0, chunk by chunk, one strip of rows at a time."""
        yield PNG_SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0))
        deflate = zlib.compressobj(level=0)
        strip_rows = STRIP_ROWS if self.width * STRIP_ROWS <= STRIP_PIXELS else max(16, STRIP_PIXELS // self.width)
        filtered = np.zeros((strip_rows, self.width * 3 + 1), dtype=np.uint8)  # each row: filter type 0, then RGB
        starts = range(0, self.height, strip_rows)
        # OpenSlide decodes on one thread and releases the GIL: read the next strip while libvips takes this one.
        with ThreadPoolExecutor(max_workers=1) as reader:
            ahead = reader.submit(self._rgb, 0, min(strip_rows, self.height))
            for y in starts:
                rows = min(strip_rows, self.height - y)
                strip = ahead.result()
                if y + strip_rows < self.height:
                    ahead = reader.submit(self._rgb, y + strip_rows, min(strip_rows, self.height - y - strip_rows))
                filtered[:rows, 1:] = strip.reshape(rows, self.width * 3)
                del strip
                yield _chunk(b"IDAT", deflate.compress(filtered[:rows]))
        yield _chunk(b"IDAT", deflate.flush()) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class _Stream:
    """Serve an iterator of byte chunks through libvips' read callback."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = memoryview(b"")

    def read(self, size: int) -> bytes:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._pending = memoryview(chunk)
        piece, self._pending = self._pending[:size], self._pending[size:]
        return bytes(piece)
