"""Synthetic images for the tile tests, written at test time: every format the sources read."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

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
