"""JPEG: keep the coding segments, JFIF, ICC and Adobe; drop EXIF, XMP, IPTC, comments and other APPn."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from annotator.imaging.strip import exif
from annotator.imaging.strip.base import CHUNK, MalformedImage, Report, safe_label

SOI, EOI, SOS, COM, APP0, APP1, APP2, APP14 = 0xD8, 0xD9, 0xDA, 0xFE, 0xE0, 0xE1, 0xE2, 0xEE
# Frame headers (SOF0-15 except DHT C4, JPG C8, DAC CC) and the table / restart / hierarchy segments coding needs.
FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
CODING = FRAMES | {0xC4, 0xCC, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xF7, 0xF8}  # F7/F8: JPEG-LS frame and LSE
MAX_HEADER = 64 << 20  # kept segments before the first scan are buffered (to put JFIF/EXIF first); bounded

EXIF_ID = b"Exif\0\0"
XMP_ID = b"http://ns.adobe.com/xap/1.0/\0"
XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\0"


class _Input:
    """A forward-only buffered reader over the source that knows its absolute position."""

    def __init__(self, handle: BinaryIO) -> None:
        """Wrap an open binary file positioned at its start."""
        self.handle = handle
        self.buf = b""
        self.i = 0
        self.base = 0  # file offset of buf[0]

    @property
    def pos(self) -> int:
        """The absolute offset of the next unread byte."""
        return self.base + self.i

    def fill(self, n: int) -> bool:
        """Make at least n unread bytes available; False when the file ends first."""
        if len(self.buf) - self.i >= n:
            return True
        more = self.handle.read(max(CHUNK, n))
        self.base += self.i
        self.buf = self.buf[self.i :] + more
        self.i = 0
        return len(self.buf) >= n

    def read(self, n: int, what: str) -> bytes:
        """Read exactly n bytes or raise MalformedImage."""
        if not self.fill(n):
            raise MalformedImage(f"The JPEG ends in the middle of {what}.")
        data = self.buf[self.i : self.i + n]
        self.i += n
        return data


def strip_jpeg(src: Path, dst: Path) -> list[str]:
    """Copy a JPEG without metadata segments, keeping every scan's entropy-coded data verbatim."""
    size = src.stat().st_size
    report = Report()
    with src.open("rb") as handle, dst.open("wb") as out:
        inp = _Input(handle)
        if not inp.fill(2) or inp.read(2, "the SOI marker") != b"\xff\xd8":
            raise MalformedImage("The file does not start with a JPEG SOI marker.")
        header = _Header()
        marker = _marker(inp)
        scans = 0
        while marker != EOI:
            if marker == SOS:
                if not header.frame:
                    raise MalformedImage("The JPEG has a scan (SOS) before any frame header (SOF).")
                if not scans:
                    header.flush(out)
                out.write(b"\xff\xda" + _segment(inp, marker))
                scans += 1
                marker = _copy_scan(inp, out)
                continue
            if marker == SOI or 0xD0 <= marker <= 0xD7 or marker == 0x00 or 0x02 <= marker <= 0xBF:
                raise MalformedImage(f"The JPEG has an unexpected marker 0xFF{marker:02X} at byte {inp.pos - 2}.")
            if marker != 0x01:  # TEM has no body and no meaning; it is dropped
                body = _segment(inp, marker)
                kept = _keep(marker, body, report, header, first_scan=not scans)
                if kept is not None and not scans:
                    header.write(marker, kept)
                elif kept is not None:
                    out.write(_pack(marker, kept))
            marker = _marker(inp)
        if not scans:
            raise MalformedImage("The JPEG has no image data (EOI before any scan).")
        out.write(b"\xff\xd9")
        if size > inp.pos:
            report.add(f"JPEG data after EOI ({size - inp.pos} bytes)")
    return report.lines()


