"""NIfTI-1/2 volumes (.nii, .nii.gz) through nibabel (imported lazily): frames along the third voxel axis.

Pixel (x, y) of frame k is voxel (i=x, j=y, k): no reorientation, so annotations map back to voxels
exactly (the affine is kept in the metadata for exporters). 4-D files show their first volume.
A gzip-compressed volume cannot be read at a random slice without inflating everything before it
(0.5–0.9 s for a 512 × 512 × 300 CT), so processing inflates the voxels once into `volume.npy`
beside the original — the voxel array only, none of the header's text or extensions.
"""

from __future__ import annotations

import gzip
import math
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyvips

from annotator.core.errors import RejectedFile
from annotator.imaging.models import ImageKind
from annotator.imaging.sources import display
from annotator.imaging.sources.base import RawFrame, TileSource, check_array_frame, describe, window_headers
from annotator.imaging.tiles.pyramid import from_array

WORKING_COPY = "volume.npy"
SLAB_BYTES = 64 * 1024 * 1024
COPY_CHUNK = 8 * 1024 * 1024
LENGTH_UNITS_MM = {"mm": 1.0, "meter": 1000.0, "micron": 0.001}


class VolumeSource(TileSource):
    """A NIfTI volume; tiles are PNG (lossless, like DICOM)."""

    kind = ImageKind.RASTER
    tile_format = "png"

    def __init__(self, path: Path, *, stored: Mapping[str, Any] | None = None) -> None:
        super().__init__(path, stored=stored)
        import nibabel

        try:
            self._nifti = nibabel.load(str(path))
        except Exception as exc:  # nibabel raises many types for a broken header
            raise RejectedFile(f"not a readable NIfTI volume ({exc})", code="invalid_nifti") from exc
        header = self._nifti.header
        shape = tuple(int(n) for n in self._nifti.shape)
        if len(shape) < 2 or min(shape) < 1:
            raise RejectedFile(
                f"a NIfTI volume needs at least two dimensions; this one is {shape}", code="invalid_nifti"
            )
        self.shape = shape
        self.width, self.height = shape[0], shape[1]
        self.frames = shape[2] if len(shape) >= 3 else 1
        self.dtype = np.dtype(self._nifti.get_data_dtype())
        if self.dtype.kind == "c":
            raise RejectedFile("complex-valued NIfTI volumes cannot be displayed", code="unsupported_pixels")
        self.slope, self.inter = _scaling(self._nifti)
        self.format_name = "nifti2" if header.sizeof_hdr == 540 else "nifti1"
        self._voxels: np.ndarray | None = None
        working = path.parent / WORKING_COPY
        if path.name.endswith(".gz") and working.is_file():
            self._voxels = np.load(working, mmap_mode="r")

    def check_size(self, max_pixels: int) -> None:
        super().check_size(max_pixels)
        check_array_frame(self.width, self.height)
        voxels = math.prod(self.shape[:3])
        if voxels > max_pixels:
            raise RejectedFile(
                f"the volume is {' × '.join(map(str, self.shape[:3]))} voxels ({voxels:,}), above the limit of "
                f"{max_pixels:,}",
                code="image_too_large",
            )

    def _slab(self, start: int, stop: int) -> np.ndarray:
        """Real values (scaling applied) of frames [start, stop) as an (i, j, k) array; first volume of 4-D data."""
        index: tuple[Any, ...] = (slice(None), slice(None))
        if len(self.shape) >= 3:
            index += (slice(start, stop),) + (0,) * (len(self.shape) - 3)
        if self._voxels is not None:
            stored = np.asarray(self._voxels[index])
            values = stored if (self.slope, self.inter) == (1.0, 0.0) else stored * self.slope + self.inter
        else:
            values = np.asanyarray(self._nifti.dataobj[index])
        if values.ndim == 2:
            values = values[:, :, np.newaxis]
        return _rgb_planes(values) if values.dtype.fields else values

    def _frame_values(self, frame: int) -> np.ndarray:
        """One frame as (rows=j, columns=i[, rgb])."""
        self.check_frame(frame)
        values = self._slab(frame, frame + 1)[:, :, 0]
        return np.ascontiguousarray(np.swapaxes(values, 0, 1))

    def window(self) -> display.Window:
        """The stored window, else cal_min/cal_max, else the data range of the whole volume (one pass)."""
        center, width = self.stored.get("window_center"), self.stored.get("window_width")
        if center is not None and width is not None:
            return float(center) - float(width) / 2, float(center) + float(width) / 2
        header = self._nifti.header
        cal_min, cal_max = float(header["cal_min"]), float(header["cal_max"])
        if math.isfinite(cal_min) and math.isfinite(cal_max) and cal_max > cal_min:
            return cal_min, cal_max
        return self._data_range()

    def _data_range(self) -> display.Window:
        low, high = math.inf, -math.inf
        frame_bytes = self.width * self.height * max(self.dtype.itemsize, 8)
        step = max(1, SLAB_BYTES // frame_bytes)
        for start in range(0, self.frames, step):
            slab = self._slab(start, min(start + step, self.frames))
            finite = slab[np.isfinite(slab)] if slab.dtype.kind == "f" else slab
            if finite.size:
                low, high = min(low, float(finite.min())), max(high, float(finite.max()))
        return (low, high) if low <= high else (0.0, 1.0)

    def frame_image(self, frame: int) -> pyvips.Image:
        return from_array(self.frame_array(frame))

    def frame_array(self, frame: int) -> np.ndarray:
        values = self._frame_values(frame)
        if values.ndim == 3:  # RGB24 volumes are already 8-bit colour
            return values.astype(np.uint8)
        return display.window_array(values, self.window())

    def raw_frame(self, frame: int) -> RawFrame:
        values = self._frame_values(frame)
        if values.ndim == 3:
            array = values.astype(np.uint8)
            return RawFrame(array, describe(array, "RGB") | _axes())
        array = _real_dtype(values, scaled=(self.slope, self.inter) != (1.0, 0.0))
        headers = describe(array, "MONOCHROME2") | window_headers(*self.window()) | _axes()
        headers |= {"X-Rescale-Slope": f"{self.slope:g}", "X-Rescale-Intercept": f"{self.inter:g}"}
        return RawFrame(array, headers)

    def analyse(self) -> dict[str, Any]:
        """Inflate a gzip volume into the working copy, then the window, spacing and affine."""
        if self.path.name.endswith(".gz"):
            self._voxels = self._inflate(self.path.parent / WORKING_COPY)
        low, high = self.window()
        header = self._nifti.header
        unit = LENGTH_UNITS_MM.get(header.get_xyzt_units()[0], 1.0)
        zooms = [float(z) * unit for z in header.get_zooms()[:3]]
        facts: dict[str, Any] = {
            "format": self.format_name,
            "window_center": (low + high) / 2,
            "window_width": high - low,
            "pixel_spacing": [zooms[1], zooms[0]],  # (row spacing = j, column spacing = i), as DICOM orders it
            "slice_thickness": zooms[2] if len(zooms) > 2 else None,
            "bits_stored": self.dtype.itemsize * 8 if not self.dtype.fields else 8,
            "photometric": "RGB" if self.dtype.fields else "MONOCHROME2",
            "affine": [[round(float(v), 6) for v in row] for row in self._nifti.affine],
            "voxel_axes": "x=i,y=j,frame=k",
        }
        if len(self.shape) > 3:
            facts["volumes"] = math.prod(self.shape[3:])
        return facts

    def _inflate(self, target: Path) -> np.ndarray:
        """Copy the voxel bytes out of the gzip stream into an .npy file (Fortran order, as NIfTI stores them)."""
        offset = int(self._nifti.dataobj.offset)
        shape = self.shape
        partial = target.with_suffix(".partial.npy")
        array = np.lib.format.open_memmap(partial, mode="w+", dtype=self.dtype, shape=shape, fortran_order=True)
        data_start, size = array.offset, array.nbytes
        del array
        try:
            with gzip.open(self.path, "rb") as source, partial.open("r+b") as out:
                source.seek(offset)
                out.seek(data_start)
                remaining = size
                while remaining:
                    chunk = source.read(min(COPY_CHUNK, remaining))
                    if not chunk:
                        raise RejectedFile("the NIfTI data is shorter than its header says", code="truncated_nifti")
                    out.write(chunk)
                    remaining -= len(chunk)
        except (OSError, EOFError, zlib.error) as exc:
            partial.unlink(missing_ok=True)
            raise RejectedFile(f"the NIfTI volume cannot be decompressed ({exc})", code="truncated_nifti") from exc
        except RejectedFile:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(target)
        return np.load(target, mmap_mode="r")


def _scaling(nifti: Any) -> tuple[float, float]:
    """scl_slope and scl_inter as nibabel reads them (no scaling when the slope is 0 or NaN)."""
    slope, inter = nifti.dataobj.slope, nifti.dataobj.inter
    slope = 1.0 if slope is None or not math.isfinite(slope) or slope == 0 else float(slope)
    inter = 0.0 if inter is None or not math.isfinite(inter) else float(inter)
    return slope, inter


def _rgb_planes(values: np.ndarray) -> np.ndarray:
    """RGB24 records to a trailing axis of three uint8 samples."""
    return np.stack([values[name] for name in values.dtype.names[:3]], axis=-1)


def _real_dtype(values: np.ndarray, *, scaled: bool) -> np.ndarray:
    """The values in the stored dtype when unscaled; else the smallest of int16/int32 that holds them, or float32."""
    if not scaled:
        return np.ascontiguousarray(values)
    if values.size and np.all(np.isfinite(values)) and np.array_equal(values, np.rint(values)):
        for dtype in (np.int16, np.int32):
            info = np.iinfo(dtype)
            if info.min <= values.min() and values.max() <= info.max:
                return values.astype(dtype)
    return values.astype(np.float32)


def _axes() -> dict[str, str]:
    return {"X-Frame-Axes": "x=i,y=j,frame=k"}
