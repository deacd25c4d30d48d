"""Tell an upload's format from its first bytes, never from its name."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.core.errors import RejectedFile
from annotator.imaging.dicom.read import looks_like_dicom
from annotator.imaging.models import ImageKind

HEAD_BYTES = 132

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"II*\x00", "tif"),
    (b"MM\x00*", "tif"),
    (b"II+\x00", "tif"),  # BigTIFF
    (b"MM\x00+", "tif"),
)


@dataclass(frozen=True)
class Sniffed:
    kind: str
    ext: str


def sniff(head: bytes) -> Sniffed:
    """Classify a file by its magic bytes; unsupported content raises RejectedFile."""
    if not head:
        raise RejectedFile("the file is empty", code="empty_file")
    if looks_like_dicom(head):
        return Sniffed(ImageKind.DICOM, "dcm")
    for signature, ext in _SIGNATURES:
        if head.startswith(signature):
            return Sniffed(ImageKind.RASTER, ext)
    raise RejectedFile("not a supported image: expected DICOM, PNG, JPEG or TIFF content", code="unsupported_format")
