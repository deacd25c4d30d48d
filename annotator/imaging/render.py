"""Render one frame of a stored image to PNG bytes for display or export."""

from __future__ import annotations

from pathlib import Path

from annotator.imaging.dicom import read as dicom_read
from annotator.imaging.tiles import pyramid


def frame_png(*, original: Path, kind: str, frame: int) -> bytes:
    """PNG bytes of one frame: DICOM windowed to 8 bits, rasters as they are."""
    if kind == "dicom":
        vimage = pyramid.from_array(dicom_read.display_frame(dicom_read.read_dataset(original), frame))
    else:
        vimage = pyramid.open_raster(original)
    return vimage.write_to_buffer(".png")
