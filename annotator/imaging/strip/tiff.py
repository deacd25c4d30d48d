"""TIFF and BigTIFF: copy the file, then blank identifying values in place without changing the layout."""

from __future__ import annotations

import math
import re
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from annotator.imaging.strip import descriptions
from annotator.imaging.strip.base import CHUNK, MalformedImage, Report, read_exact, write_blank_text, write_zeros
from annotator.imaging.strip.blank import black_segment
from annotator.imaging.strip.coverage import Coverage

MAX_IFDS = 200_000  # directories walked (image IFDs and SubIFDs) before the file is refused
MAX_ENTRIES = 65_535  # entries in one directory (the classic TIFF maximum, applied to BigTIFF too)
MAX_SUBIFDS = 65_536  # SubIFD offsets in one directory
MAX_DESCRIPTION = 16 << 20  # larger ImageDescriptions are blanked without being read
ARRAY_CHUNK = 1 << 20  # strip/tile offsets read per step
MAX_BLACK_SEGMENTS = 100_000  # label/macro images with more pieces are zero-filled rather than re-encoded

TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8}
ASCII = 2
_UINT = {3: "u2", 4: "u4", 13: "u4", 16: "u8", 18: "u8"}

# Tags kept verbatim: how to decode and display the pixels (TIFF 6.0 baseline and extensions, TIFF/IT depth,
# ICC profile, GeoTIFF numbers) plus Make and Model (the device type, kept like DICOM's basic profile does).
KEEP = frozenset(
    {254, 255, 256, 257, 258, 259, 262, 263, 264, 265, 266, 271, 272, 273, 274, 277, 278, 279, 280, 281, 282, 283}
    | {284, 286, 287, 288, 289, 290, 291, 292, 293, 296, 297, 301, 317, 318, 319, 320, 321, 322, 323, 324, 325}
    | {326, 327, 328, 330, 332, 334, 336, 338, 339, 340, 341, 342, 343, 344, 345, 346, 347, 351, 512, 513, 514}
    | {515, 517, 518, 519, 520, 521, 529, 530, 531, 532, 559, 32995, 32996, 32997, 32998, 34675}
    | {33550, 33922, 34264, 34735, 34736}
)
# Hamamatsu NDPI's technical tags, which OpenSlide needs to read the slide: format flag, source lens (objective
# power; -1 marks the macro photo, -2 the tissue map), x/y offset and focal plane, MCU starts and the high bytes
# of offsets past 4 GB. NDPI's reference (barcode) text, serial number and property map are blanked like others.
NDPI_FORMAT_FLAG, NDPI_SOURCE_LENS = 65420, 65421
NDPI_KEEP = frozenset({NDPI_FORMAT_FLAG, NDPI_SOURCE_LENS, 65422, 65423, 65424, 65426, 65432, 65324, 65325})
NDPI_MACRO_LENS = -1.0
DESCRIPTION, SUBIFDS, JPEG_OFFSET, JPEG_LENGTH = 270, 330, 513, 514
IMAGEJ_COUNTS, IMAGEJ_DATA = 50838, 50839  # ImageJ's private metadata (info, labels, ROIs, properties...)
# Pointers to private directories (EXIF, GPS, Interoperability): the directory is rewritten as a valid one-entry
# directory holding only its version field, and everything it referenced becomes unreferenced and is wiped.
POINTERS = {
    34665: ("EXIF IFD", (0x9000, 7, 4, b"0232")),
    34853: ("GPS IFD", (0x0000, 1, 4, b"\x02\x03\x00\x00")),
    40965: ("Interoperability IFD", (0x0001, 2, 4, b"R98\x00")),
}
NAMES = {
    269: "DocumentName",
    270: "ImageDescription",
    285: "PageName",
    305: "Software",
    306: "DateTime",
    315: "Artist",
    316: "HostComputer",
    333: "InkNames",
    337: "TargetPrinter",
    700: "XMP",
    32781: "ImageID",
    33432: "Copyright",
    33723: "IPTC",
    34377: "Photoshop",
    34412: "LSM info",
    37510: "UserComment",
    50838: "ImageJ metadata byte counts",
    50839: "ImageJ metadata",
    51123: "Micro-Manager metadata",
    65427: "NDPI reference",
    65449: "NDPI property map",
}
_IMAGEJ_IMAGES = re.compile(rb"(?m)^images=(\d+)\s*$")


