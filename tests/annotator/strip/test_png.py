"""PNG: text, EXIF and unknown chunks are dropped; pixels and display chunks survive; broken files are refused."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import pyvips
from PIL import Image, PngImagePlugin

from annotator.imaging.strip import MalformedImage, strip_metadata
from tests.annotator.strip.builders import leaks


def _pixels(mode: str = "RGB") -> Image.Image:
    rng = np.random.default_rng(7)
    return Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)).convert(mode)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))


def _with_texts(path: Path, image: Image.Image | None = None, **save: object) -> Path:
    info = PngImagePlugin.PngInfo()
    info.add_text("PatientName", "Doe^Jane")
    info.add_text("Comment", "PatientName=Doe^Jane", zip=True)
    info.add_itxt("Description", "PatientName=Doe^Jane", lang="en", tkey="Beschreibung")
    (image or _pixels()).save(path, pnginfo=info, **save)
    return path


def _chunk_types(data: bytes) -> list[bytes]:
    types, position = [], 8
    while position < len(data):
        (length,) = struct.unpack_from(">I", data, position)
        types.append(data[position + 4 : position + 8])
        position += 12 + length
    return types


def test_text_chunks_are_removed_and_pixels_are_identical(tmp_path: Path) -> None:
    src = _with_texts(tmp_path / "in.png")
    assert leaks(src.read_bytes())
    removed = strip_metadata(src, tmp_path / "out.png", fmt="png")
    out = (tmp_path / "out.png").read_bytes()
    assert leaks(out) == []
    assert removed == ["PNG tEXt 'PatientName'", "PNG zTXt 'Comment'", "PNG iTXt 'Description'"]
    assert np.array_equal(np.asarray(Image.open(src)), np.asarray(Image.open(tmp_path / "out.png")))
    assert set(_chunk_types(out)) == {b"IHDR", b"IDAT", b"IEND"}


@pytest.mark.parametrize("mode", ["L", "LA", "P", "RGBA", "I;16"])
def test_every_pixel_mode_survives(tmp_path: Path, mode: str) -> None:
    image = _pixels(mode if mode != "I;16" else "L")
    if mode == "I;16":
        image = Image.fromarray(np.asarray(image).astype(np.uint16) * 257)
    extra = {"transparency": 3} if mode == "P" else {}
    src = _with_texts(tmp_path / "in.png", image, **extra)
    strip_metadata(src, tmp_path / "out.png", fmt="png")
    before, after = Image.open(src), Image.open(tmp_path / "out.png")
    assert after.mode == before.mode
    assert np.array_equal(np.asarray(before), np.asarray(after))
    assert before.info.get("transparency") == after.info.get("transparency")
    assert leaks((tmp_path / "out.png").read_bytes()) == []


def test_display_chunks_are_kept_and_icc_name_is_neutral(tmp_path: Path) -> None:
    icc = b"\0\0\0\x20fake icc profile bytes for Doe^Jane?"
    src = _with_texts(tmp_path / "in.png", dpi=(300, 300), icc_profile=icc)
    data = bytearray(src.read_bytes())
    start = data.index(b"iCCP") - 4
    (length,) = struct.unpack_from(">I", data, start)
    body = b"Doe_Jane scanner\0\0" + zlib.compress(icc)
    data[start : start + 12 + length] = _chunk(b"iCCP", body)
    gama = _chunk(b"gAMA", struct.pack(">I", 45455))
    src.write_bytes(bytes(data[:33]) + gama + bytes(data[33:]))
    removed = strip_metadata(src, tmp_path / "out.png", fmt="png")
    after = Image.open(tmp_path / "out.png")
    assert after.info["icc_profile"] == icc  # the profile itself is unchanged; only its free-text name is not
    assert after.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert after.info["gamma"] == pytest.approx(0.45455)
    assert "PNG iCCP profile name" in removed
    assert b"Doe_Jane" not in (tmp_path / "out.png").read_bytes()


def test_exif_is_dropped_but_orientation_is_kept(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x013B] = "Doe^Jane"
    exif.get_ifd(0x8769)[0x9003] = "2020:01:02 10:11:12"
    src = tmp_path / "in.png"
    _pixels().save(src, exif=exif)
    removed = strip_metadata(src, tmp_path / "out.png", fmt="png")
    assert removed == ["PNG eXIf (Orientation kept)"]
    out = (tmp_path / "out.png").read_bytes()
    assert leaks(out) == []
    assert dict(Image.open(tmp_path / "out.png").getexif()) == {0x0112: 6}
    assert pyvips.Image.new_from_file(str(tmp_path / "out.png")).get("orientation") == 6


def test_time_unknown_chunks_and_trailing_data_are_dropped(tmp_path: Path) -> None:
    src = tmp_path / "in.png"
    _pixels().save(src)
    data = src.read_bytes()
    extra = _chunk(b"tIME", b"\x07\xe4\x01\x02\x0a\x0b\x0c") + _chunk(b"prVt", b"PatientName=Doe^Jane")
    src.write_bytes(data[:33] + extra + data[33:] + b"PatientName=Doe^Jane")
    removed = strip_metadata(src, tmp_path / "out.png", fmt="png")
    assert removed == ["PNG tIME", "PNG prVt", "PNG data after IEND (20 bytes)"]
    assert (tmp_path / "out.png").read_bytes() == data


def test_apng_frames_are_kept(tmp_path: Path) -> None:
    frames = [_pixels(), _pixels().transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    src = tmp_path / "in.png"
    frames[0].save(src, save_all=True, append_images=frames[1:], duration=100)
    strip_metadata(src, tmp_path / "out.png", fmt="png")
    after = Image.open(tmp_path / "out.png")
    assert after.n_frames == 2
    after.seek(1)
    assert np.array_equal(np.asarray(after.convert("RGB")), np.asarray(frames[1]))


def _broken(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "broken.png"
    path.write_bytes(data)
    return path


def _valid_png(tmp_path: Path) -> bytes:
    return _with_texts(tmp_path / "valid.png").read_bytes()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d[:-30], "longer than the file"),
        (lambda d: d[: d.index(b"IEND") - 4], "ends"),
        (lambda d: d[:8] + b"\x7f\xff\xff\xf0" + d[12:], "longer than the file"),
        (lambda d: d[:29] + bytes([d[29] ^ 1]) + d[30:], "CRC"),
        (lambda d: b"GIF89a" + d[6:], "PNG signature"),
        (lambda d: d[:12] + b"IDAT" + d[16:], "IHDR"),
        (lambda d: d[:8] + _chunk(b"IHDR", d[16:29]) + _chunk(b"ABCD", b"x") + d[33:], "unknown critical"),
        (lambda d: d[:33] + b"\0\0\0\0\x00\x01\x02\x03" + d[41:], "invalid type"),
    ],
    ids=["truncated", "no-iend", "bad-length", "bad-crc", "not-png", "no-ihdr", "unknown-critical", "bad-type"],
)
def test_broken_pngs_are_refused(tmp_path: Path, damage: object, message: str) -> None:
    src = _broken(tmp_path, damage(_valid_png(tmp_path)))  # type: ignore[operator]
    dst = tmp_path / "out.png"
    with pytest.raises(MalformedImage, match=message):
        strip_metadata(src, dst, fmt="png")
    assert not dst.exists()
