"""Transfer syntaxes: which ones Annotator decodes, and decoding one frame through pydicom's plugins."""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels import get_decoder
from pydicom.uid import UID

from annotator.core.errors import RejectedFile

# Transfer syntax UID -> its name in PS3.6 Annex A. Native ones are decoded by pydicom itself,
# RLE by pydicom or pylibjpeg-rle, JPEG and JPEG-LS by pylibjpeg-libjpeg, JPEG 2000 by pylibjpeg-openjpeg.
SUPPORTED_SYNTAXES: dict[str, str] = {
    "1.2.840.10008.1.2": "Implicit VR Little Endian",
    "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
    "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
    "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
    "1.2.840.10008.1.2.5": "RLE Lossless",
    "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
    "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
    "1.2.840.10008.1.2.4.57": "JPEG Lossless, Non-Hierarchical (Process 14)",
    "1.2.840.10008.1.2.4.70": "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 SV1)",
    "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
    "1.2.840.10008.1.2.4.81": "JPEG-LS Lossy (Near-Lossless)",
    "1.2.840.10008.1.2.4.90": "JPEG 2000 (Lossless Only)",
    "1.2.840.10008.1.2.4.91": "JPEG 2000",
    "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 (Lossless Only)",
    "1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)",
    "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
}
# Without file meta, pydicom reads the body as this (PS3.5 10.1: the default transfer syntax).
DEFAULT_SYNTAX = "1.2.840.10008.1.2"


def syntax_uid(ds: Dataset) -> str:
    """The dataset's transfer syntax UID (Implicit VR Little Endian when the file meta has none)."""
    meta = getattr(ds, "file_meta", None)
    uid = meta.get("TransferSyntaxUID") if meta is not None else None
    return str(uid) if uid else DEFAULT_SYNTAX


def syntax_name(uid: str) -> str:
    """A human name for a transfer syntax UID, from our table or pydicom's UID dictionary."""
    if uid in SUPPORTED_SYNTAXES:
        return SUPPORTED_SYNTAXES[uid]
    name = UID(uid).name
    return name if name and name != uid else "an unknown or private transfer syntax"


def unsupported_reason(uid: str) -> str | None:
    """Why pixel data in this transfer syntax cannot be decoded here, or None when it can."""
    if uid not in SUPPORTED_SYNTAXES:
        return f"the pixel data is encoded as {syntax_name(uid)} ({uid}), which Annotator cannot decode"
    try:
        decoder = get_decoder(UID(uid))
    except NotImplementedError:
        decoder = None
    if decoder is None or not decoder.is_available:
        return f"the pixel data is encoded as {syntax_name(uid)} ({uid}), but no decoder for it is installed"
    return None


def has_pixels(ds: Dataset) -> bool:
    """True when the dataset carries (integer) Pixel Data."""
    return "PixelData" in ds


NATIVE_SYNTAXES = frozenset(
    {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2"}
)


def expected_native_length(ds: Dataset) -> int:
    """Bytes of uncompressed Pixel Data the header describes (rows × columns × samples × frames × bits)."""
    rows, columns = int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0)
    samples, bits = int(ds.get("SamplesPerPixel", 1) or 1), int(ds.get("BitsAllocated", 8) or 8)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    values = rows * columns * samples * frames
    if str(ds.get("PhotometricInterpretation", "")) == "YBR_FULL_422":
        values = values * 2 // 3  # two chroma samples shared by each pair of pixels
    return (values * bits + 7) // 8


def check_decodable(ds: Dataset) -> None:
    """Raise RejectedFile when the pixels cannot be decoded: an unsupported syntax, or native data cut short."""
    if not has_pixels(ds):
        return
    reason = unsupported_reason(syntax_uid(ds))
    if reason:
        raise RejectedFile(reason, code="unsupported_transfer_syntax")
    if syntax_uid(ds) in NATIVE_SYNTAXES and "PixelData" in ds:
        actual, expected = len(ds.PixelData), expected_native_length(ds)
        if actual < expected:
            raise RejectedFile(
                f"the pixel data is {actual} bytes, shorter than the {expected} its header describes "
                "(a truncated file?)",
                code="truncated_pixels",
            )


def decode_frame(ds: Dataset, frame: int) -> tuple[np.ndarray, str]:
    """One frame's stored values, and the photometric interpretation they are in after decoding.

    Colour stays in the colour space the decoder returns (YBR is converted by color.py, not here).
    """
    if not has_pixels(ds):
        raise RejectedFile("the file holds no image (no Pixel Data element)", code="undecodable_pixels")
    check_decodable(ds)
    decoder = get_decoder(UID(syntax_uid(ds)))
    try:
        array, meta = decoder.as_array(ds, index=frame, as_rgb=False)
    except Exception as exc:  # the plugins raise many types for corrupt or inconsistent data
        raise RejectedFile(
            f"the pixel data ({syntax_name(syntax_uid(ds))}) cannot be decoded; the file may be corrupt",
            code="undecodable_pixels",
        ) from exc
    photometric = str(meta.get("photometric_interpretation") or ds.get("PhotometricInterpretation", "MONOCHROME2"))
    return array, photometric
