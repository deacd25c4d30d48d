"""Test helpers: a tiny TIFF/BigTIFF writer (for EXIF/GPS IFDs and broken layouts) and JPEG segment surgery."""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

IDENTIFYING = (b"Doe^Jane", b"Doe_Jane", b"jdoe", b"01/02/2020", b"2020:01:02", b"PatientName", b"SS1234")

BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SLONG, FLOAT, LONG8 = 1, 2, 3, 4, 5, 7, 9, 11, 16


def leaks(data: bytes) -> list[bytes]:
    """The identifying test strings that still occur in `data` (also as UTF-16, as ImageJ stores text)."""
    found = []
    for secret in IDENTIFYING:
        if secret in data or secret.decode().encode("utf-16-be") in data or secret.decode().encode("utf-16-le") in data:
            found.append(secret)
    return found


class TiffBuilder:
    """Write a TIFF or BigTIFF in memory from tag dictionaries; pointer tags may hold a nested dictionary."""

    def __init__(self, *, big: bool = False, order: str = "<") -> None:
        """Start a file with the chosen flavour and byte order."""
        self.big, self.order = big, order
        self.field = 8 if big else 4
        self.buf = bytearray(b"II" if order == "<" else b"MM")
        self.buf += struct.pack(f"{order}HHHQ", 43, 8, 0, 0) if big else struct.pack(f"{order}HI", 42, 0)
        self.first_field = 8 if big else 4

    def blob(self, data: bytes) -> int:
        """Append raw bytes (word-aligned) and return their offset."""
        if len(self.buf) % 2:
            self.buf += b"\0"
        offset = len(self.buf)
        self.buf += data
        return offset

    def _encode(self, kind: int, value: Any) -> tuple[int, bytes]:
        """(count, packed bytes) of one value."""
        o = self.order
        if kind == ASCII:
            raw = value.encode() + b"\0" if isinstance(value, str) else bytes(value)
            return len(raw), raw
        if kind in (BYTE, UNDEFINED):
            return len(value), bytes(value)
        values = list(value) if isinstance(value, Sequence) else [value]
        if kind == RATIONAL:
            return len(values), b"".join(struct.pack(f"{o}II", *pair) for pair in values)
        fmt = {SHORT: "H", LONG: "I", LONG8: "Q", SLONG: "i", FLOAT: "f", 13: "I", 18: "Q"}[kind]
        return len(values), struct.pack(f"{o}{len(values)}{fmt}", *values)

    def ifd(self, tags: Mapping[int, tuple[int, Any]]) -> tuple[int, int]:
        """Write one directory (nested dictionaries first); return (its offset, offset of its next-IFD field)."""
        entries = []
        for tag, (kind, value) in sorted(tags.items()):
            if isinstance(value, Mapping):
                value = self.ifd(value)[0]
            count, raw = self._encode(kind, value)
            if len(raw) > self.field:
                raw = struct.pack(f"{self.order}{'Q' if self.big else 'I'}", self.blob(raw))
            entries.append((tag, kind, count, raw.ljust(self.field, b"\0")))
        head = "Q" if self.big else "H"
        entry = f"{self.order}HH{'Q' if self.big else 'I'}{self.field}s"
        table = struct.pack(f"{self.order}{head}", len(entries)) + b"".join(struct.pack(entry, *e) for e in entries)
        offset = self.blob(table + bytes(self.field))
        return offset, offset + len(table)

    def image_tags(self, pixels: np.ndarray, *, rows_per_strip: int | None = None) -> dict[int, tuple[int, Any]]:
        """Baseline tags and uncompressed strips for an 8-bit grey (H, W) or RGB (H, W, 3) array."""
        height, width = pixels.shape[:2]
        samples = 1 if pixels.ndim == 2 else pixels.shape[2]
        rows = rows_per_strip or height
        row_bytes = width * samples
        data = pixels.tobytes()
        offsets, counts = [], []
        for top in range(0, height, rows):
            piece = data[top * row_bytes : min(height, top + rows) * row_bytes]
            offsets.append(self.blob(piece))
            counts.append(len(piece))
        kind = LONG8 if self.big else LONG
        return {
            256: (LONG, width),
            257: (LONG, height),
            258: (SHORT, [8] * samples),
            259: (SHORT, 1),
            262: (SHORT, 1 if samples == 1 else 2),
            273: (kind, offsets),
            277: (SHORT, samples),
            278: (LONG, rows),
            279: (kind, counts),
        }

    def build(self, ifds: Sequence[Mapping[int, tuple[int, Any]]]) -> bytes:
        """Write the main chain of directories and return the file's bytes."""
        previous = self.first_field
        for tags in ifds:
            offset, next_field = self.ifd(tags)
            struct.pack_into(f"{self.order}{'Q' if self.big else 'I'}", self.buf, previous, offset)
            previous = next_field
        return bytes(self.buf)


def jpeg_segment(marker: int, body: bytes) -> bytes:
    """One JPEG marker segment."""
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


def insert_after_soi(jpeg: bytes, *segments: bytes) -> bytes:
    """Insert segments right after SOI."""
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def insert_before_marker(jpeg: bytes, marker: int, *segments: bytes, occurrence: int = 1) -> bytes:
    """Insert segments before the n-th occurrence of a marker (e.g. the second SOS of a progressive JPEG)."""
    position = -1
    for _ in range(occurrence):
        position = jpeg.index(bytes((0xFF, marker)), position + 1)
    return jpeg[:position] + b"".join(segments) + jpeg[position:]
