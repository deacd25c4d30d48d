"""Tile sources: one reader per image format behind one interface (base.TileSource), picked by content.

Heavy readers (OpenSlide, nibabel, the DICOM stack) are imported only when a file needs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from annotator.imaging.models import ImageKind
from annotator.imaging.sniff import Sniffed, classify
from annotator.imaging.sources.base import RawFrame, TileSource

__all__ = ["RawFrame", "TileSource", "open_source", "source_for"]


def source_for(path: Path, sniffed: Sniffed, *, stored: Mapping[str, Any] | None = None) -> TileSource:
    """The reader for a file already sniffed."""
    if sniffed.kind == ImageKind.DICOM:
        from annotator.imaging.dicom import read as dicom_read
        from annotator.imaging.dicom.wsi import is_tiled_slide

        if is_tiled_slide(dicom_read.read_header(path)):  # a whole-slide level: its frames are tiles
            from annotator.imaging.sources.slide import OpenSlideSource

            return OpenSlideSource(path, stored=stored, vendor="dicom")
        from annotator.imaging.sources.dicom import DicomSource

        return DicomSource(path, stored=stored)
    if sniffed.format.startswith("nifti"):
        from annotator.imaging.sources.volume import VolumeSource

        return VolumeSource(path, stored=stored)
    from annotator.imaging.sources import slide

    if sniffed.kind == ImageKind.SLIDE and sniffed.vendor and sniffed.vendor not in slide.TIFF_READABLE:
        return slide.OpenSlideSource(path, stored=stored, vendor=sniffed.vendor)
    from annotator.imaging.sources.raster import RasterSource

    return RasterSource(path, stored=stored, format_name=sniffed.format, kind=sniffed.kind)


def open_source(path: Path, *, stored: Mapping[str, Any] | None = None) -> TileSource:
    """Open a stored original (a file, or a folder: DICOM slices, DICOM slide levels, a MIRAX slide)."""
    if path.is_dir():
        from annotator.imaging import mirax
        from annotator.imaging.dicom.wsi import WSI_DIR
        from annotator.imaging.sources.slide import OpenSlideSource

        if path.name == mirax.STORED_DIR:  # slide.mrxs beside its folder (imaging/mirax.py)
            return OpenSlideSource(path / mirax.SLIDE_FILE, stored=stored, vendor="mirax")
        if path.name == WSI_DIR:  # the levels of one DICOM whole-slide image: OpenSlide finds the others
            return OpenSlideSource(min(path.glob("*.dcm")), stored=stored, vendor="dicom")
        from annotator.imaging.sources.dicom import DicomSource

        return DicomSource(path, stored=stored)
    return source_for(path, classify(path), stored=stored)
