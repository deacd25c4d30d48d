"""MIRAX (.mrxs) slides: a slide file beside a folder of Slidedat.ini, Index.dat and data files.

They arrive zipped (`case.mrxs` plus `case/…`). We check the bundle, then store a de-identified
copy under names we choose: Slidedat.ini keeps only technical values (the slide id becomes a keyed
pseudonym of the same length, also in Index.dat's header), and the label, macro and preview photos,
which show the glass and its label, are overwritten with zeros in the data files and unlisted in
Slidedat.ini so readers no longer look for them. Pure parsing and byte patching; no OpenSlide here.
"""

from __future__ import annotations

import configparser
import hmac
import io
import re
import shutil
import struct
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from annotator.core.errors import RejectedFile

STORED_DIR = "mrxs"  # an image's folder holds mrxs/slide.mrxs beside mrxs/slide/ (names we choose)
SLIDE_FILE = "slide.mrxs"  # the stored names: never the uploader's
SLIDE_DIR = "slide"
SLIDEDAT = "Slidedat.ini"
INDEX_VERSION = b"01.02"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # data and index file names Slidedat.ini may name
MAX_SLIDEDAT_BYTES = 1 << 20
# Photos of the glass (label, whole slide with label, preview): overwritten and unlisted.
PHOTO_VALUES = frozenset({"ScanDataLayer_SlideBarcode", "ScanDataLayer_SlideThumbnail", "ScanDataLayer_SlidePreview"})
GENERAL_KEPT = frozenset(
    {
        "SLIDE_VERSION",
        "IMAGENUMBER_X",
        "IMAGENUMBER_Y",
        "OBJECTIVE_MAGNIFICATION",
        "CAMERAIMAGEDIVISIONSPERSIDE",
        "CURRENT_SLIDE_VERSION",
        "SLIDE_TYPE",
    }
)
# The layer structure in [HIERARCHICAL] and the file list in [DATAFILE] are kept (file names are checked apart).
STRUCTURE_KEY = re.compile(
    r"^((NON)?HIER_([0-9]+_(NAME|COUNT|VAL_[0-9]+(_SECTION)?)|COUNT)|INDEXFILE|FILE_(COUNT|[0-9]+))$"
)
# Other values are kept when they look technical: numbers, image formats, booleans, section names.
TECHNICAL_VALUE = re.compile(
    r"^(-?[0-9]+([.,][0-9]+)?([eE][-+]?[0-9]+)?|JPEG|PNG|BMP24|TRUE|FALSE|True|False|[A-Za-z0-9_]+_SECTION)$"
)


@dataclass(frozen=True)
class Bundle:
    """A MIRAX slide's folder (Slidedat.ini, Index.dat, data files), unpacked in a private place."""

    folder: Path


def stem_of(entry_name: str) -> str | None:
    """The archive path of a .mrxs entry without its extension (its folder's path), else None."""
    return entry_name[: -len(".mrxs")] if entry_name.lower().endswith(".mrxs") else None


def _section_items(ini: configparser.ConfigParser, section: str) -> dict[str, str]:
    return {key: value for key, value in ini.items(section)} if ini.has_section(section) else {}


def _read_slidedat(folder: Path) -> configparser.ConfigParser:
    path = folder / SLIDEDAT
    if not path.is_file():
        raise RejectedFile("the MIRAX folder has no Slidedat.ini", code="invalid_slide")
    raw = path.read_bytes()
    if len(raw) > MAX_SLIDEDAT_BYTES:
        raise RejectedFile("the MIRAX Slidedat.ini is larger than 1 MB", code="invalid_slide")
    ini = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",), comment_prefixes=("#",))
    ini.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    try:
        ini.read_string(raw.decode("utf-8-sig", errors="replace"))
    except configparser.Error as exc:
        raise RejectedFile(f"the MIRAX Slidedat.ini cannot be parsed ({exc.message})", code="invalid_slide") from exc
    return ini


def _named_file(ini: configparser.ConfigParser, section: str, key: str) -> str:
    name = ini.get(section, key, fallback="").strip()
    if not SAFE_NAME.match(name) or name in (".", ".."):
        raise RejectedFile(f"the MIRAX Slidedat.ini names an unusable file ({section}/{key})", code="invalid_slide")
    return name


def referenced_files(ini: configparser.ConfigParser) -> tuple[str, list[str]]:
    """The index file and the data files Slidedat.ini names (checked to be plain file names)."""
    index = _named_file(ini, "HIERARCHICAL", "INDEXFILE")
    try:
        count = int(ini.get("DATAFILE", "FILE_COUNT", fallback="0"))
    except ValueError as exc:
        raise RejectedFile("the MIRAX Slidedat.ini has an invalid FILE_COUNT", code="invalid_slide") from exc
    if not 0 < count <= 10_000:
        raise RejectedFile("the MIRAX Slidedat.ini lists no data files", code="invalid_slide")
    return index, [_named_file(ini, "DATAFILE", f"FILE_{n}") for n in range(count)]