class _Header:
    """Segments before the first scan, buffered so that JFIF and a minimal EXIF can be written first."""

    def __init__(self) -> None:
        """Start with nothing buffered."""
        self.jfif: bytes | None = None
        self.orientation: int | None = None
        self.frame = False
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, marker: int, body: bytes) -> None:
        """Buffer one kept segment (bounded)."""
        self.frame = self.frame or marker in FRAMES
        if marker == APP0:
            self.jfif = body
            return
        self.parts.append(_pack(marker, body))
        self.size += len(body)
        if self.size > MAX_HEADER:
            raise MalformedImage("The JPEG has more header segments than any image needs.")

    def flush(self, out: BinaryIO) -> None:
        """Write SOI, JFIF, the minimal EXIF (if the image was rotated) and the buffered segments."""
        out.write(b"\xff\xd8")
        if self.jfif is not None:
            out.write(_pack(APP0, self.jfif))
        if self.orientation and self.orientation != 1:
            out.write(_pack(APP1, EXIF_ID + exif.minimal(self.orientation)))
        out.writelines(self.parts)
        self.parts = []


def _keep(marker: int, body: bytes, report: Report, header: _Header, *, first_scan: bool) -> bytes | None:
    """The body to write for one segment (possibly trimmed), or None to drop it (recorded in the report)."""
    if marker in CODING:
        return body
    if marker == APP0 and body.startswith(b"JFIF\0") and len(body) >= 14 and first_scan and header.jfif is None:
        if body[12:14] != b"\0\0" or len(body) > 14:
            report.add("JPEG JFIF thumbnail")
        return body[:12] + b"\0\0"
    if marker == APP2 and body.startswith(b"ICC_PROFILE\0"):
        return body
    if marker == APP14 and body.startswith(b"Adobe"):
        return body
    if marker == COM:
        report.add("JPEG COM")
    elif marker == APP1 and body.startswith(EXIF_ID):
        value = exif.orientation(body[len(EXIF_ID) :])
        if first_scan and header.orientation is None and value:
            header.orientation = value
        report.add("JPEG APP1 Exif" + (" (Orientation kept)" if value and value != 1 and first_scan else ""))
    elif marker == APP1 and body.startswith((XMP_ID, XMP_EXT_ID)):
        report.add("JPEG APP1 XMP" + (" (extended)" if body.startswith(XMP_EXT_ID) else ""))
    elif 0xE0 <= marker <= 0xEF:
        ident = safe_label(body.split(b"\0", 1)[0], 32).strip() or "?"
        report.add(f"JPEG APP{marker - 0xE0} '{ident}'")
    else:
        report.add(f"JPEG marker 0xFF{marker:02X}")
    return None


def _pack(marker: int, body: bytes) -> bytes:
    """A marker segment from its body."""
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


def _marker(inp: _Input) -> int:
    """Read the next marker (skipping fill bytes); anything else where a marker must be is malformed."""
    at = inp.pos
    if inp.read(1, "a marker") != b"\xff":
        raise MalformedImage(f"The JPEG has no marker where one must be (byte {at}).")
    code = inp.read(1, "a marker")[0]
    while code == 0xFF:
        code = inp.read(1, "a marker")[0]
    return code


def _segment(inp: _Input, marker: int) -> bytes:
    """Read one marker segment's length-prefixed body (at most 65533 bytes)."""
    (length,) = struct.unpack(">H", inp.read(2, f"the length of segment 0xFF{marker:02X}"))
    if length < 2:
        raise MalformedImage(f"The JPEG segment 0xFF{marker:02X} at byte {inp.pos - 4} has an invalid length.")
    body = inp.read(length - 2, f"segment 0xFF{marker:02X}")
    return (struct.pack(">H", length) + body) if marker == SOS else body


def _copy_scan(inp: _Input, out: BinaryIO) -> int:
    """Copy entropy-coded data verbatim up to the next marker other than stuffing or RSTn; return that marker."""
    while True:
        if not inp.fill(2):
            raise MalformedImage("The JPEG ends inside entropy-coded data, without an EOI marker.")
        buf, start = inp.buf, inp.i
        j = buf.find(b"\xff", start)
        while j != -1 and j + 1 < len(buf):
            follower = buf[j + 1]
            if follower == 0 or 0xD0 <= follower <= 0xD7:
                j = buf.find(b"\xff", j + 2)
                continue
            out.write(buf[start:j])
            inp.i = j
            return _marker(inp)
        end = len(buf) if j == -1 else j  # j is the buffer's last byte: keep it for the next round
        out.write(buf[start:end])
        inp.i = end
