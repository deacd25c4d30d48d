"""Pure Deep Zoom geometry: levels, tile grids and tile boxes, and the .dzi descriptor.

Coordinate spaces are named by prefix so they cannot be mixed up: `l0_` is level-0 (full
resolution) pixels, `z_` is pixels of one Deep Zoom level, `t_` is tile columns and rows.
Level `top` is full resolution; each level below halves the one above, rounding up, down
to a 1 × 1 level 0 — the layout libvips' dzsave writes and OpenSeadragon reads.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

DZI_NAMESPACE = "http://schemas.microsoft.com/deepzoom/2008"


@dataclass(frozen=True)
class DeepZoom:
    """The Deep Zoom grid of one image (or of one frame: every frame of an image has the same grid)."""

    l0_width: int
    l0_height: int
    tile_size: int = 254
    overlap: int = 1

    def __post_init__(self) -> None:
        if self.l0_width < 1 or self.l0_height < 1 or self.tile_size < 1 or self.overlap < 0:
            raise ValueError(f"not a Deep Zoom grid: {self}")

    @property
    def top(self) -> int:
        """The full-resolution level's number (levels run 0..top)."""
        return math.ceil(math.log2(max(self.l0_width, self.l0_height)))

    @property
    def levels(self) -> int:
        return self.top + 1

    def z_size(self, level: int) -> tuple[int, int]:
        """Width and height of a level in its own pixels."""
        self._check_level(level)
        scale = 2 ** (self.top - level)
        return -(-self.l0_width // scale), -(-self.l0_height // scale)

    def t_grid(self, level: int) -> tuple[int, int]:
        """Columns and rows of tiles at a level."""
        z_width, z_height = self.z_size(level)
        return -(-z_width // self.tile_size), -(-z_height // self.tile_size)

    @functools.cached_property
    def _t_grids(self) -> tuple[tuple[int, int], ...]:
        return tuple(self.t_grid(level) for level in range(self.levels))

    @functools.cached_property
    def _t_offsets(self) -> tuple[int, ...]:
        """Number of tiles in all levels below each level (tiles are numbered level by level, row-major)."""
        return tuple(itertools.accumulate((cols * rows for cols, rows in self._t_grids), initial=0))

    def t_count(self) -> int:
        """Number of tiles over all levels."""
        return self._t_offsets[-1]

    def t_index(self, level: int, t_col: int, t_row: int) -> int | None:
        """The running number of a tile, or None when the level or tile does not exist."""
        if not 0 <= level <= self.top:
            return None
        cols, rows = self._t_grids[level]
        if not (0 <= t_col < cols and 0 <= t_row < rows):
            return None
        return self._t_offsets[level] + t_row * cols + t_col

    def z_tile_box(self, level: int, t_col: int, t_row: int) -> tuple[int, int, int, int]:
        """(z_x, z_y, z_width, z_height) a tile covers, overlap included."""
        z_width, z_height = self.z_size(level)
        z_x = max(t_col * self.tile_size - self.overlap, 0)
        z_y = max(t_row * self.tile_size - self.overlap, 0)
        z_right = min((t_col + 1) * self.tile_size + self.overlap, z_width)
        z_bottom = min((t_row + 1) * self.tile_size + self.overlap, z_height)
        return z_x, z_y, z_right - z_x, z_bottom - z_y

    def level_at_least(self, z_longest: int) -> int:
        """The lowest level whose longer side is at least `z_longest` pixels (the top level when none is)."""
        for level in range(self.levels):
            if max(self.z_size(level)) >= z_longest:
                return level
        return self.top

    def _check_level(self, level: int) -> None:
        if not 0 <= level <= self.top:
            raise ValueError(f"level {level} is outside 0..{self.top}")


def dzi_xml(grid: DeepZoom, tile_format: str) -> bytes:
    """The .dzi descriptor of a grid whose tiles are `tile_format` (jpeg or png)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Image xmlns="{DZI_NAMESPACE}" Format={quoteattr(tile_format)} '
        f'Overlap="{grid.overlap}" TileSize="{grid.tile_size}">'
        f'<Size Width="{grid.l0_width}" Height="{grid.l0_height}"/></Image>\n'
    ).encode()
