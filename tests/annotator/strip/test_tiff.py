"""TIFF/BigTIFF: identifying values are blanked in place in every directory; layout and pixels are untouched."""

from __future__ import annotations

import logging
import struct
import time
from pathlib import Path

import numpy as np
import pytest
import pyvips
import tifffile
from PIL import Image

from annotator.imaging.strip import MalformedImage, strip_metadata
from tests.annotator.strip.builders import ASCII, BYTE, LONG, SHORT, UNDEFINED, TiffBuilder, leaks
from tests.annotator.tiles.factories import aperio_svs, hamamatsu_ndpi

RNG = np.random.default_rng(11)
PIXELS = RNG.integers(0, 256, (40, 56, 3), dtype=np.uint8)
SECOND = RNG.integers(0, 256, (20, 30), dtype=np.uint8)
EXIF = {
    0x9003: (ASCII, "2020:01:02 10:11:12"),
    0x9286: (UNDEFINED, b"ASCII\0\0\0PatientName=Doe^Jane"),
    0xA005: (LONG, {0x0001: (ASCII, "R98"), 0x0002: (UNDEFINED, b"0100")}),
    0xA431: (ASCII, "SS1234"),
}
GPS = {0x0000: (BYTE, b"\x02\x03\x00\x00"), 0x0001: (ASCII, "N"), 0x001D: (ASCII, "2020:01:02")}


def _identifying_tiff(*, big: bool, order: str) -> bytes:
    builder = TiffBuilder(big=big, order=order)
    first = builder.image_tags(PIXELS, rows_per_strip=16)
    first.update(
        {
            269: (ASCII, "Doe_Jane.tif"),
            270: (ASCII, "PatientName=Doe^Jane"),
            271: (ASCII, "Acme"),
            272: (ASCII, "Scanner 9"),
            285: (ASCII, "Doe^Jane page"),
            305: (ASCII, "Acme Capture (licensed to jdoe)"),
            306: (ASCII, "2020:01:02 10:11:12"),
            315: (ASCII, "jdoe"),
            316: (ASCII, "SS1234"),
            33432: (ASCII, "Doe^Jane"),
            700: (BYTE, b"<x:xmpmeta><dc:creator>Doe^Jane</dc:creator></x:xmpmeta>"),
            33723: (UNDEFINED, b"\x1c\x02\x05\x00\x08Doe^Jane"),
            34377: (BYTE, b"8BIM\x04\x04\0\0\0\0\0\x0cDoe^Jane"),
            34665: (LONG, EXIF),
            34853: (LONG, GPS),
            65000: (ASCII, "Doe^Jane"),
            65001: (SHORT, [1, 2, 3, 4, 5]),
        }
    )
    second = builder.image_tags(SECOND)
    second.update({315: (ASCII, "jdoe"), 306: (ASCII, "2020:01:02 10:11:13")})
    return builder.build([first, second])


def _strip(tmp_path: Path, data: bytes, name: str = "in.tif") -> tuple[list[str], Path, Path]:
    src, dst = tmp_path / name, tmp_path / f"clean-{name}"
    src.write_bytes(data)
    return strip_metadata(src, dst, fmt="tif"), src, dst


@pytest.mark.parametrize("big", [False, True], ids=["classic", "bigtiff"])
@pytest.mark.parametrize("order", ["<", ">"], ids=["II", "MM"])
def test_identifying_tags_are_blanked_in_every_flavour(tmp_path: Path, big: bool, order: str) -> None:
    data = _identifying_tiff(big=big, order=order)
    assert len(leaks(data)) >= 6
    removed, _, dst = _strip(tmp_path, data)
    out = dst.read_bytes()
    assert leaks(out) == []
    assert len(out) == len(data)
    with tifffile.TiffFile(dst) as tif:
        assert np.array_equal(tif.pages[0].asarray(), PIXELS)
        assert np.array_equal(tif.pages[1].asarray(), SECOND)
        tags = tif.pages[0].tags
        assert tags["Make"].value == "Acme" and tags["Model"].value == "Scanner 9"
        assert tags["Artist"].value.strip() == ""
        assert tags[65001].value == (0, 0, 0, 0, 0)
    assert removed == [
        "TIFF DocumentName (IFD 0)",
        "TIFF ImageDescription (IFD 0)",
        "TIFF PageName (IFD 0)",
        "TIFF Software (IFD 0)",
        "TIFF DateTime (IFD 0 and 1 more)",
        "TIFF Artist (IFD 0 and 1 more)",
        "TIFF HostComputer (IFD 0)",
        "TIFF XMP (IFD 0)",
        "TIFF Copyright (IFD 0)",
        "TIFF IPTC (IFD 0)",
        "TIFF Photoshop (IFD 0)",
        "TIFF EXIF IFD (IFD 0)",
        "TIFF GPS IFD (IFD 0)",
        "TIFF tag 65000 (IFD 0)",
        "TIFF tag 65001 (IFD 0)",
        "TIFF unreferenced data (" + removed[-1].split("(")[1],
    ]


