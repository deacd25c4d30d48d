"""Synthetic images for the tile tests, written at test time: every format the sources read."""

from __future__ import annotations

import gzip
import io
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pyvips
import tifffile
from PIL import Image as PILImage
from PIL import PngImagePlugin

PATIENT = "Doe^Jane"  # a name planted in metadata; no derivative may carry it
OME_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">'
    '<Image ID="Image:0" Name="{name}"><Pixels DimensionOrder="XYZCT" ID="Pixels:0" SizeC="1" SizeT="1" '
    'SizeX="{width}" SizeY="{height}" SizeZ="{planes}" Type="uint8"/></Image></OME>'
)


def rgb(width: int, height: int) -> np.ndarray:
    """An RGB gradient with structure in both directions (tiles are never uniform)."""
    xs = np.linspace(0, 255, width, dtype=np.float32)[np.newaxis, :]
    ys = np.linspace(0, 255, height, dtype=np.float32)[:, np.newaxis]
    return np.dstack([xs + 0 * ys, ys + 0 * xs, (xs + ys) / 2]).astype(np.uint8)


def vips_rgb(width: int, height: int) -> pyvips.Image:
    return pyvips.Image.new_from_array(rgb(width, height)).copy(interpretation="srgb")


def png16(width: int = 300, height: int = 200, low: int = 1000, high: int = 4000) -> bytes:
    """A 16-bit grey PNG whose values span [low, high] (12-bit data, as detectors write it)."""
    values = np.linspace(low, high, width * height).reshape(height, width).astype(np.uint16)
    image = pyvips.Image.new_from_array(values).copy(interpretation="grey16")
    return image.pngsave_buffer()


