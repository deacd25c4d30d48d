"""JPEG: EXIF, XMP, IPTC, comments and foreign APPn segments go; coding segments and every scan stay verbatim."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import pyvips
from PIL import Image

from annotator.imaging.strip import MalformedImage, strip_metadata
from tests.annotator.strip.builders import insert_after_soi, insert_before_marker, jpeg_segment, leaks

SOS = 0xDA


def _image(mode: str = "RGB") -> Image.Image:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    return Image.fromarray(np.kron(base, np.ones((4, 4, 1), dtype=np.uint8))).convert(mode)


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x013B] = "Doe^Jane"
    exif[0x010E] = "PatientName=Doe^Jane"
    exif.get_ifd(0x8769)[0x9003] = "2020:01:02 10:11:12"
    exif.get_ifd(0x8825)[0x0001] = "N"
    return exif


def _jpeg(mode: str = "RGB", **options: object) -> bytes:
    buffer = io.BytesIO()
    _image(mode).save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Doe^Jane</dc:creator></x:xmpmeta>'
IPTC = jpeg_segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0c\x1c\x02\x05\x00\x08Doe^Jane")
FOREIGN = (
    jpeg_segment(0xE3, b"META\0PatientName=Doe^Jane"),
    jpeg_segment(0xE2, b"MPF\0II*\0Doe^Jane"),
    jpeg_segment(0xE0, b"JFXX\0\x10Doe^Jane"),
    jpeg_segment(0xE1, b"http://ns.adobe.com/xmp/extension/\0" + b"0" * 40 + XMP),
)


def _decode(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path))


def _strip(tmp_path: Path, data: bytes) -> tuple[list[str], Path, Path]:
    src, dst = tmp_path / "in.jpg", tmp_path / "out.jpg"
    src.write_bytes(data)
    return strip_metadata(src, dst, fmt="jpg"), src, dst


@pytest.mark.filterwarnings("ignore:.*(MPO|EXIF).*:UserWarning")
def test_metadata_segments_are_removed_and_pixels_are_identical(tmp_path: Path) -> None:
    data = insert_after_soi(_jpeg(exif=_exif(), comment=b"PatientName=Doe^Jane", xmp=XMP), IPTC, *FOREIGN)
    assert leaks(data)
    removed, src, dst = _strip(tmp_path, data)
    assert leaks(dst.read_bytes()) == []
    assert np.array_equal(_decode(src), _decode(dst))
    assert set(removed) == {
        "JPEG APP13 'Photoshop 3.0'",
        "JPEG APP3 'META'",
        "JPEG APP2 'MPF'",
        "JPEG APP0 'JFXX'",
        "JPEG APP1 XMP (extended)",
        "JPEG APP1 Exif",
        "JPEG APP1 XMP",
        "JPEG COM",
    }
    assert dst.read_bytes()[2:6] == b"\xff\xe0\x00\x10"  # JFIF stays first
    assert Image.open(dst).info["jfif"]


def test_progressive_scans_are_copied_and_comments_between_scans_removed(tmp_path: Path) -> None:
    data = _jpeg(progressive=True, exif=_exif(), comment=b"Doe^Jane")
    assert data.count(b"\xff\xda") > 2  # really several scans
    data = insert_before_marker(data, SOS, jpeg_segment(0xFE, b"PatientName=Doe^Jane"), occurrence=2)
    removed, src, dst = _strip(tmp_path, data)
    assert removed == ["JPEG APP1 Exif", "JPEG COM (×2)"]
    assert leaks(dst.read_bytes()) == []
    assert np.array_equal(_decode(src), _decode(dst))
    assert dst.read_bytes().count(b"\xff\xda") == data.count(b"\xff\xda")


def test_restart_markers_inside_scans_are_kept(tmp_path: Path) -> None:
    data = _jpeg(restart_marker_rows=1, comment=b"Doe^Jane")
    assert b"\xff\xd0" in data and b"\xff\xd1" in data
    removed, src, dst = _strip(tmp_path, data)
    assert removed == ["JPEG COM"]
    assert np.array_equal(_decode(src), _decode(dst))
    assert dst.read_bytes() == data.replace(jpeg_segment(0xFE, b"Doe^Jane"), b"")


def test_orientation_survives_in_a_minimal_exif(tmp_path: Path) -> None:
    removed, _, dst = _strip(tmp_path, _jpeg(exif=_exif(orientation=6)))
    assert removed == ["JPEG APP1 Exif (Orientation kept)"]
    assert dict(Image.open(dst).getexif()) == {0x0112: 6}
    assert pyvips.Image.new_from_file(str(dst)).get("orientation") == 6
    assert leaks(dst.read_bytes()) == []


def test_icc_profile_and_adobe_segment_are_kept(tmp_path: Path) -> None:
    profile = b"\0\0\0\x28fake ICC profile long enough to stand here"
    removed, src, dst = _strip(tmp_path, _jpeg("CMYK", icc_profile=profile, comment=b"Doe^Jane"))
    after = Image.open(dst)
    assert after.info["icc_profile"] == profile
    assert after.info.get("adobe") is not None  # CMYK needs the Adobe colour-transform segment
    assert np.array_equal(_decode(src), _decode(dst))
    assert removed == ["JPEG COM"]


def test_jfif_thumbnail_and_trailing_data_are_dropped(tmp_path: Path) -> None:
    data = _jpeg()
    jfif_end = 4 + int.from_bytes(data[4:6], "big")
    thumb = data[6:18] + b"\x02\x02" + bytes(12)  # JFIF header claiming a 2x2 RGB thumbnail
    data = data[:2] + jpeg_segment(0xE0, thumb) + data[jfif_end:] + b"PatientName=Doe^Jane"
    removed, src, dst = _strip(tmp_path, data)
    assert removed == ["JPEG JFIF thumbnail", "JPEG data after EOI (20 bytes)"]
    assert dst.read_bytes().endswith(b"\xff\xd9")
    assert np.array_equal(_decode(src), _decode(dst))


def test_grey_jpeg(tmp_path: Path) -> None:
    removed, src, dst = _strip(tmp_path, _jpeg("L", comment=b"Doe^Jane"))
    assert removed == ["JPEG COM"]
    assert np.array_equal(_decode(src), _decode(dst))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d[2:], "SOI"),
        (lambda d: d[:-2], "without an EOI"),
        (lambda d: d[:-200], "without an EOI"),
        (lambda d: d[:2] + b"\xff\xfe\x00\x01" + d[2:], "invalid length"),
        (lambda d: d[:2] + b"\xff\xfe\xff\xf0" + d[2:], "ends in the middle"),
        (lambda d: d[:2] + b"\x00\x00" + d[2:], "no marker"),
        (lambda d: b"\xff\xd8\xff\xd9", "no image data"),
        (lambda d: d[:2] + b"\xff\xda\x00\x02" + d[2:], "before any frame"),
        (lambda d: d[:2] + b"\xff\x05\x00\x02" + d[2:], "unexpected marker"),
    ],
    ids=["no-soi", "no-eoi", "truncated", "short-length", "long-length", "junk", "empty", "sos-first", "reserved"],
)
def test_broken_jpegs_are_refused(tmp_path: Path, damage: object, message: str) -> None:
    src, dst = tmp_path / "in.jpg", tmp_path / "out.jpg"
    src.write_bytes(damage(_jpeg(comment=b"x")))  # type: ignore[operator]
    with pytest.raises(MalformedImage, match=message):
        strip_metadata(src, dst, fmt="jpg")
    assert not dst.exists()
