"""The error, bounded I/O helpers and the removal report shared by the format strippers."""

from __future__ import annotations

from typing import BinaryIO

CHUNK = 1 << 20  # the most any streaming step holds in memory at once
_ZEROS = bytes(CHUNK)


class MalformedImage(ValueError):
    """The file is structurally broken (bad lengths, offsets outside the file, loops), so it cannot be cleaned."""


def read_exact(handle: BinaryIO, size: int, what: str) -> bytes:
    """Read exactly `size` bytes or raise MalformedImage naming what was being read."""
    data = handle.read(size)
    if len(data) != size:
        raise MalformedImage(f"The file ends in the middle of {what}.")
    return data


_SPACES = b" " * CHUNK


def write_zeros(handle: BinaryIO, offset: int, length: int) -> None:
    """Overwrite `length` bytes at `offset` with zeros, a chunk at a time."""
    _fill(handle, offset, length, _ZEROS)


def write_blank_text(handle: BinaryIO, offset: int, length: int) -> None:
    """Overwrite a NUL-terminated text value with spaces and a final NUL (what TIFF readers accept silently)."""
    if length > 0:
        _fill(handle, offset, length - 1, _SPACES)
        handle.write(b"\0")


def _fill(handle: BinaryIO, offset: int, length: int, block: bytes) -> None:
    """Overwrite `length` bytes at `offset` with repeats of a chunk-sized block."""
    handle.seek(offset)
    while length > 0:
        step = min(length, CHUNK)
        handle.write(block[:step])
        length -= step


def safe_label(raw: bytes, limit: int = 40) -> str:
    """A short printable rendering of a keyword or identifier (never a value) for the report."""
    text = raw[:limit].decode("latin-1")
    return "".join(ch if ch.isascii() and ch.isprintable() else "?" for ch in text)


class Report:
    """Names of removed items in first-seen order, each listed once with where (or how often) it was found."""

    def __init__(self) -> None:
        """Start an empty report."""
        self._seen: dict[str, list[str]] = {}

    def add(self, name: str, where: str = "") -> None:
        """Record that `name` was removed, optionally saying where (an IFD, say)."""
        self._seen.setdefault(name, []).append(where)

    def lines(self) -> list[str]:
        """One human-readable line per removed item."""
        out = []
        for name, places in self._seen.items():
            if places[0]:
                more = f" and {len(places) - 1} more" if len(places) > 1 else ""
                out.append(f"{name} ({places[0]}{more})")
            else:
                out.append(name if len(places) == 1 else f"{name} (×{len(places)})")
        return out
