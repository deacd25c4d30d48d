"""The zip + index tile container: every tile is found by byte range and equals what dzsave wrote."""

from __future__ import annotations

import zipfile

import pytest

from annotator.imaging.tiles import container, pyramid
from tests.annotator.tiles.factories import vips_rgb


def test_every_tile_reads_back_as_written(tmp_path) -> None:
    written = container.write(vips_rgb(700, 500), tmp_path, "tiles", tile_format="jpeg")
    grid = written.grid
    with zipfile.ZipFile(written.zip_path) as archive:
        names = {n for n in archive.namelist() if n.endswith(".jpeg")}
        assert len(names) == grid.t_count()
        for name in names:
            level, tile = name.split("/")[-2:]
            col, row = tile.removesuffix(".jpeg").split("_")
            assert container.read_tile(written, int(level), int(col), int(row)) == archive.read(name)
    opened = container.open_pyramid(tmp_path, "tiles")
    assert (opened.grid, opened.tile_format) == (grid, "jpeg")
    assert container.read_tile(opened, grid.top, 99, 0) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiles.idx", "tiles.zip"]  # no scratch left


def test_png_tiles_and_removal(tmp_path) -> None:
    written = container.write(vips_rgb(90, 60).bandjoin(255), tmp_path, "3", tile_format="png")
    assert container.read_tile(written, written.grid.top, 0, 0).startswith(b"\x89PNG")
    container.remove(tmp_path, "3")
    assert not container.exists(tmp_path, "3")
    with pytest.raises(container.ContainerError):
        container.open_pyramid(tmp_path, "3")


def test_a_foreign_index_is_refused(tmp_path) -> None:
    (tmp_path / "x.idx").write_bytes(b"not an index at all")
    (tmp_path / "x.zip").write_bytes(b"")
    with pytest.raises(container.ContainerError):
        container.open_pyramid(tmp_path, "x")


@pytest.mark.parametrize(
    ("width", "height", "expected"), [(600, 400, (256, 171)), (300, 900, (85, 256)), (90, 60, (90, 60))]
)
def test_thumbnail_from_the_pyramid(tmp_path, width, height, expected) -> None:
    written = container.write(vips_rgb(width, height), tmp_path, "tiles", tile_format="jpeg")
    thumb = pyramid.thumbnail_from_pyramid(written)
    assert (thumb.width, thumb.height) == expected
    # the gradient survives: left edge dark, right edge bright in the red band
    assert thumb.crop(0, 0, 2, thumb.height).avg() < thumb.crop(thumb.width - 2, 0, 2, thumb.height).avg()
