"""Determinism of the pieces: a format run twice on the same snapshot writes the same bytes."""

from __future__ import annotations

import io
import zipfile

import numpy as np

from annotator.annotations import rle
from annotator.exports.package import ZipOutput

from .builders import BRUSH, LESION, ann, project, run
from .dicom_files import series_snap, write_series


def test_dicom_seg_bytes_repeat(tmp_path) -> None:
    write_series(tmp_path / "7", 3)
    crop = np.array([[1, 1, 0], [0, 1, 1]], dtype=np.uint8)
    shapes = [
        ann(LESION, {"x": 3, "y": 5, "w": 4, "h": 2}, frame=2),
        ann(BRUSH, {"x": 10, "y": 4, "w": 3, "h": 2, "rle": rle.encode(crop)}, frame=1),
    ]
    snap = project(series_snap(tmp_path / "7", 3, *shapes))
    first, _ = run("dicom_seg", snap)
    second, _ = run("dicom_seg", snap)
    assert first.files == second.files


def test_zip_bytes_depend_on_members_only(tmp_path) -> None:
    def build(path, payload: bytes) -> bytes:
        out = ZipOutput(path)
        out.write_bytes("b.txt", payload)
        (tmp_path / "src").write_bytes(b"file body")
        out.write_file("a/file.bin", str(tmp_path / "src"))
        out.close()
        return path.read_bytes()

    one, two = build(tmp_path / "1.zip", b"same"), build(tmp_path / "2.zip", b"same")
    assert one == two and build(tmp_path / "3.zip", b"other") != one
    archive = zipfile.ZipFile(io.BytesIO(one))
    assert archive.namelist() == ["b.txt", "a/file.bin", "SHA256SUMS"]
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
