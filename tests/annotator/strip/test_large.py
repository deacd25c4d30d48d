"""Large files are cleaned streaming: peak Python memory stays far below the file size, and it stays fast."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
import pyvips

from annotator.imaging.strip import strip_metadata

PEAK_LIMIT = 16 << 20


def _measure(src: Path, dst: Path, fmt: str) -> tuple[list[str], int, float]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        removed = strip_metadata(src, dst, fmt=fmt)
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return removed, peak, elapsed


def _differing_bytes(a: Path, b: Path) -> int:
    differing = 0
    with a.open("rb") as left, b.open("rb") as right:
        while block := left.read(8 << 20):
            other = right.read(len(block))
            differing += sum(x != y for x, y in zip(block, other, strict=True)) if block != other else 0
    return differing


def _noise(width: int, height: int) -> pyvips.Image:
    return pyvips.Image.gaussnoise(width, height, mean=128, sigma=60).cast("uchar").bandjoin([128, 64])


def _pattern(width: int, height: int) -> pyvips.Image:
    xy = pyvips.Image.xyz(width, height)
    return (xy[0] * 3 + xy[1] * 7).cast("uchar").bandjoin([xy[0].cast("uchar"), xy[1].cast("uchar")])


def test_200_mb_pyramidal_tiff_in_bounded_memory(tmp_path: Path) -> None:
    src, dst = tmp_path / "big.tif", tmp_path / "clean.tif"
    image = _pattern(8192, 8192).copy(interpretation="srgb")
    image.set_type(pyvips.GValue.gstr_type, "image-description", "PatientName=Doe^Jane")
    image.tiffsave(str(src), tile=True, pyramid=True, bigtiff=True, tile_width=256, tile_height=256)
    size = src.stat().st_size
    assert size > 200 << 20
    removed, peak, elapsed = _measure(src, dst, "tif")
    print(f"200 MB TIFF: {elapsed:.2f} s, peak {peak} bytes")
    assert removed == [f"TIFF ImageDescription (IFD 0 and {removed[0].split(' and ')[1]}"]
    assert peak < PEAK_LIMIT, f"peak {peak} bytes"
    assert elapsed < 10
    assert dst.stat().st_size == size
    assert 0 < _differing_bytes(src, dst) < 200  # only the description bytes changed
    with dst.open("rb") as handle:
        assert b"Doe^Jane" not in handle.read(1 << 20)


@pytest.mark.parametrize("fmt", ["png", "jpg"])
def test_large_png_and_jpeg_in_bounded_memory(tmp_path: Path, fmt: str) -> None:
    src, dst = tmp_path / f"big.{fmt}", tmp_path / f"clean.{fmt}"
    image = _noise(3072, 3072)
    if fmt == "png":
        image.pngsave(str(src), compression=1)
    else:
        image.jpegsave(str(src), Q=98)
    assert src.stat().st_size > 15 << 20
    removed, peak, elapsed = _measure(src, dst, fmt)
    assert peak < PEAK_LIMIT, f"peak {peak} bytes"
    assert elapsed < 10
    assert src.stat().st_size - dst.stat().st_size < 4096
    before, after = pyvips.Image.new_from_file(str(src)), pyvips.Image.new_from_file(str(dst), fail_on="warning")
    assert (before - after).abs().max() == 0
    assert removed == [{"png": "PNG eXIf", "jpg": "JPEG APP1 Exif"}[fmt]]  # libvips writes a basic EXIF block
