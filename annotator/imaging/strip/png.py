"""PNG: copy the critical chunks and the display-relevant ancillary ones, drop every other chunk."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import BinaryIO

from annotator.imaging.strip import exif
from annotator.imaging.strip.base import CHUNK, MalformedImage, Report, read_exact, safe_label

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CRITICAL = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND"})
# Binary, fixed-layout chunks a viewer needs for correct colour, transparency, scale or animation frames.
KEEP = frozenset(
    {b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD", b"cICP", b"mDCV", b"cLLI"}
    | {b"acTL", b"fcTL", b"fdAT"}
)
TEXTUAL = frozenset({b"tEXt", b"zTXt", b"iTXt"})
MAX_LENGTH = 2**31 - 1  # PNG chunk lengths are 31-bit
MAX_SMALL = 16 << 20  # iCCP/eXIf bodies we inspect in memory; larger ones are dropped unread
ICC_NAME = b"ICC profile"


def strip_png(src: Path, dst: Path) -> list[str]:
    """Copy a PNG keeping only critical and display chunks; return the names of the chunks removed."""
    size = src.stat().st_size
    report = Report()
    with src.open("rb") as inp, dst.open("wb") as out:
        if inp.read(8) != SIGNATURE:
            raise MalformedImage("The file does not start with the PNG signature.")
        out.write(SIGNATURE)
        position, first, seen_exif = 8, True, False
        while True:
            length, kind = struct.unpack(">I4s", read_exact(inp, 8, f"the chunk header at byte {position}"))
            if not all(65 <= c <= 90 or 97 <= c <= 122 for c in kind):
                raise MalformedImage(f"The PNG chunk at byte {position} has an invalid type.")
            name = kind.decode("ascii")
            if length > MAX_LENGTH or position + 12 + length > size:
                raise MalformedImage(f"The PNG {name} chunk at byte {position} is longer than the file.")
            if first != (kind == b"IHDR") or (kind == b"IHDR" and length != 13):
                raise MalformedImage("The PNG does not start with a valid IHDR chunk.")
            first = False
            if kind in CRITICAL or (kind in KEEP and kind != b"iCCP"):
                _copy_chunk(inp, out, kind, length)
            elif kind in (b"iCCP", b"eXIf") and length <= MAX_SMALL:
                body = _read_chunk(inp, kind, length)
                if kind == b"iCCP":
                    _write_icc(out, body, report)
                else:
                    value = exif.orientation(body)
                    kept = bool(value and value != 1 and not seen_exif)
                    if value and kept:
                        _write_chunk(out, b"eXIf", exif.minimal(value))
                    report.add("PNG eXIf (Orientation kept)" if kept else "PNG eXIf")
                    seen_exif = True
            elif kind[0] < 97 and kind not in CRITICAL:
                raise MalformedImage(f"The PNG has an unknown critical chunk {name!r}.")
            else:
                head = _skip_chunk(inp, kind, length)
                if kind in TEXTUAL:
                    keyword = safe_label(head.split(b"\0", 1)[0], 79)
                    report.add(f"PNG {name} '{keyword}'")
                else:
                    report.add(f"PNG {name}")
            position += 12 + length
            if kind == b"IEND":
                break
    if size > position:
        report.add(f"PNG data after IEND ({size - position} bytes)")
    return report.lines()


def _stream(inp: BinaryIO, out: BinaryIO | None, kind: bytes, length: int, keep_head: int = 0) -> bytes:
    """Pass a chunk body through (to `out` if given), check its CRC, and return its first `keep_head` bytes."""
    crc = zlib.crc32(kind)
    head = b""
    remaining = length
    while remaining:
        block = read_exact(inp, min(remaining, CHUNK), f"a PNG {kind.decode()} chunk")
        crc = zlib.crc32(block, crc)
        if len(head) < keep_head:
            head += block[: keep_head - len(head)]
        if out is not None:
            out.write(block)
        remaining -= len(block)
    stored = read_exact(inp, 4, f"the CRC of a PNG {kind.decode()} chunk")
    if struct.unpack(">I", stored)[0] != crc:
        raise MalformedImage(f"A PNG {kind.decode()} chunk fails its CRC check.")
    if out is not None:
        out.write(stored)
    return head


def _copy_chunk(inp: BinaryIO, out: BinaryIO, kind: bytes, length: int) -> None:
    """Copy one chunk verbatim, streaming, after its header was read."""
    out.write(struct.pack(">I", length) + kind)
    _stream(inp, out, kind, length)


def _skip_chunk(inp: BinaryIO, kind: bytes, length: int) -> bytes:
    """Read past one chunk (checking its CRC) and return the start of its body, enough for a keyword."""
    return _stream(inp, None, kind, length, keep_head=80)


def _read_chunk(inp: BinaryIO, kind: bytes, length: int) -> bytes:
    """Read one small chunk's whole body, checking its CRC."""
    return _stream(inp, None, kind, length, keep_head=length)


def _write_chunk(out: BinaryIO, kind: bytes, body: bytes) -> None:
    """Write a chunk with a freshly computed CRC."""
    out.write(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind))))


def _write_icc(out: BinaryIO, body: bytes, report: Report) -> None:
    """Keep an ICC profile but replace its free-text profile name with a fixed one."""
    name, sep, rest = body.partition(b"\0")
    if not sep or not 1 <= len(name) <= 79:
        raise MalformedImage("The PNG iCCP chunk has no valid profile name.")
    if name != ICC_NAME:
        report.add("PNG iCCP profile name")
    _write_chunk(out, b"iCCP", ICC_NAME + b"\0" + rest)
