"""Damaged files of every format either clean or raise MalformedImage, quickly; nothing else escapes."""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from annotator.imaging.strip import MalformedImage, strip_metadata
from tests.annotator.strip.builders import ASCII, LONG, UNDEFINED, TiffBuilder


def _png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("PatientName", "Doe^Jane")
    buffer = io.BytesIO()
    Image.new("RGB", (12, 9), (10, 200, 30)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image = Image.fromarray(np.random.default_rng(1).integers(0, 256, (16, 24, 3), dtype=np.uint8))
    image.save(buffer, "JPEG", progressive=True, exif=exif, comment=b"Doe", restart_marker_rows=1)
    return buffer.getvalue()


def _tiff(big: bool) -> bytes:
    builder = TiffBuilder(big=big, order=">" if big else "<")
    pixels = np.random.default_rng(2).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    first = builder.image_tags(pixels, rows_per_strip=2)
    first.update({270: (ASCII, "Aperio Image Library|MPP = 0.5|User = jdoe"), 315: (ASCII, "jdoe")})
    first[34665] = (LONG, {0x9286: (UNDEFINED, b"ASCII\0\0\0Doe"), 0x9003: (ASCII, "2020:01:02")})
    second = builder.image_tags(pixels[:3, :4, 0])
    second[270] = (ASCII, "label 4x3")
    return builder.build([first, second])


SAMPLES = {"png": _png(), "jpg": _jpeg(), "tif": _tiff(False), "tif-big": _tiff(True)}


@st.composite
def damaged(draw: st.DrawFn, sample: bytes) -> bytes:
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["byte", "word", "cut", "zero"]))
        if action == "byte":
            data[position] = draw(st.integers(0, 255))
        elif action == "word":
            data[position : position + 4] = draw(st.binary(min_size=4, max_size=4))
        elif action == "cut":
            del data[position:]
            if not data:
                data = bytearray(sample[:1])
        else:
            data[position : position + 8] = bytes(min(8, len(data) - position))
    return bytes(data)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_damaged_files_never_escape_as_other_errors(name: str) -> None:
    fmt = name.split("-")[0]

    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    @given(damaged(SAMPLES[name]))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            src, dst = Path(folder) / "in", Path(folder) / "out"
            src.write_bytes(data)
            started = time.monotonic()
            try:
                strip_metadata(src, dst, fmt=fmt)
            except MalformedImage:
                assert not dst.exists()
            assert time.monotonic() - started < 1

    check()