def test_exif_and_gps_pointers_lead_to_valid_minimal_directories(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, _, dst = _strip(tmp_path, _identifying_tiff(big=False, order="<"))
    exif = Image.open(dst).getexif()
    assert dict(exif.get_ifd(0x8769)) == {0x9000: b"0232"}
    assert dict(exif.get_ifd(0x8825)) == {0: b"\x02\x03\x00\x00"}
    with caplog.at_level(logging.WARNING), tifffile.TiffFile(dst) as tif:
        assert tif.pages[0].tags["ExifTag"].value == {"ExifVersion": "0232"}
    assert not caplog.records
    image = pyvips.Image.new_from_file(str(dst), fail_on="warning")
    assert image.avg() == pytest.approx(PIXELS.mean())
    assert np.array_equal(np.asarray(Image.open(dst)), PIXELS)


def test_orphaned_bytes_are_wiped(tmp_path: Path) -> None:
    builder = TiffBuilder()
    tags = builder.image_tags(SECOND)
    builder.blob(b"old ImageDescription: PatientName=Doe^Jane\0")  # left behind by an in-place tag editor
    data = builder.build([tags]) + b"trailing Doe^Jane"
    removed, _, dst = _strip(tmp_path, data)
    assert leaks(dst.read_bytes()) == []
    assert removed == ["TIFF unreferenced data (61 bytes)"]
    assert np.array_equal(tifffile.imread(dst), SECOND)


def test_tifffile_ome_pyramid_keeps_technical_metadata(tmp_path: Path) -> None:
    data = RNG.integers(0, 60000, (2, 3, 256, 256), dtype=np.uint16)
    meta = {
        "axes": "CZYX",
        "Name": "Doe_Jane slide 3",
        "PhysicalSizeX": 0.25,
        "PhysicalSizeXUnit": "µm",
        "Channel": {"Name": ["DAPI", "GFP"]},
        "Description": "PatientName=Doe^Jane",
        "MapAnnotation": {"Patient": "Doe^Jane"},
    }
    src = tmp_path / "in.ome.tif"
    with tifffile.TiffWriter(src, bigtiff=True) as writer:
        options = {"tile": (128, 128), "compression": "zlib"}
        writer.write(data, subifds=1, metadata=meta, datetime="2020:01:02 10:11:12", software="jdoe", **options)
        writer.write(data[..., ::2, ::2], subfiletype=1, **options)
    dst = tmp_path / "out.ome.tif"
    removed = strip_metadata(src, dst, fmt="tif")
    assert leaks(dst.read_bytes()) == []
    assert removed[0].startswith("TIFF ImageDescription: XML:")
    with tifffile.TiffFile(dst) as tif:
        assert tif.is_ome
        series = tif.series[0]
        assert (series.shape, series.axes, len(series.levels)) == ((2, 3, 256, 256), "CZYX", 2)
        assert np.array_equal(series.asarray(), data)
        assert np.array_equal(series.levels[1].asarray(), data[..., ::2, ::2])
        ome = tif.ome_metadata
    assert 'PhysicalSizeX="0.25"' in ome and 'Name="DAPI"' in ome and 'SizeZ="3"' in ome
    assert pyvips.Image.new_from_file(str(dst), fail_on="warning").width == 256


def test_libvips_tiled_jpeg_pyramid(tmp_path: Path) -> None:
    image = pyvips.Image.new_from_array(RNG.integers(0, 256, (600, 800, 3), dtype=np.uint8)).copy(interpretation="srgb")
    image.set_type(pyvips.GValue.gstr_type, "image-description", "PatientName=Doe^Jane")
    src = tmp_path / "in.tif"
    image.tiffsave(
        str(src),
        tile=True,
        pyramid=True,
        compression="jpeg",
        Q=90,
        bigtiff=True,
        tile_width=256,
        tile_height=256,
        subifd=True,
    )
    dst = tmp_path / "out.tif"
    removed = strip_metadata(src, dst, fmt="tif")
    assert removed == ["TIFF ImageDescription (IFD 0 and 2 more)"]  # libvips repeats it in each SubIFD
    assert leaks(dst.read_bytes()) == []
    for level in range(3):
        before = pyvips.Image.new_from_file(str(src), subifd=level - 1)
        after = pyvips.Image.new_from_file(str(dst), subifd=level - 1, fail_on="warning")
        assert np.array_equal(before.numpy(), after.numpy())


def test_aperio_svs_keeps_technical_values_and_blacks_out_label_and_macro(tmp_path: Path) -> None:
    openslide = pytest.importorskip("openslide")
    src, dst = tmp_path / "in.svs", tmp_path / "out.svs"
    level, _ = aperio_svs(src)
    removed = strip_metadata(src, dst, fmt="tif")
    assert leaks(dst.read_bytes()) == []
    assert removed[:2] == [
        "TIFF ImageDescription: Aperio values of Filename, Date, Time, User, ScanScope ID (IFD 0)",
        "TIFF Software (IFD 0 and 3 more)",
    ]
    assert "TIFF label image pixels (IFD 2)" in removed and "TIFF macro image pixels (IFD 3)" in removed
    slide = openslide.OpenSlide(dst)
    assert slide.properties["openslide.vendor"] == "aperio"
    assert slide.properties["aperio.MPP"] == "0.5" and slide.properties["aperio.AppMag"] == "20"
    assert slide.properties["aperio.User"] == ""
    assert {"label", "macro", "thumbnail"} <= set(slide.associated_images)
    assert np.asarray(slide.associated_images["label"])[..., :3].max() == 0
    region = np.asarray(slide.read_region((0, 0), 0, (768, 512)))[..., :3]
    assert np.array_equal(region, level)
    with tifffile.TiffFile(dst) as tif:
        assert tif.pages[0].description.startswith("Aperio Image Library v12.0.15 \r\n768x512 [0,100 768x512]")
        assert np.array_equal(tif.pages[0].asarray(), level)
        assert tif.pages[2].asarray().max() == 0 and tif.pages[3].asarray().max() == 0


@pytest.mark.parametrize("compression", ["tiff_lzw", "jpeg", "packbits", "tiff_adobe_deflate", "raw"])
@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_blacked_out_label_still_decodes(tmp_path: Path, compression: str, mode: str) -> None:
    main = Image.fromarray(PIXELS).convert(mode)
    label = Image.fromarray(RNG.integers(0, 256, (300, 500, 3), dtype=np.uint8)).convert(mode)
    src = tmp_path / "in.tif"
    main.save(src, compression=compression, save_all=True, append_images=[label], description="Slide\nlabel 1")
    removed, _, dst = _strip(tmp_path, src.read_bytes(), "again.tif")
    assert "TIFF label image pixels (IFD 1)" in removed
    after = Image.open(dst)
    assert np.array_equal(np.asarray(after), np.asarray(Image.open(src)))
    after.seek(1)
    assert np.asarray(after).max() == 0
    assert pyvips.Image.new_from_file(str(dst), page=1, fail_on="error").max() == 0


def test_blacked_out_lzw_label_with_a_large_single_strip(tmp_path: Path) -> None:
    """A 16 MB strip makes the LZW encoder widen its codes to 12 bits and reset its table twice."""
    builder = TiffBuilder()
    main = builder.image_tags(SECOND)
    height, width = 4000, 4000
    label = {
        256: (LONG, width),
        257: (LONG, height),
        258: (SHORT, 8),
        259: (SHORT, 5),
        262: (SHORT, 1),
        270: (ASCII, "label"),
        273: (LONG, builder.blob(RNG.integers(0, 256, 40_000, dtype=np.uint8).tobytes())),
        277: (SHORT, 1),
        278: (LONG, height),
        279: (LONG, 40_000),
    }
    _, _, dst = _strip(tmp_path, builder.build([main, label]))
    image = Image.open(dst)
    image.seek(1)
    assert np.asarray(image).max() == 0 and image.size == (width, height)


def test_imagej_hyperstack(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    stack = RNG.integers(0, 256, (3, 64, 64), dtype=np.uint8)
    src = tmp_path / "in.tif"
    meta = {"axes": "ZYX", "spacing": 2.0, "unit": "um", "Info": "PatientName=Doe^Jane", "Labels": ["Doe^Jane"] * 3}
    tifffile.imwrite(src, stack, imagej=True, metadata={**meta, "Patient": "Doe^Jane"})
    dst = tmp_path / "out.tif"
    removed = strip_metadata(src, dst, fmt="tif")
    assert leaks(dst.read_bytes()) == []
    assert removed[:2] == ["TIFF ImageJ metadata (IFD 0)", "TIFF ImageDescription: ImageJ: 1 lines blanked (IFD 0)"]
    with caplog.at_level(logging.WARNING), tifffile.TiffFile(dst) as tif:
        assert tif.is_imagej
        metadata = tif.imagej_metadata
        assert np.array_equal(tif.asarray(), stack)
    assert not caplog.records
    assert (metadata["slices"], metadata["spacing"], metadata["unit"]) == (3, 2.0, "um")
    assert metadata["Info"].strip() == ""


def test_imagej_stack_beyond_its_only_directory_is_kept(tmp_path: Path) -> None:
    """ImageJ writes stacks over 4 GB as one directory followed by the remaining images, back to back."""
    stack = RNG.integers(1, 256, (3, 20, 30), dtype=np.uint8)
    builder = TiffBuilder(order=">")
    tags = builder.image_tags(stack[0])
    builder.blob(stack[1:].tobytes())
    tags[270] = (ASCII, "ImageJ=1.54f\nimages=3\nslices=3\nPatient=Doe^Jane\n")
    _, _, dst = _strip(tmp_path, builder.build([tags]))
    assert leaks(dst.read_bytes()) == []
    with tifffile.TiffFile(dst) as tif:
        assert tif.is_imagej
        assert np.array_equal(tif.asarray(), stack)


def _broken(tmp_path: Path, data: bytes) -> None:
    src, dst = tmp_path / "in.tif", tmp_path / "out.tif"
    src.write_bytes(data)
    started = time.monotonic()
    try:
        strip_metadata(src, dst, fmt="tif")
    finally:
        assert time.monotonic() - started < 2
        assert not dst.exists()


def _patch(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def _simple(big: bool = False) -> tuple[bytes, int, int]:
    """A two-page file, the offset of IFD 0 and the offset of its next-IFD field."""
    builder = TiffBuilder(big=big)
    tags = builder.image_tags(SECOND)
    data = builder.build([tags, builder.image_tags(SECOND)])
    first = struct.unpack_from("<Q" if big else "<I", data, 8 if big else 4)[0]
    count = struct.unpack_from("<Q" if big else "<H", data, first)[0]
    return data, first, first + (8 + 20 * count if big else 2 + 12 * count)


@pytest.mark.parametrize("big", [False, True], ids=["classic", "bigtiff"])
def test_ifd_offset_past_eof_is_refused(tmp_path: Path, big: bool) -> None:
    data, _, _ = _simple(big)
    broken = _patch(data, 8 if big else 4, "<Q" if big else "<I", len(data) + 100)
    with pytest.raises(MalformedImage, match="outside the file"):
        _broken(tmp_path, broken)


@pytest.mark.parametrize("big", [False, True], ids=["classic", "bigtiff"])
def test_ifd_loop_is_refused(tmp_path: Path, big: bool) -> None:
    data, first, next_field = _simple(big)
    with pytest.raises(MalformedImage, match="loop"):
        _broken(tmp_path, _patch(data, next_field, "<Q" if big else "<I", first))


def test_subifd_loop_is_refused(tmp_path: Path) -> None:
    builder = TiffBuilder()
    tags = builder.image_tags(SECOND)
    tags[330] = (LONG, [8])  # points at... anything: patched below to point at IFD 0 itself
    data = builder.build([tags])
    first = struct.unpack_from("<I", data, 4)[0]
    entries = struct.unpack_from("<H", data, first)[0]
    for index in range(entries):
        if struct.unpack_from("<H", data, first + 2 + 12 * index)[0] == 330:
            data = _patch(data, first + 2 + 12 * index + 8, "<I", first)
    with pytest.raises(MalformedImage, match="loop"):
        _broken(tmp_path, data)


@pytest.mark.parametrize(
    ("tag", "message"),
    [(273, "image data .* outside the file"), (270, "value of tag 270 .* outside the file")],
)
def test_values_outside_the_file_are_refused(tmp_path: Path, tag: int, message: str) -> None:
    builder = TiffBuilder()
    tags = builder.image_tags(SECOND)  # one strip: its offset sits in the entry itself
    tags[270] = (ASCII, "a long enough description")
    data = builder.build([tags])
    first = struct.unpack_from("<I", data, 4)[0]
    for index in range(struct.unpack_from("<H", data, first)[0]):
        if struct.unpack_from("<H", data, first + 2 + 12 * index)[0] == tag:
            data = _patch(data, first + 2 + 12 * index + 8, "<I", len(data) - 3)
    with pytest.raises(MalformedImage, match=message):
        _broken(tmp_path, data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"II*\0\0\0\0\0", "no image directory"),
        (b"II\x2b\0\x04\0\0\0" + bytes(8), "no valid TIFF"),
        (b"XX*\0\x08\0\0\0", "byte-order mark"),
        (b"II*\0\x08\0\0\0\xff\xff", "more than the file holds"),
        (b"II*\0\x04\0\0\0" + bytes(8), "outside the file"),
    ],
    ids=["no-ifd", "bad-bigtiff", "bad-order", "huge-count", "ifd-in-header"],
)
def test_broken_headers_are_refused(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(MalformedImage, match=message):
        _broken(tmp_path, data)


def test_exif_pointer_into_an_image_directory_is_refused(tmp_path: Path) -> None:
    builder = TiffBuilder()
    tags = builder.image_tags(SECOND)
    tags[34665] = (LONG, 0)
    data = builder.build([tags])
    first = struct.unpack_from("<I", data, 4)[0]
    for index in range(struct.unpack_from("<H", data, first)[0]):
        if struct.unpack_from("<H", data, first + 2 + 12 * index)[0] == 34665:
            data = _patch(data, first + 2 + 12 * index + 8, "<I", first)
    with pytest.raises(MalformedImage, match="EXIF or GPS pointer"):
        _broken(tmp_path, data)


def test_hamamatsu_ndpi_keeps_its_own_tags_and_blacks_out_the_macro(tmp_path: Path) -> None:
    openslide = pytest.importorskip("openslide")
    src, dst = tmp_path / "in.ndpi", tmp_path / "out.ndpi"
    level, _ = hamamatsu_ndpi(src)
    removed = strip_metadata(src, dst, fmt="tif")
    assert leaks(dst.read_bytes()) == []
    assert removed == [
        "TIFF Software (IFD 0 and 2 more)",
        "TIFF NDPI reference (IFD 0 and 2 more)",
        "TIFF NDPI property map (IFD 0 and 2 more)",
        "TIFF macro image pixels (IFD 2)",
    ]
    slide = openslide.OpenSlide(dst)
    assert slide.properties["openslide.vendor"] == "hamamatsu" and slide.level_dimensions[0] == (1024, 768)
    assert np.asarray(slide.associated_images["macro"])[..., :3].max() == 0  # the slide label's photo is gone
    region = np.asarray(slide.read_region((0, 0), 0, (1024, 768)))[..., :3].astype(int)
    assert np.abs(region - level).mean() < 2  # level 0 untouched (JPEG's own loss only)
