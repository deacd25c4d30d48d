"""PNG, JPEG and TIFF (tiled, pyramidal, BigTIFF, OME-TIFF) through libvips, streaming."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyvips

from annotator.imaging.models import ImageKind
from annotator.imaging.sources import display
from annotator.imaging.sources.base import RawFrame, TileSource, check_array_frame, describe, window_headers

MAX_PAGES = 10_000
SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})  # EXIF orientations that turn the image on its side


class RasterSource(TileSource):
    """A raster file libvips reads. Frames are the leading pages that share page 0's size (a multi-page or
    OME-TIFF stack); pages of other sizes (pyramid levels, thumbnails) are not frames."""

    kind = ImageKind.RASTER

    def __init__(
        self, path: Path, *, stored: Mapping[str, Any] | None = None, format_name: str = "raster", kind: str = ""
    ) -> None:
        super().__init__(path, stored=stored)
        self.format_name = format_name
        if kind:
            self.kind = kind
        head = self._open(0)
        self.width, self.height = head.width, head.height
        if _orientation(head) in SWAPPING_ORIENTATIONS:
            self.width, self.height = self.height, self.width
        self.frames = self._count_frames(head)
        self.tile_format = "png" if head.hasalpha() else "jpeg"
        self._windows: dict[int, display.Window] = {}

    def _open(self, page: int, *, access: str = "sequential") -> pyvips.Image:
        return open_file(self.path, access=access, page=page)

    def _count_frames(self, head: pyvips.Image) -> int:
        pages = head.get("n-pages") if head.get_typeof("n-pages") else 1
        frames = 1
        for page in range(1, min(pages, MAX_PAGES)):
            other = self._open(page)
            if (other.width, other.height, other.bands, other.format) != (
                head.width,
                head.height,
                head.bands,
                head.format,
            ):
                break
            frames += 1
        return frames

    def _oriented(self, page: int, *, access: str = "sequential") -> pyvips.Image:
        image = self._open(page, access=access)
        return image.autorot() if _orientation(image) > 1 else image

    def window(self, frame: int) -> display.Window | None:
        """The display window of a deep frame: its data range (one extra pass), None for 8-bit and rgb16."""
        if not display.needs_window(self._open(frame)):
            return None
        if frame not in self._windows:
            self._windows[frame] = display.data_window(self._open(frame))
        return self._windows[frame]

    def frame_image(self, frame: int) -> pyvips.Image:
        self.check_frame(frame)
        return display.to_display(self._oriented(frame), self.window(frame))

    def raw_frame(self, frame: int) -> RawFrame:
        self.check_frame(frame)
        check_array_frame(self.width, self.height)
        image = display.shape_bands(self._oriented(frame, access="random"))
        array = image.numpy()
        photometric = {1: "MONOCHROME2", 2: "MONOCHROME2", 3: "RGB", 4: "RGBA"}.get(image.bands, "RGB")
        headers = describe(array, photometric)
        window = self.window(frame)
        if window is not None:
            headers |= window_headers(*window)
        return RawFrame(array, headers)

    def analyse(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"format": self.format_name}
        window = self.window(0)
        if window is not None:
            facts |= {"window_center": (window[0] + window[1]) / 2, "window_width": window[1] - window[0]}
        head = self._open(0)
        facts["bits_stored"] = {"uchar": 8, "char": 8, "ushort": 16, "short": 16}.get(head.format)
        facts["photometric"] = "RGB" if display.colour_bands(display.shape_bands(head)).bands == 3 else "MONOCHROME2"
        if self.kind == ImageKind.SLIDE:
            from annotator.imaging.sources.slide import slide_facts

            facts |= slide_facts(self.path)
        return facts


def open_file(path: Path, *, access: str = "sequential", page: int = 0) -> pyvips.Image:
    """Open a file with libvips, never from its operation cache: a path can hold another file than last time
    (an image re-uploaded under a reused id, a re-processed original)."""
    options: dict[str, Any] = {"access": access, "fail_on": "error", "revalidate": True}
    if page:
        options["page"] = page
    return pyvips.Image.new_from_file(str(path), **options)


def _orientation(image: pyvips.Image) -> int:
    return int(image.get("orientation")) if image.get_typeof("orientation") else 1


def is_pyramidal(path: Path) -> bool:
    """True for a TIFF holding reduced-resolution copies: SubIFDs, or a second page about half the first."""
    head = open_file(path)
    if head.get_typeof("n-subifds") and head.get("n-subifds") > 0:
        return True
    if not head.get_typeof("n-pages") or head.get("n-pages") < 2:
        return False
    second = open_file(path, page=1)
    return abs(second.width * 2 - head.width) <= 2 and abs(second.height * 2 - head.height) <= 2


def dimensions(path: Path) -> tuple[int, int]:
    """Width and height of page 0 (header only)."""
    head = open_file(path)
    return head.width, head.height


def is_ome(path: Path) -> bool:
    """True for an OME-TIFF (its first ImageDescription is OME-XML); the description itself is never kept."""
    head = open_file(path)
    if not head.get_typeof("image-description"):
        return False
    description = str(head.get("image-description"))[:4096]
    return "<OME" in description and "openmicroscopy.org" in description
