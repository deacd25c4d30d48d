"""Render one frame of a stored image: a PNG for display or export, its raw values, or its tile pyramid.

A frame other than 0, and frame 0 of a small image, gets its pyramid on the first request for one of its
tiles (built whole, under a file lock so concurrent requests build it once) and keeps it: a viewer
scrolling through a volume pays for each slice once, and slices nobody looks at are never tiled.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotator.core.errors import RejectedFile
from annotator.core.storage import image_dir, store
from annotator.imaging.models import Image
from annotator.imaging.processing import FOLDER_EXTS, original_path
from annotator.imaging.sources import RawFrame, TileSource, open_source
from annotator.imaging.sources.base import ARRAY_FRAME_MAX_PIXELS
from annotator.imaging.tiles import container, pyramid

FRAME_MAX_PIXELS = ARRAY_FRAME_MAX_PIXELS  # whole frames (PNG or raw) are served up to this size; tiles beyond


def check_whole_frame(width: int, height: int) -> None:
    """Refuse to send a frame whole when it is slide-sized: the tiles are the way to read those."""
    if width * height > FRAME_MAX_PIXELS:
        raise RejectedFile(
            f"the frame is {width} × {height} pixels; whole frames are served up to {FRAME_MAX_PIXELS:,} pixels, "
            "read larger images through their tiles",
            code="frame_too_large",
        )


def _source(original: Path, stored: Mapping[str, Any] | None) -> TileSource:
    original = store().fetch(original)  # with an object store: into this process's scratch, once
    if original.suffix[1:] in FOLDER_EXTS and not original.exists():  # original.series → series/, original.wsi → wsi/
        original = store().fetch(original.parent / original.suffix[1:])
    return open_source(original, stored=stored)


def build_version(image: Image) -> str:
    """Which processing built the image's derivatives (its processing time), for caches of stored pyramids."""
    return image.processed_at.isoformat() if image.processed_at else ""


def frame_png(*, original: Path, kind: str, frame: int, stored: Mapping[str, Any] | None = None) -> bytes:
    """PNG bytes of one frame as it is displayed (8-bit, windowed), with no metadata."""
    with _source(original, stored) as source:
        check_whole_frame(source.width, source.height)
        image = pyramid.strip_metadata(source.frame_image(frame))
        return image.write_to_buffer(".png", compression=6, keep="none")


def frame_raw(image: Image, frame: int) -> RawFrame:
    """One frame's values for client-side window/level, with headers describing dtype, shape and scaling."""
    with _source(original_path(image), image.metadata) as source:
        check_whole_frame(source.width, source.height)
        return source.raw_frame(frame)


def frame_pyramid(image: Image, frame: int) -> container.Pyramid:
    """The tile pyramid of one frame; built on first use and kept, except frame 0 of a large image (ingest's)."""
    image_folder = image_dir(image.pk)
    version = build_version(image)
    folder, name = pyramid.frame_folder(image_folder, frame)
    if _known(folder, name, version) or (frame == 0 and pyramid.built_at_ingest(image.width, image.height)):
        return container.open_pyramid(folder, name, version=version)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / f".{name}.lock"):  # one build per machine; machines racing write the same tiles
        if not container.exists(folder, name):
            with _source(original_path(image), image.metadata) as source:
                pyramid.write_frame(source.frame_image(frame), image_folder, frame, tile_format=image.tile_format)
            if store().remote:  # stored now; tiles are read from the store, not from scratch
                for path in container.paths(folder, name):
                    store().release(path)
    _remember(folder, name, version)
    return container.open_pyramid(folder, name, version=version)


_KNOWN: set[tuple[str, str]] = set()  # pyramids this process has seen stored: no look-up per tile for them


def _known(folder: Path, name: str, version: str) -> bool:
    if (str(folder / name), version) in _KNOWN:
        return True
    found = container.exists(folder, name)
    if found:
        _remember(folder, name, version)
    return found


def _remember(folder: Path, name: str, version: str) -> None:
    if len(_KNOWN) > 100_000:  # bounded: forgetting costs one look-up per pyramid
        _KNOWN.clear()
    _KNOWN.add((str(folder / name), version))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
