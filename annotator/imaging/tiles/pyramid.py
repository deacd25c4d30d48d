"""Write a Deep Zoom pyramid and a thumbnail from a libvips image."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyvips

TILE_SIZE = 254
OVERLAP = 1
THUMBNAIL_SIZE = 256
DZI_BASENAME = "tiles"


def from_array(pixels: np.ndarray) -> pyvips.Image:
    """A libvips image over an 8-bit numpy array (H×W or H×W×C)."""
    return pyvips.Image.new_from_array(np.ascontiguousarray(pixels))


def open_raster(path: Path) -> pyvips.Image:
    """Open a raster file for streaming reads, normalised to 8-bit sRGB (keeping alpha)."""
    image = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="error")
    image = image.autorot() if image.get_typeof("orientation") else image
    if image.format == "ushort":  # 16-bit PNG/TIFF: keep the high byte for display
        image = (image >> 8).cast("uchar").copy(interpretation="b-w" if image.bands <= 2 else "srgb")
    elif image.format != "uchar":
        image = image.cast("uchar")
    if image.interpretation not in ("srgb", "b-w"):
        image = image.colourspace("srgb")
    return image


def write_pyramid(image: pyvips.Image, out_dir: Path, *, tile_format: str) -> Path:
    """Write `<out_dir>/tiles.dzi` and `tiles_files/<level>/<col>_<row>.<fmt>`; return the .dzi path."""
    suffix = ".jpeg[Q=90]" if tile_format == "jpeg" else ".png[compression=6]"
    if tile_format == "jpeg" and image.hasalpha():
        image = image.flatten(background=[255])
    image.dzsave(str(out_dir / DZI_BASENAME), suffix=suffix, tile_size=TILE_SIZE, overlap=OVERLAP, layout="dz")
    return out_dir / f"{DZI_BASENAME}.dzi"


def write_thumbnail(image: pyvips.Image, path: Path) -> None:
    """Write a thumbnail whose longest side is at most THUMBNAIL_SIZE."""
    scale = min(1.0, THUMBNAIL_SIZE / max(image.width, image.height))
    thumb = image.resize(scale) if scale < 1.0 else image
    if path.suffix == ".jpg" and thumb.hasalpha():
        thumb = thumb.flatten(background=[255])
    thumb.write_to_file(str(path))


def tile_path(out_dir: Path, *, level: int, col: int, row: int, tile_format: str) -> Path:
    """Where one tile lives (all parts are integers, so no user text reaches the path)."""
    return out_dir / f"{DZI_BASENAME}_files" / str(int(level)) / f"{int(col)}_{int(row)}.{tile_format}"
