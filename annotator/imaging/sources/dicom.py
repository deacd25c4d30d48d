"""DICOM files and stacked series through the dicom module (the only place that imports pydicom)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyvips

from annotator.core.errors import RejectedFile
from annotator.imaging.dicom import read as dicom_read
from annotator.imaging.models import ImageKind
from annotator.imaging.sources.base import RawFrame, TileSource, check_array_frame
from annotator.imaging.tiles.pyramid import from_array


class DicomSource(TileSource):
    """One DICOM file (frames of a multi-frame file in their own order) or a series folder written by ingest,
    whose file n is frame n. Tiles are PNG: windowed 8-bit grey or colour, lossless."""

    kind = ImageKind.DICOM
    format_name = "dicom"
    tile_format = "png"

    def __init__(self, path: Path, *, stored: Mapping[str, Any] | None = None) -> None:
        super().__init__(path, stored=stored)
        self._files = sorted(path.glob("*.dcm")) if path.is_dir() else [path]
        if not self._files:
            raise FileNotFoundError(f"no DICOM files in {path}")
        self._cache: tuple[int, Any] | None = None
        first = self._dataset(0)
        self.frames = len(self._files) if path.is_dir() else dicom_read.frame_count(first)
        self.width, self.height = int(first.Columns), int(first.Rows)

    def _dataset(self, file_number: int) -> Any:
        """The dataset of one file; the last one read is kept (a multi-frame file is parsed once)."""
        if self._cache is None or self._cache[0] != file_number:
            self._cache = (file_number, dicom_read.read_dataset(self._files[file_number]))
        return self._cache[1]

    def _locate(self, frame: int) -> tuple[Any, int]:
        self.check_frame(frame)
        if len(self._files) > 1:
            return self._dataset(frame), 0
        return self._dataset(0), frame

    def check_size(self, max_pixels: int) -> None:
        super().check_size(max_pixels)
        check_array_frame(self.width, self.height)

    def frame_image(self, frame: int) -> pyvips.Image:
        return from_array(self.frame_array(frame))

    def frame_array(self, frame: int) -> np.ndarray:
        dataset, number = self._locate(frame)
        return dicom_read.display_frame(dataset, number)

    def verify(self) -> None:
        """Decode every frame of a multi-frame file or series once, so a corrupt slice fails processing now
        (naming it) rather than a clinician's scroll later; a single frame is decoded for its thumbnail anyway."""
        if self.frames == 1:
            return
        for frame in range(self.frames):
            dataset, number = self._locate(frame)
            try:
                dicom_read.decode_frame(dataset, number)
            except RejectedFile as exc:
                where = f"{'slice' if len(self._files) > 1 else 'frame'} {frame + 1} of {self.frames}"
                raise RejectedFile(f"{where}: {exc.detail}", code=exc.code) from exc

    def raw_frame(self, frame: int) -> RawFrame:
        dataset, number = self._locate(frame)
        array, headers = dicom_read.raw_frame_with_headers(dataset, number)
        return RawFrame(array, headers)

    def analyse(self) -> dict[str, Any]:
        return {"format": "dicom-series" if len(self._files) > 1 else "dicom"}