def _photo_records(ini: configparser.ConfigParser) -> list[int]:
    """Non-hierarchical record numbers of the glass photos, counted as MIRAX readers count them."""
    records, offset = [], 0
    try:
        count = int(ini.get("HIERARCHICAL", "NONHIER_COUNT", fallback="0"))
        for layer in range(count):
            values = int(ini.get("HIERARCHICAL", f"NONHIER_{layer}_COUNT", fallback="0"))
            for n in range(values):
                if ini.get("HIERARCHICAL", f"NONHIER_{layer}_VAL_{n}", fallback="") in PHOTO_VALUES:
                    records.append(offset + n)
            offset += values
    except ValueError as exc:
        raise RejectedFile("the MIRAX Slidedat.ini has invalid layer counts", code="invalid_slide") from exc
    return records


def _int32(data: bytes, at: int) -> int:
    if at < 0 or at + 4 > len(data):
        raise RejectedFile("the MIRAX Index.dat is truncated", code="invalid_slide")
    return int(struct.unpack_from("<i", data, at)[0])


def photo_extents(index: bytes, slide_id: str, records: list[int]) -> list[tuple[int, int, int]]:
    """(data file number, offset, length) of each listed non-hierarchical record, read from Index.dat."""
    head = INDEX_VERSION + slide_id.encode()
    if not index.startswith(head):
        raise RejectedFile("the MIRAX Index.dat does not belong to this Slidedat.ini", code="invalid_slide")
    table = _int32(index, len(head) + 4)
    extents = []
    for record in records:
        pointer = _int32(index, _int32(index, table + 4 * record) + 4)
        position, size, fileno = (_int32(index, pointer + 16 + 4 * k) for k in range(3))
        if position < 0 or size < 0:
            raise RejectedFile("the MIRAX Index.dat has a negative record", code="invalid_slide")
        extents.append((fileno, position, size))
    return extents


def pseudonym_id(slide_id: str, key: str) -> str:
    """A keyed pseudonym of the slide id with the same length and character set (hex digits, dashes kept)."""
    digest = hmac.new(key.encode(), slide_id.encode(), sha256).hexdigest() * (len(slide_id) // 64 + 1)
    out, used = [], 0
    for char in slide_id:
        if char == "-":
            out.append("-")
        else:
            out.append(digest[used])
            used += 1
    return "".join(out)


def _clean_ini(ini: configparser.ConfigParser, slide_id: str) -> str:
    """Slidedat.ini with technical values only, the new slide id, and the glass photos unlisted."""
    for section in ini.sections():
        for key, value in _section_items(ini, section).items():
            if section == "GENERAL":
                kept = key.upper() in GENERAL_KEPT
            elif section in ("HIERARCHICAL", "DATAFILE"):
                kept = bool(STRUCTURE_KEY.match(key.upper()))
            else:
                kept = bool(TECHNICAL_VALUE.match(value.strip()))
            if value in PHOTO_VALUES:
                ini.set(section, key, "Removed")
            elif not kept:
                ini.set(section, key, "")
    ini.set("GENERAL", "SLIDE_ID", slide_id)
    text = io.StringIO()
    ini.write(text, space_around_delimiters=False)
    return text.getvalue().replace("\n", "\r\n")


def store(bundle: Bundle, target: Path, *, key: str) -> list[str]:
    """Write a de-identified copy of the bundle into target (target/slide.mrxs, target/slide/…); say what went."""
    ini = _read_slidedat(bundle.folder)
    index_name, data_names = referenced_files(ini)
    original_id = ini.get("GENERAL", "SLIDE_ID", fallback="").strip()
    if not original_id or len(original_id) > 200:
        raise RejectedFile("the MIRAX Slidedat.ini has no usable SLIDE_ID", code="invalid_slide")
    for name in (index_name, *data_names):
        if not (bundle.folder / name).is_file():
            raise RejectedFile(f"the MIRAX folder lacks {name}, which Slidedat.ini names", code="invalid_slide")
    index = (bundle.folder / index_name).read_bytes()
    extents = photo_extents(index, original_id, _photo_records(ini))
    new_id = pseudonym_id(original_id, key)
    folder = target / SLIDE_DIR
    folder.mkdir(parents=True)
    (target / SLIDE_FILE).write_bytes(b"")
    (folder / SLIDEDAT).write_text(_clean_ini(ini, new_id), encoding="utf-8", newline="")
    (folder / index_name).write_bytes(INDEX_VERSION + new_id.encode() + index[len(INDEX_VERSION) + len(original_id) :])
    for name in dict.fromkeys(data_names):
        shutil.copyfile(bundle.folder / name, folder / name)
    for fileno, position, size in extents:
        if not 0 <= fileno < len(data_names):
            raise RejectedFile("the MIRAX Index.dat points to a data file that is not listed", code="invalid_slide")
        with (folder / data_names[fileno]).open("r+b") as data:
            data.seek(0, io.SEEK_END)
            if position + size > data.tell():
                raise RejectedFile("the MIRAX Index.dat points past the end of a data file", code="invalid_slide")
            data.seek(position)
            data.write(bytes(size))
    removed = ["MIRAX Slidedat.ini: identifying values and the slide id"]
    if extents:
        removed.append(f"MIRAX label/macro/preview photos ({len(extents)})")
    return removed