def png_with_text(width: int = 300, height: int = 200) -> bytes:
    """An RGB PNG with tEXt and iTXt chunks naming a patient."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"PatientName={PATIENT}")
    info.add_itxt("Description", f"scan of {PATIENT}")
    buffer = io.BytesIO()
    PILImage.fromarray(rgb(width, height)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg(width: int = 320, height: int = 240) -> bytes:
    return vips_rgb(width, height).jpegsave_buffer(Q=90)


def tiff(path: Path, width: int = 600, height: int = 500, *, description: str = "", **options: object) -> Path:
    """A TIFF written by libvips: options as tiffsave takes them (tile, pyramid, bigtiff, compression...)."""
    image = vips_rgb(width, height).copy()
    if description:
        image.set_type(pyvips.GValue.gstr_type, "image-description", description)
    image.tiffsave(str(path), **options)
    return path


def ome_tiff(path: Path, width: int = 120, height: int = 100, planes: int = 3) -> Path:
    """An OME-TIFF z-stack of `planes` grey planes, plane n filled with 60 * n + 10."""
    pages = [pyvips.Image.new_from_array(np.full((height, width), 60 * n + 10, np.uint8)) for n in range(planes)]
    stack = pyvips.Image.arrayjoin(pages, across=1).copy()
    stack.set_type(pyvips.GValue.gint_type, "page-height", height)
    xml = OME_XML.format(name=PATIENT, width=width, height=height, planes=planes)
    stack.set_type(pyvips.GValue.gstr_type, "image-description", xml)
    stack.tiffsave(str(path), tile=True, tile_width=64, tile_height=64)
    return path


def volume(shape: tuple[int, ...] = (64, 48, 6), *, dtype: str = "int16", seed: int = 0) -> np.ndarray:
    """Voxels with frame k offset by 100 * k, so frames differ."""
    rng = np.random.default_rng(seed)
    data = rng.integers(-500, 500, size=shape)
    if len(shape) >= 3:
        data = data + 100 * np.arange(shape[2]).reshape((1, 1, -1) + (1,) * (len(shape) - 3))
    return data.astype(dtype)


def nifti(data: np.ndarray, *, gz: bool = False, version: int = 1, **header: float) -> bytes:
    """NIfTI bytes (.nii, or .nii.gz when gz) of `data` with 0.8 × 0.9 × 2.5 mm voxels."""
    import nibabel

    cls = nibabel.Nifti1Image if version == 1 else nibabel.Nifti2Image
    image = cls(data, np.diag([0.8, 0.9, 2.5, 1.0]))
    image.header["descrip"] = PATIENT.encode()
    for key, value in header.items():
        image.header[key] = value
    raw = image.to_bytes()
    return gzip.compress(raw, mtime=0) if gz else raw


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's shape)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


APERIO = (
    "Aperio Image Library v12.0.15 \r\n768x512 [0,100 768x512] (256x256) JPEG/RGB Q=70|AppMag = 20|MPP = 0.5"
    "|Filename = Doe_Jane.svs|Date = 01/02/2020|Time = 10:11:12|User = jdoe|ScanScope ID = SS1234"
)


def aperio_svs(path: Path, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """An Aperio SVS as OpenSlide's aperio reader expects it: a tiled 768 × 512 level, a thumbnail, a label and
    a macro image, with identifying values in the description; returns (level pixels, label pixels)."""
    level = np.random.default_rng(seed).integers(0, 256, (512, 768, 3), dtype=np.uint8)
    label = np.full((40, 60, 3), 200, dtype=np.uint8)
    with tifffile.TiffWriter(path) as writer:
        writer.write(level, tile=(256, 256), description=APERIO, compression="zlib", metadata=None)
        thumb = "Aperio Image Library v12.0.15 \r\n768x512 -> 192x128 - |AppMag = 20|MPP = 0.5|User = jdoe"
        writer.write(level[::4, ::4].copy(), description=thumb, metadata=None)
        label_text = "Aperio Image Library v12.0.15\nlabel 60x40"
        writer.write(label, description=label_text, subfiletype=1, compression="zlib", metadata=None, rowsperstrip=16)
        macro_text = "Aperio Image Library v12.0.15\nmacro 60x40"
        writer.write(label, description=macro_text, subfiletype=9, metadata=None, rowsperstrip=16)
    return level, label


def _ndpi_level(width: int, height: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], axis=-1).astype(np.uint8)


def hamamatsu_ndpi(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A Hamamatsu NDPI as OpenSlide's hamamatsu reader expects it: per directory one JPEG strip with restart
    markers and NDPI's private tags (source lens 20× and 5×, and -1 for the macro photo of the slide and its
    label), with a barcode and scanner text that identify the case; returns (level 0 pixels, macro pixels)."""
    from tests.annotator.strip.builders import ASCII, FLOAT, LONG, RATIONAL, SHORT, SLONG, TiffBuilder

    builder = TiffBuilder()
    level0, macro = _ndpi_level(1024, 768), np.full((80, 200, 3), 230, dtype=np.uint8)
    directories = []
    for lens, pixels in ((20.0, level0), (5.0, level0[::4, ::4].copy()), (-1.0, macro)):
        height, width = pixels.shape[:2]
        jpeg = pyvips.Image.new_from_array(pixels).copy(interpretation="srgb")
        data = jpeg.jpegsave_buffer(Q=90, restart_interval=8, subsample_mode="off", keep="none")
        directories.append(
            {
                256: (LONG, width),
                257: (LONG, height),
                258: (SHORT, [8, 8, 8]),
                259: (SHORT, 7),
                262: (SHORT, 6),
                271: (ASCII, "Hamamatsu"),
                273: (LONG, [builder.blob(data)]),
                277: (SHORT, 3),
                278: (LONG, height),
                279: (LONG, [len(data)]),
                282: (RATIONAL, [(20000, 1)]),
                283: (RATIONAL, [(20000, 1)]),
                296: (SHORT, 3),
                305: (ASCII, "NDP.scan 3.2 jdoe"),
                65420: (LONG, 1),
                65421: (FLOAT, lens),
                65422: (SLONG, 0),
                65423: (SLONG, 0),
                65424: (SLONG, 0),
                65427: (ASCII, "Doe_Jane 01/02/2020"),
                65449: (ASCII, "Slide.Barcode=SS1234\nObjective.Lens.Magnificant=20"),
            }
        )
    path.write_bytes(builder.build(directories))
    return level0, macro


