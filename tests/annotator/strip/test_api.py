"""The public entry point: format dispatch, argument checks and no half-written output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from annotator.imaging.strip import FORMATS, MalformedImage, strip_metadata


def test_formats_and_error_type() -> None:
    assert {"png", "jpg", "tif"} == FORMATS
    assert issubclass(MalformedImage, ValueError)


def test_unknown_format_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Unsupported format 'gif'"):
        strip_metadata(tmp_path / "a", tmp_path / "b", fmt="gif")


def test_source_and_destination_must_differ(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    Image.new("L", (2, 2)).save(path)
    with pytest.raises(ValueError, match="different files"):
        strip_metadata(path, path, fmt="png")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_wrong_content_for_the_format_is_malformed_and_leaves_nothing(tmp_path: Path, fmt: str) -> None:
    buffer = io.BytesIO()
    Image.new("L", (2, 2)).save(buffer, "GIF")
    src, dst = tmp_path / "in", tmp_path / "out"
    src.write_bytes(buffer.getvalue())
    dst.write_bytes(b"stale")
    with pytest.raises(MalformedImage):
        strip_metadata(src, dst, fmt=fmt)
    assert not dst.exists()


def test_clean_file_reports_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.png"
    Image.new("RGB", (3, 3), (1, 2, 3)).save(src)
    assert strip_metadata(src, tmp_path / "out.png", fmt="png") == []
    assert (tmp_path / "out.png").read_bytes() == src.read_bytes()
