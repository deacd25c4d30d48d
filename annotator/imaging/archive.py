"""Read uploaded .zip archives defensively: no path tricks, no bombs, no nesting, bounded in every way."""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # an archive, or an empty one
SKIPPED_PREFIXES = ("__MACOSX/",)
CHUNK = 1024 * 1024
MAX_NAME = 255  # characters of an entry's own file name


@dataclass(frozen=True)
class Limits:
    max_entries: int = 20_000
    max_total_bytes: int = 20 * 1024**3
    max_entry_bytes: int = 4 * 1024**3
    max_ratio: int = 200  # uncompressed / compressed, per entry: beyond it, a bomb


@dataclass(frozen=True)
class Entry:
    name: str  # the archive-relative name, for messages only; never a filesystem path
    info: zipfile.ZipInfo


@dataclass(frozen=True)
class Problem:
    name: str
    detail: str
    code: str


class ArchiveError(Exception):
    """The archive as a whole cannot be read."""

    def __init__(self, detail: str, code: str = "bad_archive") -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


def looks_like_zip(head: bytes) -> bool:
    """True when the bytes start like a zip archive."""
    return head.startswith(ZIP_MAGIC)


def entry_problem(info: zipfile.ZipInfo, limits: Limits) -> Problem | None:
    """Why one entry must not be read, or None when it is fine (pure: looks at the header only)."""
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
        return Problem(name, "the entry's path leaves the archive (absolute or ../)", "unsafe_path")
    if stat.S_ISLNK(info.external_attr >> 16):
        return Problem(name, "symbolic links are not accepted in archives", "unsafe_path")
    base = PurePosixPath(name.replace("\\", "/")).name
    if not base.strip():
        return Problem(name, "the entry has no file name", "bad_filename")
    if len(base) > MAX_NAME:
        return Problem(name, f"the entry's file name is {len(base)} characters long, above {MAX_NAME}", "bad_filename")
    if info.flag_bits & 0x1:
        return Problem(name, "encrypted entries cannot be read", "encrypted_entry")
    if info.file_size > limits.max_entry_bytes:
        return Problem(name, f"the entry unpacks to {info.file_size} bytes, above the limit", "entry_too_large")
    if info.file_size > max(info.compress_size, 1) * limits.max_ratio and info.file_size > CHUNK:
        return Problem(name, "the entry is compressed suspiciously well (a zip bomb?)", "zip_bomb")
    return None


def hidden_problem(info: zipfile.ZipInfo) -> Problem | None:
    """macOS metadata (__MACOSX/, ._x) and other hidden files are not images: say so, never drop them silently."""
    base = PurePosixPath(info.filename.replace("\\", "/")).name
    if info.filename.startswith(SKIPPED_PREFIXES) or (base.startswith(".") and base not in {".", ".."}):
        return Problem(info.filename, "hidden files and macOS metadata are not images; skipped", "hidden_file")
    return None


def scan(archive: zipfile.ZipFile, limits: Limits) -> tuple[list[Entry], list[Problem]]:
    """Split an archive's entries into readable ones and refused ones; refuse the whole when too big."""
    infos = [info for info in archive.infolist() if not info.is_dir()]  # folders are not files
    if len(infos) > limits.max_entries:
        raise ArchiveError(f"the archive holds {len(infos)} files, above the limit of {limits.max_entries}")
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_total_bytes:
        raise ArchiveError(f"the archive unpacks to {declared} bytes, above the limit of {limits.max_total_bytes}")
    entries: list[Entry] = []
    problems: list[Problem] = []
    for info in infos:
        problem = entry_problem(info, limits) or hidden_problem(info)
        if problem is None:
            entries.append(Entry(info.filename, info))
        else:
            problems.append(problem)
    return entries, problems


class EntryError(Exception):
    """One entry cannot be read (corrupt, lying header, unsupported); the rest of the archive can."""

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


def copy_entry(archive: zipfile.ZipFile, entry: Entry, out: IO[bytes], limits: Limits) -> int:
    """Stream one entry into out, counting real bytes (headers can lie); raise EntryError when it is bad."""
    written = 0
    try:
        with archive.open(entry.info) as source:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > entry.info.file_size or written > limits.max_entry_bytes:
                    raise EntryError("the entry is larger than its header says", "zip_bomb")
                out.write(chunk)
    except zipfile.BadZipFile as exc:  # zipfile checks the CRC-32 at the end of the data
        detail = "the entry's data is corrupt (its checksum does not match)" if "CRC" in str(exc) else str(exc)
        raise EntryError(detail, "corrupt_entry") from exc
    except (EOFError, zlib.error, OSError, ValueError) as exc:  # truncated or undecodable compressed data
        raise EntryError(f"the entry's data cannot be unpacked ({exc})", "corrupt_entry") from exc
    except NotImplementedError as exc:  # a compression method zipfile does not know
        raise EntryError(f"the entry uses an unsupported compression ({exc})", "corrupt_entry") from exc
    if written != entry.info.file_size:
        raise EntryError(f"the entry holds {written} bytes but its header says {entry.info.file_size}", "corrupt_entry")
    return written


def open_archive(file: IO[bytes]) -> zipfile.ZipFile:
    """Open a zip for reading; a broken one raises ArchiveError."""
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(f"the zip archive cannot be read ({exc})") from exc


def iter_entries(archive: zipfile.ZipFile, limits: Limits) -> Iterator[Entry]:
    """Readable entries, in archive order (for callers that do not need the refused ones)."""
    yield from scan(archive, limits)[0]