MIRAX_ID = "a1b2c3d4-0000-4000-8000-0123456789ab"
MIRAX_SLIDEDAT = """[GENERAL]
SLIDE_VERSION=01.02
SLIDE_ID={slide_id}
SLIDE_NAME=Doe_Jane
SLIDE_CREATIONDATETIME=01/02/2020 10:11:12
PROJECT_NAME=jdoe study
IMAGENUMBER_X=2
IMAGENUMBER_Y=2
OBJECTIVE_MAGNIFICATION=20
CameraImageDivisionsPerSide=1
[HIERARCHICAL]
HIER_COUNT=1
HIER_0_NAME=Slide zoom level
HIER_0_COUNT=1
HIER_0_VAL_0=ZoomLevel_0
HIER_0_VAL_0_SECTION=LAYER_0_LEVEL_0_SECTION
NONHIER_COUNT=1
NONHIER_0_NAME=Scan data layer
NONHIER_0_COUNT=2
NONHIER_0_VAL_0=ScanDataLayer_SlideBarcode
NONHIER_0_VAL_0_SECTION=NONHIERLAYER_0_LEVEL_0_SECTION
NONHIER_0_VAL_1=ScanDataLayer_SlideThumbnail
NONHIER_0_VAL_1_SECTION=NONHIERLAYER_0_LEVEL_1_SECTION
INDEXFILE=Index.dat
[DATAFILE]
FILE_COUNT=1
FILE_0={data_file}
[LAYER_0_LEVEL_0_SECTION]
IMAGE_CONCAT_FACTOR=0
OVERLAP_X=0
OVERLAP_Y=0
MICROMETER_PER_PIXEL_X=0.25
MICROMETER_PER_PIXEL_Y=0.25
IMAGE_FILL_COLOR_BGR=16777215
DIGITIZER_WIDTH=256
DIGITIZER_HEIGHT=256
IMAGE_FORMAT=JPEG
[NONHIERLAYER_0_LEVEL_0_SECTION]
BARCODE_IMAGE_TYPE=JPEG
BARCODE_VALUE=SS1234
[NONHIERLAYER_0_LEVEL_1_SECTION]
THUMBNAIL_IMAGE_TYPE=JPEG
"""


def _int32s(*values: int) -> bytes:
    return struct.pack(f"<{len(values)}i", *values)


def mirax_slide(root: Path, stem: str = "case", *, data_file: str = "Data0000.dat") -> dict[str, Any]:
    """A MIRAX slide as OpenSlide's mirax reader expects it: root/stem.mrxs and root/stem/ with Slidedat.ini
    (identifying values planted), Index.dat and one data file holding 2 × 2 JPEG images of 256 px, a label and
    a macro photo. Returns the level 0 pixels, the label's and macro's bytes, and the file names."""
    folder = root / stem
    folder.mkdir(parents=True, exist_ok=True)
    (root / f"{stem}.mrxs").write_bytes(b"")
    tile = 256
    level0 = _ndpi_level(2 * tile, 2 * tile)

    def jpeg(pixels: np.ndarray) -> bytes:
        return (
            pyvips.Image.new_from_array(np.ascontiguousarray(pixels))
            .copy(interpretation="srgb")
            .jpegsave_buffer(Q=90, keep="none")
        )

    data, records, photos = bytearray(), [], []
    for index, (row, col) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):
        blob = jpeg(level0[row * tile : (row + 1) * tile, col * tile : (col + 1) * tile])
        records.append((index, len(data), len(blob), 0))
        data += blob
    for fill, size in ((200, (40, 60)), (180, (50, 120))):  # label, macro
        blob = jpeg(np.full((*size, 3), fill, dtype=np.uint8))
        photos.append(blob)
        data += blob
    (folder / data_file).write_bytes(bytes(data))
    head = b"01.02" + MIRAX_ID.encode()
    index = bytearray(head + bytes(8))  # hierarchical root pointer, non-hierarchical root pointer
    levels = len(index)
    index += _int32s(len(index) + 4, 0, len(index) + 12, len(records), 0)  # level table, list head, page header
    for record in records:
        index += _int32s(*record)
    table = len(index)
    index += bytes(4 * len(photos))
    offsets = [len(data) - len(photos[0]) - len(photos[1]), len(data) - len(photos[1])]
    for n, (blob, start) in enumerate(zip(photos, offsets, strict=True)):
        record = len(index)
        index += _int32s(0, record + 8, 1, 0, 0, 0, start, len(blob), 0)  # page: 1 entry, in data file 0
        struct.pack_into("<i", index, table + 4 * n, record)
    struct.pack_into("<ii", index, len(head), levels, table)
    (folder / "Index.dat").write_bytes(bytes(index))
    text = MIRAX_SLIDEDAT.format(slide_id=MIRAX_ID, data_file=data_file)
    (folder / "Slidedat.ini").write_bytes(text.replace("\n", "\r\n").encode())
    return {"level0": level0, "label": photos[0], "macro": photos[1], "files": ["Slidedat.ini", "Index.dat", data_file]}
