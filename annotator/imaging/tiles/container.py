"""Tile storage: one Deep Zoom pyramid as a single zip written by dzsave, plus an index of byte ranges.

Writing each tile as its own file costs about as much kernel time as encoding it, and a whole
slide has tens of thousands of tiles; so dzsave writes one zip with uncompressed (stored)
entries, and `<name>.idx` records, for every tile in Deep Zoom order, where its bytes start in
the zip and how long they are. Serving a tile is then two positioned reads — no directory
lookup, no zip parsing — and the same byte ranges would work as HTTP range reads from object
storage — and do with an object store (STORAGE_BACKEND=s3): there a pyramid is written locally,
published (zip first, index last, so an index means a whole pyramid), and a tile is one ranged read of
the stored zip, its index cached in this process per pyramid version. benchmarks/pyramid_bench.py
compares this with a file per tile and with a tiled TIFF; benchmarks/scale_bench.py, store with disk.

Index layout: 8-byte magic, little-endian u32 header length, a JSON header (grid, tile format),
then one `<QI` record (offset, length) per tile numbered by DeepZoom.t_index.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pyvips

from annotator.core.storage import StoreError, store
from annotator.imaging.tiles.deepzoom import DeepZoom

INDEX_MAGIC = b"ANTIDX1\n"
RECORD = struct.Struct("<QI")
LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, …, file name length, extra field length
LOCAL_SIGNATURE = b"PK\x03\x04"
TILE_SIZE = 254
OVERLAP = 1
SUFFIXES = {"jpeg": ".jpeg[Q=90,keep=none]", "png": ".png[compression=6,keep=none]"}
_TILE_NAME = re.compile(r"_files/(\d+)/(\d+)_(\d+)\.(?:jpeg|png)$")


class ContainerError(Exception):
    """A pyramid's files are missing or do not agree with each other."""


@dataclass(frozen=True)
class Pyramid:
    """Where one pyramid lives and what its grid is."""

    zip_path: Path
    index_path: Path
    grid: DeepZoom
    tile_format: str
    records_start: int  # where the index's tile records begin
    version: str = ""  # which build of the image this is (caches of a remote index are keyed by it)
    remote: bool = False  # read through the object store (else: local files)


def paths(folder: Path, name: str) -> tuple[Path, Path]:
    """The zip and index paths of pyramid `name` in `folder`."""
    return folder / f"{name}.zip", folder / f"{name}.idx"


def exists(folder: Path, name: str) -> bool:
    zip_path, index_path = paths(folder, name)
    files = store()
    if files.remote:
        return files.exists(index_path)  # published after its zip
    return zip_path.is_file() and index_path.is_file()


def write(image: pyvips.Image, folder: Path, name: str, *, tile_format: str) -> Pyramid:
    """Write `image` as pyramid `name` in `folder` (zip, then index, each moved into place atomically)."""
    if tile_format not in SUFFIXES:
        raise ValueError(f"unknown tile format {tile_format!r}")
    if tile_format == "jpeg" and image.hasalpha():
        image = image.flatten(background=[255])
    folder.mkdir(parents=True, exist_ok=True)
    grid = DeepZoom(image.width, image.height, TILE_SIZE, OVERLAP)
    zip_path, index_path = paths(folder, name)
    with tempfile.TemporaryDirectory(dir=folder, prefix=f".{name}-") as scratch:
        partial_zip = Path(scratch) / "tiles.zip"
        image.dzsave(
            str(partial_zip),
            suffix=SUFFIXES[tile_format],
            tile_size=TILE_SIZE,
            overlap=OVERLAP,
            layout="dz",
            keep="none",
        )
        partial_index = Path(scratch) / "tiles.idx"
        _write_index(partial_zip, partial_index, grid, tile_format)
        os.replace(partial_zip, zip_path)
        os.replace(partial_index, index_path)
    files = store()
    if files.remote:
        files.publish(zip_path)
        files.publish(index_path)
    return open_pyramid(folder, name, local=True)  # its files are still here, whatever the store


def _write_index(zip_path: Path, index_path: Path, grid: DeepZoom, tile_format: str) -> None:
    records = bytearray(RECORD.size * grid.t_count())
    seen = 0
    with zipfile.ZipFile(zip_path) as archive, zip_path.open("rb") as raw:
        for info in archive.infolist():
            match = _TILE_NAME.search(info.filename)
            if match is None:
                continue  # the .dzi and dzsave's properties file: we write our own descriptor
            if info.compress_type != zipfile.ZIP_STORED:
                raise ContainerError(f"{info.filename} is compressed in the zip; tiles must be stored")
            level, col, row = (int(part) for part in match.groups())
            number = grid.t_index(level, col, row)
            if number is None:
                raise ContainerError(f"{info.filename} is outside the Deep Zoom grid {grid}")
            raw.seek(info.header_offset)
            signature, name_length, extra_length = LOCAL_HEADER.unpack(raw.read(LOCAL_HEADER.size))
            if signature != LOCAL_SIGNATURE:
                raise ContainerError(f"no local header for {info.filename}")
            start = info.header_offset + LOCAL_HEADER.size + name_length + extra_length
            RECORD.pack_into(records, number * RECORD.size, start, info.file_size)
            seen += 1
    if seen != grid.t_count():
        raise ContainerError(f"the zip holds {seen} tiles; the grid {grid} has {grid.t_count()}")
    header = json.dumps(
        {
            "width": grid.l0_width,
            "height": grid.l0_height,
            "tile_size": grid.tile_size,
            "overlap": grid.overlap,
            "format": tile_format,
        }
    ).encode()
    with index_path.open("wb") as out:
        out.write(INDEX_MAGIC + struct.pack("<I", len(header)) + header)
        out.write(records)


