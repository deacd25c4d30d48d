"""Read the one EXIF field worth keeping (Orientation) and build a minimal EXIF block that holds only it."""

from __future__ import annotations

import struct

ORIENTATION = 0x0112
_SHORT = 3


def orientation(blob: bytes) -> int | None:
    """The Orientation of IFD0 in an in-memory TIFF-structured EXIF block, or None when absent or unreadable."""
    if len(blob) < 8 or blob[:2] not in (b"II", b"MM"):
        return None
    order = "<" if blob[:2] == b"II" else ">"
    magic, ifd = struct.unpack_from(f"{order}HI", blob, 2)
    if magic != 42 or ifd + 2 > len(blob):
        return None
    (count,) = struct.unpack_from(f"{order}H", blob, ifd)
    for index in range(count):
        entry = ifd + 2 + 12 * index
        if entry + 12 > len(blob):
            return None
        tag, kind, number = struct.unpack_from(f"{order}HHI", blob, entry)
        if tag == ORIENTATION and kind == _SHORT and number == 1:
            (value,) = struct.unpack_from(f"{order}H", blob, entry + 8)
            return value if 1 <= value <= 8 else None
    return None


def minimal(value: int) -> bytes:
    """A big-endian TIFF-structured EXIF block whose only field is IFD0 Orientation = value."""
    entry = struct.pack(">HHIHH", ORIENTATION, _SHORT, 1, value, 0)
    return b"MM\x00\x2a" + struct.pack(">IH", 8, 1) + entry + struct.pack(">I", 0)
