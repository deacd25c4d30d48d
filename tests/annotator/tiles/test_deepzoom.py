"""Deep Zoom geometry agrees with what libvips' dzsave writes, level by level and tile by tile."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
import zipfile

import pytest
import pyvips

from annotator.imaging.tiles.deepzoom import DZI_NAMESPACE, DeepZoom, dzi_xml


@pytest.mark.parametrize(("width", "height"), [(1, 1), (254, 254), (255, 100), (600, 400), (513, 1025), (1000, 3)])
def test_grid_matches_dzsave(tmp_path, width, height) -> None:
    grid = DeepZoom(width, height)
    image = pyvips.Image.black(width, height, bands=3).copy(interpretation="srgb")
    image.dzsave(str(tmp_path / "p.zip"), suffix=".png", tile_size=254, overlap=1)
    written: dict[tuple[int, int, int], tuple[int, int]] = {}
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        for name in archive.namelist():
            if name.endswith(".png"):
                level, tile = name.split("/")[-2:]
                col, row = tile.removesuffix(".png").split("_")
                size = pyvips.Image.new_from_buffer(archive.read(name), "")
                written[(int(level), int(col), int(row))] = (size.width, size.height)
    assert grid.top == math.ceil(math.log2(max(width, height)))
    assert len(written) == grid.t_count()
    for (level, col, row), size in written.items():
        assert grid.t_index(level, col, row) is not None
        assert grid.z_tile_box(level, col, row)[2:] == size
    assert grid.z_size(grid.top) == (width, height) and grid.z_size(0) == (1, 1)


def test_tile_numbers_are_dense_and_unique() -> None:
    grid = DeepZoom(1000, 700)
    numbers = [
        grid.t_index(level, col, row)
        for level in range(grid.levels)
        for row in range(grid.t_grid(level)[1])
        for col in range(grid.t_grid(level)[0])
    ]
    assert numbers == list(range(grid.t_count()))


def test_outside_the_grid_is_none() -> None:
    grid = DeepZoom(600, 400)
    assert grid.t_index(grid.top + 1, 0, 0) is None
    assert grid.t_index(grid.top, 3, 0) is None
    assert grid.t_index(-1, 0, 0) is None
    with pytest.raises(ValueError):
        DeepZoom(0, 10)


def test_level_for_a_thumbnail() -> None:
    grid = DeepZoom(600, 400)
    assert grid.z_size(grid.level_at_least(256)) == (300, 200)
    assert DeepZoom(100, 80).level_at_least(256) == DeepZoom(100, 80).top


def test_descriptor() -> None:
    root = ET.fromstring(dzi_xml(DeepZoom(600, 400), "jpeg"))
    assert root.tag == f"{{{DZI_NAMESPACE}}}Image"
    assert (root.get("Format"), root.get("TileSize"), root.get("Overlap")) == ("jpeg", "254", "1")
    size = root.find(f"{{{DZI_NAMESPACE}}}Size")
    assert (size.get("Width"), size.get("Height")) == ("600", "400")
