"""Tell an upload's format from its content, never from its name.

`sniff(head)` needs only the first HEAD_BYTES and is what ingest uses; `classify(path)` looks
further into a stored file to tell a whole slide (an OpenSlide vendor format, a pyramidal or very
large TIFF) from a plain raster, and is what the worker and the source factory use.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from annotator.core.errors import RejectedFile
from annotator.imaging.dicom.read import looks_like_dicom
from annotator.imaging.models import ImageKind

HEAD_BYTES = 4096
SLIDE_MIN_PIXELS = 100_000_000  # a TIFF this large (10,000 × 10,000) is handled as a slide even without levels

_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png", "png"),
    (b"\xff\xd8\xff", "jpg", "jpeg"),
    (b"II*\x00", "tif", "tiff"),
    (b"MM\x00*", "tif", "tiff"),
    (b"II+\x00", "tif", "bigtiff"),
    (b"MM\x00+", "tif", "bigtiff"),
)
GZIP_MAGIC = b"\x1f\x8b"
NIFTI1_HEADER, NIFTI2_HEADER = 348, 540
NIFTI2_MAGICS = (b"n+2\x00\r\n\x1a\n", b"ni2\x00\r\n\x1a\n")


@dataclass(frozen=True)
class Sniffed:
    kind: str
    ext: str
    format: str = ""  # png, jpeg, tiff, bigtiff, ome-tiff, nifti1, nifti2, dicom, slide/<vendor>
    vendor: str = ""  # OpenSlide's format name when OpenSlide recognises the file


def sniff(head: bytes) -> Sniffed:
    """Classify a file by its first bytes; unsupported content raises RejectedFile."""
    if not head:
        raise RejectedFile("the file is empty", code="empty_file")
    if looks_like_dicom(head):
        return Sniffed(ImageKind.DICOM, "dcm", "dicom")
    nifti = _nifti_version(head)
    if nifti:
        return Sniffed(ImageKind.RASTER, "nii", nifti)
    if head.startswith(GZIP_MAGIC):
        nifti = _nifti_version(_inflate_head(head))
        if nifti:
            return Sniffed(ImageKind.RASTER, "nii.gz", nifti)
        raise RejectedFile(
            "the file is gzip-compressed but is not a NIfTI volume; only .nii.gz volumes may be compressed",
            code="unsupported_format",
        )
    for signature, ext, name in _SIGNATURES:
        if head.startswith(signature):
            return Sniffed(ImageKind.RASTER, ext, name)
    raise RejectedFile(
        "not a supported image: expected DICOM, PNG, JPEG, TIFF or NIfTI content", code="unsupported_format"
    )


def _nifti_version(head: bytes) -> str:
    """'nifti1' or 'nifti2' for a single-file NIfTI header, '' otherwise; a header-only pair is refused."""
    for order in "<>":
        if len(head) >= NIFTI1_HEADER and struct.unpack(f"{order}i", head[:4])[0] == NIFTI1_HEADER:
            magic = head[344:348]
            if magic == b"n+1\x00":
                return "nifti1"
            if magic == b"ni1\x00":
                raise RejectedFile(
                    "this is the header of a NIfTI .hdr/.img pair; upload the volume as one .nii or .nii.gz file",
                    code="unsupported_format",
                )
        if len(head) >= 12 and struct.unpack(f"{order}i", head[:4])[0] == NIFTI2_HEADER:
            if head[4:12] == NIFTI2_MAGICS[0]:
                return "nifti2"
            if head[4:12] == NIFTI2_MAGICS[1]:
                raise RejectedFile(
                    "this is the header of a NIfTI-2 .hdr/.img pair; upload the volume as one .nii or .nii.gz file",
                    code="unsupported_format",
                )
    return ""


def _inflate_head(head: bytes) -> bytes:
    """As much of a gzip stream's content as its first bytes hold (at most one NIfTI-2 header)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(head, NIFTI2_HEADER)
    except zlib.error:
        return b""


def classify(path: Path) -> Sniffed:
    """Sniff a stored file; TIFFs are looked into: a vendor slide, a pyramidal or very large TIFF is a slide."""
    with path.open("rb") as handle:
        sniffed = sniff(handle.read(HEAD_BYTES))
    if sniffed.ext != "tif":
        return sniffed
    from annotator.imaging.sources import raster, slide

    vendor = slide.detect_vendor(path) or ""
    if vendor and vendor not in slide.TIFF_READABLE:
        return Sniffed(ImageKind.SLIDE, "tif", f"slide/{vendor}", vendor)
    width, height = raster.dimensions(path)
    if raster.is_pyramidal(path) or width * height >= SLIDE_MIN_PIXELS:
        return Sniffed(ImageKind.SLIDE, "tif", f"slide/{vendor or sniffed.format}", vendor)
    if raster.is_ome(path):
        return Sniffed(ImageKind.RASTER, "tif", "ome-tiff", vendor)
    return Sniffed(ImageKind.RASTER, "tif", sniffed.format, vendor)
