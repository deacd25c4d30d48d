"""Strip identifying metadata from PNG, JPEG and TIFF originals at the byte level, streaming, in bounded memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from annotator.imaging.strip.base import MalformedImage
from annotator.imaging.strip.jpeg import strip_jpeg
from annotator.imaging.strip.png import strip_png
from annotator.imaging.strip.tiff import strip_tiff

__all__ = ["FORMATS", "MalformedImage", "strip_metadata"]

_STRIPPERS: dict[str, Callable[[Path, Path], list[str]]] = {"png": strip_png, "jpg": strip_jpeg, "tif": strip_tiff}
FORMATS = frozenset(_STRIPPERS)


def strip_metadata(src: Path, dst: Path, *, fmt: str) -> list[str]:
    """Write a copy of src to dst without identifying metadata; return human-readable names of what was removed."""
    stripper = _STRIPPERS.get(fmt)
    if stripper is None:
        raise ValueError(f"Unsupported format {fmt!r}: expected one of {', '.join(sorted(FORMATS))}.")
    src, dst = Path(src), Path(dst)
    if dst.exists() and dst.resolve() == src.resolve():
        raise ValueError("The source and destination must be different files.")
    try:
        return stripper(src, dst)
    except BaseException:
        dst.unlink(missing_ok=True)  # never leave a half-cleaned copy behind
        raise