def open_pyramid(folder: Path, name: str, *, version: str = "", local: bool = False) -> Pyramid:
    """The pyramid `name` in `folder`; ContainerError when it is missing or unreadable.

    `version` names the build (the image's processing time): a remote pyramid's header and index are
    cached per version, so a re-processed image is never read through an older build's offsets.
    """
    zip_path, index_path = paths(folder, name)
    files = store()
    if files.remote and not local:
        grid, tile_format, records_start = _remote_index(files.key(index_path), version)[:3]
        return Pyramid(zip_path, index_path, grid, tile_format, records_start, version, remote=True)
    try:
        stat = index_path.stat()
    except FileNotFoundError as exc:
        raise ContainerError(f"no pyramid {name} in {folder}") from exc
    grid, tile_format, records_start = _header(str(index_path), stat.st_mtime_ns, stat.st_size)
    return Pyramid(zip_path, index_path, grid, tile_format, records_start, version)


def _parse_header(start: bytes, where: str) -> tuple[int, int]:
    """The JSON header's length and where it starts, from the index's first bytes."""
    if len(start) < len(INDEX_MAGIC) + 4 or not start.startswith(INDEX_MAGIC):
        raise ContainerError(f"{where} is not a tile index")
    (length,) = struct.unpack("<I", start[len(INDEX_MAGIC) : len(INDEX_MAGIC) + 4])
    return length, len(INDEX_MAGIC) + 4


def _grid(fields: dict[str, object]) -> tuple[DeepZoom, str]:
    numbers = [int(str(fields[key])) for key in ("width", "height", "tile_size", "overlap")]
    return DeepZoom(*numbers), str(fields["format"])


@functools.lru_cache(maxsize=512)
def _header(index_path: str, mtime_ns: int, size: int) -> tuple[DeepZoom, str, int]:
    """Grid, tile format and where the records start; cached per file version (path, mtime, size)."""
    with open(index_path, "rb") as handle:
        length, offset = _parse_header(handle.read(len(INDEX_MAGIC) + 4), index_path)
        fields = json.loads(handle.read(length))
    grid, tile_format = _grid(fields)
    return grid, tile_format, offset + length


@functools.lru_cache(maxsize=256)
def _remote_index(key: str, version: str) -> tuple[DeepZoom, str, int, bytes]:
    """A stored index read whole (one request; 12 bytes a tile), cached per key and build version."""
    files = store()
    try:
        data = files.read(files.root / key)
    except StoreError as exc:
        raise ContainerError(f"no pyramid at {key}: {exc}") from exc
    length, offset = _parse_header(data[: len(INDEX_MAGIC) + 4], key)
    grid, tile_format = _grid(json.loads(data[offset : offset + length]))
    return grid, tile_format, offset + length, data


def read_tile(pyramid: Pyramid, level: int, col: int, row: int) -> bytes | None:
    """The encoded bytes of one tile, or None when the grid has no such tile."""
    number = pyramid.grid.t_index(level, col, row)
    if number is None:
        return None
    if pyramid.remote:
        files = store()
        index = _remote_index(files.key(pyramid.index_path), pyramid.version)[3]
        start, length = RECORD.unpack_from(index, pyramid.records_start + number * RECORD.size)
        try:
            data = files.read_range(pyramid.zip_path, start, length)
        except StoreError as exc:
            raise ContainerError(str(exc)) from exc
        if len(data) != length:
            raise ContainerError(f"{pyramid.zip_path} is shorter than its index says")
        return data
    return _read_local(pyramid, number)


def _read_local(pyramid: Pyramid, number: int) -> bytes:
    try:
        index_fd = os.open(pyramid.index_path, os.O_RDONLY)
        try:
            start, length = RECORD.unpack(os.pread(index_fd, RECORD.size, pyramid.records_start + number * RECORD.size))
        finally:
            os.close(index_fd)
        zip_fd = os.open(pyramid.zip_path, os.O_RDONLY)
    except FileNotFoundError as exc:  # removed since it was opened (re-processing) or lost
        raise ContainerError(f"{exc.filename} is missing") from exc
    try:
        data = os.pread(zip_fd, length, start)
    finally:
        os.close(zip_fd)
    if len(data) != length:
        raise ContainerError(f"{pyramid.zip_path} is shorter than its index says")
    return data


def remove(folder: Path, name: str) -> None:
    """Delete pyramid `name` and any scratch folder a killed build left behind."""
    for path in paths(folder, name):
        path.unlink(missing_ok=True)
    for scratch in folder.glob(f".{name}-*"):
        shutil.rmtree(scratch, ignore_errors=True)
    files = store()
    if files.remote:
        for path in paths(folder, name):
            files.delete(path)