@dataclass(frozen=True)
class _Entry:
    """One directory entry: where its value field is, and where (and how long) its value is."""

    tag: int
    kind: int
    count: int
    field: int  # file offset of the entry's value/offset field
    raw: bytes  # the value/offset field itself
    size: int | None  # value size in bytes, None for an unknown type
    at: int  # file offset of the value (== field when inline)

    @property
    def inline(self) -> bool:
        """True when the value sits in the entry itself."""
        return self.at == self.field


def strip_tiff(src: Path, dst: Path) -> list[str]:
    """Copy a TIFF/BigTIFF and blank its identifying values in place; return what was blanked."""
    size = src.stat().st_size
    with src.open("rb") as inp:
        walker = _Walker(inp, size)  # validates the header before anything is written
        shutil.copyfile(src, dst)
        with dst.open("r+b") as out:
            walker.run(out)
    return walker.report.lines()


class _Walker:
    """Walks every image directory of a TIFF, writing the blanking patches into the copy as it goes."""

    def __init__(self, inp: BinaryIO, size: int) -> None:
        """Read and check the header."""
        self.inp, self.size = inp, size
        head = read_exact(inp, 16 if size >= 16 else 8, "the TIFF header")
        if head[:2] not in (b"II", b"MM"):
            raise MalformedImage("The file does not start with a TIFF byte-order mark.")
        self.order = "<" if head[:2] == b"II" else ">"
        (magic,) = struct.unpack_from(f"{self.order}H", head, 2)
        if magic == 42:
            self.big, self.header = False, 8
            (self.first,) = struct.unpack_from(f"{self.order}I", head, 4)
        elif magic == 43 and len(head) == 16 and struct.unpack_from(f"{self.order}HH", head, 4) == (8, 0):
            self.big, self.header = True, 16
            (self.first,) = struct.unpack_from(f"{self.order}Q", head, 8)
        else:
            raise MalformedImage("The file has a TIFF byte-order mark but no valid TIFF or BigTIFF header.")
        if not self.first:
            raise MalformedImage("The TIFF has no image directory.")
        self.count_fmt, self.offset_fmt = ("Q", "Q") if self.big else ("H", "I")
        self.count_size, self.entry_size, self.field_size = (8, 20, 8) if self.big else (2, 12, 4)
        self.coverage = Coverage()
        self.coverage.add(0, self.header)
        self.report = Report()
        self.visited: set[int] = set()
        self.pointer_targets: set[int] = set()
        self.subifd_count = 0
        self.imagej: tuple[int, int, int] | None = None  # (images, first data offset, bytes per image)
        self.out: BinaryIO

    # ---- walking

    def run(self, out: BinaryIO) -> None:
        """Walk the main chain and every SubIFD tree, then wipe every byte nothing references."""
        self.out = out
        offset, index = self.first, 0
        while offset:
            offset, subs = self._ifd(offset, f"IFD {index}", first=index == 0)
            self._subtree(subs)
            index += 1
        if self.pointer_targets & self.visited:
            raise MalformedImage("The TIFF's EXIF or GPS pointer leads to an image directory.")
        if self.imagej and self.imagej[0] > index and self.imagej[1] >= 0:  # ImageJ >4 GB: later images follow
            images, start, per_image = self.imagej
            self.coverage.add(start, min(self.size, start + images * per_image))
        wiped = sum(self._wipe(offset, length) for offset, length in self.coverage.gaps(self.size))
        if wiped:
            self.report.add(f"TIFF unreferenced data ({wiped} bytes)")

    def _wipe(self, offset: int, length: int) -> int:
        """Zero a range nothing references (padding, orphaned old values) if it holds data; return its length."""
        self.inp.seek(offset)
        remaining = length
        while remaining > 0:
            block = self.inp.read(min(remaining, CHUNK))
            if not block:
                break
            if block.count(0) != len(block):
                write_zeros(self.out, offset, length)
                return length
            remaining -= len(block)
        return 0

    def _subtree(self, offsets: list[int]) -> None:
        """Walk SubIFDs (and their chains and own SubIFDs) depth-first."""
        stack = list(reversed(offsets))
        while stack:
            offset = stack.pop()
            if offset:
                label = f"SubIFD {self.subifd_count}"
                self.subifd_count += 1
                following, subs = self._ifd(offset, label, first=False)
                stack.append(following)
                stack.extend(reversed(subs))

    def _ifd(self, offset: int, label: str, *, first: bool) -> tuple[int, list[int]]:
        """Clean one directory in the copy; return its next-directory offset and its SubIFD offsets."""
        if offset in self.visited:
            raise MalformedImage(f"The TIFF directory at byte {offset} is reached twice (a directory loop).")
        if len(self.visited) >= MAX_IFDS:
            raise MalformedImage(f"The TIFF has more than {MAX_IFDS} directories.")
        self.visited.add(offset)
        entries, following = self._entries(offset, label)
        tags = {entry.tag: entry for entry in entries}
        associated: str | None = "macro" if self._ndpi_lens(tags) == NDPI_MACRO_LENS else None
        ndpi = NDPI_FORMAT_FLAG in tags
        done = self._imagej_meta(tags, label)
        for entry in entries:
            if entry.field in done:
                continue
            if entry.tag in KEEP or (ndpi and entry.tag in NDPI_KEEP):
                if entry.size is not None:
                    self.coverage.add(entry.at, entry.at + entry.size)
            elif entry.tag == DESCRIPTION and (raw := self._description(entry)) is not None:
                if not first and associated is None:  # IFD 0 is the slide itself, never a label
                    associated = descriptions.associated_kind(raw)
                self._clean_description(entry, raw, label, first=first)
            elif entry.tag in POINTERS and entry.count == 1 and entry.kind in _UINT and entry.kind != 3:
                self._replace_pointer(entry, label)
            else:
                self._blank(entry, label)
        self._image_data(tags, label, associated)
        if JPEG_OFFSET in tags and JPEG_LENGTH in tags:
            start, length = self._scalar(tags[JPEG_OFFSET]), self._scalar(tags[JPEG_LENGTH])
            self._check_range(start, length, f"the JPEG interchange data of {label}")
            self.coverage.add(start, start + length)
        subs: list[int] = []
        if SUBIFDS in tags:
            entry = tags[SUBIFDS]
            if entry.kind not in _UINT or entry.count > MAX_SUBIFDS:
                raise MalformedImage(f"The TIFF {label} has an invalid SubIFDs field.")
            subs = self._array(entry, 0, entry.count).tolist()
        return following, subs

    def _entries(self, offset: int, label: str) -> tuple[list[_Entry], int]:
        """Parse one directory's entries (bounds-checked) and mark its table as referenced."""
        if offset < self.header or offset + self.count_size > self.size:
            raise MalformedImage(f"The TIFF {label} starts at byte {offset}, outside the file.")
        self.inp.seek(offset)
        (count,) = struct.unpack(f"{self.order}{self.count_fmt}", self.inp.read(self.count_size))
        table_end = offset + self.count_size + count * self.entry_size + self.field_size
        if count > MAX_ENTRIES or table_end > self.size:
            raise MalformedImage(f"The TIFF {label} declares {count} entries, more than the file holds.")
        table = read_exact(self.inp, table_end - offset - self.count_size, f"the TIFF {label}")
        self.coverage.add(offset, table_end)
        layout = f"{self.order}HH{self.offset_fmt}{self.field_size}s"
        entries = []
        for index, (tag, kind, number, raw) in enumerate(struct.iter_unpack(layout, table[: -self.field_size])):
            field = offset + self.count_size + index * self.entry_size + 4 + self.field_size
            width = TYPE_SIZES.get(kind)
            size = None if width is None else width * number
            at = field
            if size is not None and size > self.field_size:
                (at,) = struct.unpack(f"{self.order}{self.offset_fmt}", raw)
                self._check_range(at, size, f"the value of tag {tag} in {label}")
            entries.append(_Entry(tag, kind, number, field, raw, size, at))
        (following,) = struct.unpack(f"{self.order}{self.offset_fmt}", table[-self.field_size :])
        return entries, following

    # ---- values

    def _check_range(self, start: int, length: int, what: str) -> None:
        """Refuse a value or data range that does not lie inside the file."""
        if start < 0 or length < 0 or start + length > self.size:
            raise MalformedImage(f"In the TIFF, {what} lies outside the file.")

    def _bytes(self, entry: _Entry) -> bytes:
        """An entry's whole value (small values only)."""
        assert entry.size is not None
        if entry.inline:
            return entry.raw[: entry.size]
        self.inp.seek(entry.at)
        return read_exact(self.inp, entry.size, f"the value of tag {entry.tag}")

    def _array(self, entry: _Entry, start: int, count: int) -> np.ndarray:
        """Items [start, start+count) of an unsigned integer array value, as uint64."""
        dtype = np.dtype(self.order + _UINT[entry.kind])
        if entry.inline:
            data = entry.raw[start * dtype.itemsize : (start + count) * dtype.itemsize]
        else:
            self.inp.seek(entry.at + start * dtype.itemsize)
            data = read_exact(self.inp, count * dtype.itemsize, f"the value of tag {entry.tag}")
        return np.frombuffer(data, dtype=dtype).astype(np.uint64)

    def _scalar(self, entry: _Entry, default: int = 0) -> int:
        """The first item of an unsigned integer value, or `default`."""
        if entry.kind not in _UINT or entry.count < 1:
            return default
        return int(self._array(entry, 0, 1)[0])

    def _ndpi_lens(self, tags: dict[int, _Entry]) -> float | None:
        """An NDPI directory's source lens (a 32-bit float; -1 for the macro photo), or None elsewhere."""
        lens = tags.get(NDPI_SOURCE_LENS)
        if NDPI_FORMAT_FLAG not in tags or lens is None or lens.kind != 11 or lens.count != 1:
            return None
        return float(struct.unpack(f"{self.order}f", lens.raw[:4])[0])

    def _description(self, entry: _Entry) -> bytes | None:
        """The raw ImageDescription when it can be cleaned in memory, else None (it is then blanked)."""
        if entry.kind != ASCII or entry.size is None or entry.size > MAX_DESCRIPTION:
            return None
        return self._bytes(entry)

    # ---- cleaning

    def _blank(self, entry: _Entry, label: str) -> None:
        """Blank an entry's value, keeping its tag, type and count, so every reader still parses the directory."""
        name = f"TIFF {NAMES.get(entry.tag, f'tag {entry.tag}')}"
        text = entry.kind == ASCII
        if entry.size is None or entry.inline:
            size = self.field_size if entry.size is None else entry.size
            value = (b" " * (size - 1) + b"\0") if text and size else bytes(size)
            value += bytes(self.field_size - size)
            if value != entry.raw:
                self.out.seek(entry.field)
                self.out.write(value)
                self.report.add(name, label)
        elif entry.size:
            (write_blank_text if text else write_zeros)(self.out, entry.at, entry.size)
            self.coverage.add(entry.at, entry.at + entry.size)
            self.report.add(name, label)

    def _clean_description(self, entry: _Entry, raw: bytes, label: str, *, first: bool) -> None:
        """Write the same-length cleaned ImageDescription over the original."""
        cleaned = descriptions.clean(raw)
        if cleaned.data != raw:
            self.out.seek(entry.at)
            self.out.write(cleaned.data)
        if cleaned.note == "blanked":
            self.report.add("TIFF ImageDescription", label)
        elif cleaned.note:
            self.report.add(f"TIFF ImageDescription: {cleaned.note}", label)
        if not entry.inline and entry.size:
            self.coverage.add(entry.at, entry.at + entry.size)
        if first and raw.startswith(b"ImageJ=") and (match := _IMAGEJ_IMAGES.search(cleaned.data)):
            self.imagej = (int(match.group(1)), -1, 0)

    def _imagej_meta(self, tags: dict[int, _Entry], label: str) -> set[int]:
        """Replace ImageJ's private metadata by a valid block holding a blank 'info'; return the fields done."""
        counts, data = tags.get(IMAGEJ_COUNTS), tags.get(IMAGEJ_DATA)
        if counts is None or data is None or counts.kind != 4 or counts.count < 2 or data.kind not in (1, 7):
            return set()  # anything odd is simply zeroed like other private tags
        if data.size is None or data.size < 14 or data.inline:
            return set()
        text = (data.size - 12) // 2 * 2
        big = self.order == ">"
        block = (b"IJIJinfo" if big else b"JIJIofni") + struct.pack(f"{self.order}I", 1)
        block += (b"\0 " if big else b" \0") * (text // 2) + bytes(data.size - 12 - text)
        sizes = struct.pack(f"{self.order}{counts.count}I", 12, text, *([0] * (counts.count - 2)))
        for entry, value in ((data, block), (counts, sizes)):
            self.out.seek(entry.at)
            self.out.write(value)
            self.coverage.add(entry.at, entry.at + len(value))
        self.report.add("TIFF ImageJ metadata", label)
        return {counts.field, data.field}

    def _replace_pointer(self, entry: _Entry, label: str) -> None:
        """Rewrite a private directory (EXIF, GPS, Interop) as a valid directory holding only its version."""
        target = self._scalar(entry)
        if not target:
            return
        name, (tag, kind, number, value) = POINTERS[entry.tag]
        self._check_range(target, self.count_size, f"the {name} of {label}")
        self.inp.seek(target)
        (count,) = struct.unpack(f"{self.order}{self.count_fmt}", self.inp.read(self.count_size))
        table = self.count_size + count * self.entry_size + self.field_size
        if count > MAX_ENTRIES:
            raise MalformedImage(f"The TIFF {name} of {label} declares {count} entries.")
        self._check_range(target, table, f"the {name} of {label}")
        self.pointer_targets.add(target)
        if not count:
            self.coverage.add(target, target + table)
            return
        minimal = struct.pack(
            f"{self.order}{self.count_fmt}HH{self.offset_fmt}{self.field_size}s{self.offset_fmt}",
            1,
            tag,
            kind,
            number,
            value,
            0,
        )
        self.out.seek(target)
        self.out.write(minimal)
        self.coverage.add(target, target + len(minimal))
        self.report.add(f"TIFF {name}", label)

    def _image_data(self, tags: dict[int, _Entry], label: str, associated: str | None) -> None:
        """Mark strip/tile data as referenced; for a slide label or macro photo, overwrite it with black."""
        offsets, counts = (tags.get(324), tags.get(325)) if 324 in tags else (tags.get(273), tags.get(279))
        if offsets is None and counts is None:
            return
        if offsets is None or counts is None or offsets.count != counts.count:
            raise MalformedImage(f"The TIFF {label} has image data offsets and byte counts that do not match.")
        if offsets.kind not in _UINT or counts.kind not in _UINT:
            raise MalformedImage(f"The TIFF {label} has image data offsets of an invalid type.")
        total, start_min = 0, None
        for start in range(0, offsets.count, ARRAY_CHUNK):
            n = min(ARRAY_CHUNK, offsets.count - start)
            starts, lengths = self._array(offsets, start, n), self._array(counts, start, n)
            used = lengths > 0
            if np.any(starts[used] > self.size) or np.any(lengths[used] > self.size - starts[used]):
                raise MalformedImage(f"The image data of the TIFF {label} lies outside the file.")
            self.coverage.add_many(starts[used], starts[used] + lengths[used])
            total += int(lengths.sum())
            if used.any():
                low = int(starts[used].min())
                start_min = low if start_min is None else min(start_min, low)
            if associated:
                self._black(tags, starts, lengths, start)
        if associated:
            self.report.add(f"TIFF {associated} image pixels", label)
        if self.imagej and self.imagej[1] == -1 and start_min is not None:
            self.imagej = (self.imagej[0], start_min, total)

    def _black(self, tags: dict[int, _Entry], starts: np.ndarray, lengths: np.ndarray, first: int) -> None:
        """Overwrite label/macro strips or tiles with a valid black encoding where possible, zeros otherwise."""

        def number(tag: int, default: int) -> int:
            """The first value of a numeric tag of this directory, or `default`."""
            return self._scalar(tags[tag], default) if tag in tags else default

        width, height = number(256, 0), number(257, 0)
        samples, planar = number(277, 1), number(284, 1)
        tiled = 324 in tags
        seg_width = number(322, 0) if tiled else width
        rows_per = number(323, 0) if tiled else min(number(278, height) or height, height)
        per_plane = 0 if tiled or not rows_per else math.ceil(height / rows_per)
        subsampling = tuple(self._array(tags[530], 0, 2).tolist()) if 530 in tags and tags[530].count >= 2 else (2, 2)
        compression, bits, photometric = number(259, 1), number(258, 1), number(262, 0)
        plane_samples = samples if planar == 1 else 1
        cache: dict[int, bytes | None] = {}  # by row count: full strips/tiles and the last, shorter strip
        for index, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
            if not length:
                continue
            encoded = None
            if len(starts) + first <= MAX_BLACK_SEGMENTS and seg_width and rows_per:
                rows = rows_per
                if per_plane:
                    rows = min(rows_per, height - ((first + index) % per_plane) * rows_per)
                if rows not in cache:
                    cache[rows] = black_segment(
                        compression,
                        width=seg_width,
                        rows=rows,
                        samples=plane_samples,
                        bits=bits,
                        photometric=photometric,
                        subsampling=subsampling,
                    )
                encoded = cache[rows]
            if encoded and len(encoded) > length:
                encoded = None
            if encoded:
                self.out.seek(start)
                self.out.write(encoded)
            done = len(encoded) if encoded else 0
            write_zeros(self.out, start + done, length - done)
