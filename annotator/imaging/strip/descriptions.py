"""Same-length cleaning of TIFF ImageDescription text: XML (OME, vendors), Aperio SVS, ImageJ and tifffile JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# ---- XML (OME-XML and vendor XML): keep structure, technical attributes and pixel/UUID payloads; blank the rest.
_XML_TOKEN = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>|<[^<>]*>|[^<]+", re.S)
_XML_NAME = re.compile(rb"<(/?)([A-Za-z_][\w:.-]*)")
_XML_ATTR = re.compile(rb"""\s+([A-Za-z_][\w:.-]*)\s*=\s*("[^"]*"|'[^']*')""")
XML_KEEP_ATTRS = frozenset(
    b"ID UUID DimensionOrder Type SizeX SizeY SizeZ SizeC SizeT PhysicalSizeX PhysicalSizeY PhysicalSizeZ "
    b"TimeIncrement Interleaved SignificantBits BigEndian IFD FirstC FirstZ FirstT PlaneCount TheC TheZ TheT "
    b"DeltaT ExposureTime PositionX PositionY PositionZ SamplesPerPixel Color EmissionWavelength "
    b"ExcitationWavelength Fluor ContrastMethod IlluminationType AcquisitionMode PinholeSize NDFilter "
    b"PockelCellSetting LensNA NominalMagnification CalibratedMagnification WorkingDistance Immersion "
    b"Correction Iris RefractiveIndex Medium Binning Gain Offset ReadOutRate Voltage Zoom Length Compression "
    b"schemaLocation".split()
)
XML_KEEP_PAIRS = frozenset({(b"Channel", b"Name")})  # channel names ("DAPI") are what a labeller needs to see
XML_KEEP_TEXT = frozenset({b"UUID", b"BinData"})  # a random file UUID, base64 pixel data

# ---- Aperio SVS: "<header>|Key = Value|Key = Value...". Keep the technical keys whose values look technical.
_APERIO_NUMERIC = frozenset(
    {"AppMag", "MPP", "StripeWidth", "Left", "Top", "LineCameraSkew", "LineAreaXOffset", "LineAreaYOffset"}
    | {"OriginalWidth", "OriginalHeight", "Originalheight", "Filtered", "Gamma", "Focus Offset", "Exposure Time"}
    | {"Exposure Scale", "Display Color"}
)
_APERIO_TEXT = frozenset({"ICC Profile", "SessionMode"})
_APERIO_NAMED = frozenset(
    {"Filename", "Date", "Time", "Time Zone", "User", "ScanScope ID", "ImageID", "DSR ID", "Parmset", "Title"}
    | {"Barcode", "BarCode", "Rack", "Slide", "Comments", "Description"}
)
_NUMBER = re.compile(rb"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
_SHORT_WORDS = re.compile(rb"[ A-Za-z0-9._-]{0,32}")
_APERIO_HEADER_TOKEN = re.compile(
    rb"Aperio|Image|Library|label|macro|thumbnail|->|-|;|v[\d.]+|Q=\d+|"
    rb"[\[(]?[\d.,]+(x[\d.,]+)*[\])]?|(JPEG|J2K|JP2K|RAW|LZW|NONE)(/[A-Z0-9]+)?"
)

# ---- ImageJ: "key=value" lines. Keep the hyperstack layout and display keys.
_IMAGEJ_KEYS = frozenset(
    b"ImageJ images channels slices frames hyperstack mode unit cf c0 c1 vunit spacing loop finterval fps "
    b"min max xorigin yorigin zorigin tunit yunit zunit xunit".split()
)
_IMAGEJ_VALUE = re.compile(rb"[\w.+\-\\ ]{0,64}")

_ASSOCIATED = re.compile(rb"(?im)^\s*(label|macro)(?![a-z])")


@dataclass(frozen=True)
class Cleaned:
    """A cleaned description (same length as the input) and a note on what was blanked ("" if nothing)."""

    data: bytes
    note: str


def clean(raw: bytes) -> Cleaned:
    """Clean an ImageDescription value (including its NUL terminator) without changing its length."""
    text, _, tail = raw.partition(b"\0")
    hidden = any(tail)  # bytes after the first NUL are invisible to readers but stored: always zeroed
    stripped = text.lstrip()
    result: tuple[bytes, str] | None = None
    if not stripped.strip():
        result = (text, "")
    elif stripped.startswith(b"<"):
        result = _clean_xml(text)
    elif stripped.startswith(b"Aperio"):
        result = _clean_aperio(text)
    elif stripped.startswith(b"ImageJ="):
        result = _clean_imagej(text)
    elif stripped.startswith(b"{") and _tifffile_shape(text):
        result = (text, "")
    if result is None:
        return Cleaned(b" " * (len(raw) - 1) + b"\0" if raw else b"", "blanked")
    data, note = result
    if hidden:
        note = f"{note}; hidden bytes after its end" if note else "hidden bytes after its end"
    return Cleaned(data + bytes(len(raw) - len(data)), note)


def associated_kind(raw: bytes) -> str | None:
    """'label' or 'macro' when a (non-XML) description names a slide-label or macro photo, else None."""
    text = raw.partition(b"\0")[0]
    if text.lstrip().startswith(b"<"):
        return None
    head = b"\n".join(text.partition(b"|")[0].splitlines()[:2])
    match = _ASSOCIATED.search(head)
    return match.group(1).lower().decode() if match else None


def _blank(buf: bytearray, start: int, end: int) -> bool:
    """Replace buf[start:end] with spaces; True if anything but whitespace was there."""
    changed = bool(bytes(buf[start:end]).strip())
    buf[start:end] = b" " * (end - start)
    return changed


def _clean_xml(text: bytes) -> tuple[bytes, str] | None:
    """Blank non-technical attribute values, text and comments of XML in place; None if it cannot be parsed."""
    out = bytearray(text)
    stack: list[bytes] = []
    blanked = 0
    position = 0
    for match in _XML_TOKEN.finditer(text):
        if match.start() != position:
            return None
        start, position = match.span()
        token = match.group()
        if token.startswith(b"<!--"):
            blanked += _blank(out, start + 4, position - 3)
        elif token.startswith(b"<![CDATA["):
            blanked += _blank(out, start + 9, position - 3)
        elif token.startswith(b"<?"):
            if not token.startswith(b"<?xml ") or stack:
                blanked += _blank(out, start, position)
        elif token.startswith(b"<!"):
            return None  # DOCTYPE and the like: too much freedom to clean safely
        elif token.startswith(b"<"):
            count = _clean_tag(text, out, start, position, stack)
            if count is None:
                return None
            blanked += count
        elif not stack or stack[-1] not in XML_KEEP_TEXT:
            blanked += _blank(out, start, position)
    if position != len(text) or stack:
        return None
    return bytes(out), (f"XML: {blanked} values blanked" if blanked else "")


def _clean_tag(text: bytes, out: bytearray, start: int, end: int, stack: list[bytes]) -> int | None:
    """Clean one start or end tag; track the element stack; None when the tag is not well formed."""
    name_match = _XML_NAME.match(text, start, end)
    if not name_match:
        return None
    local = name_match.group(2).rsplit(b":", 1)[-1]
    if name_match.group(1):
        if text[name_match.end() : end - 1].strip() or not stack or stack.pop() != local:
            return None
        return 0
    closes = text[end - 2 : end - 1] == b"/"
    body_end = end - 2 if closes else end - 1
    cursor, blanked = name_match.end(), 0
    while attr := _XML_ATTR.match(text, cursor, body_end):
        attr_name = attr.group(1)
        attr_local = attr_name.rsplit(b":", 1)[-1]
        keep = (
            attr_local in XML_KEEP_ATTRS
            or attr_local.endswith(b"Unit")
            or attr_name.startswith(b"xmlns")
            or (local, attr_local) in XML_KEEP_PAIRS
        )
        if not keep:
            blanked += _blank(out, attr.start(2) + 1, attr.end(2) - 1)
        cursor = attr.end()
    if text[cursor:body_end].strip():
        return None
    if not closes:
        stack.append(local)
    return blanked


def _clean_aperio(text: bytes) -> tuple[bytes, str]:
    """Keep the Aperio header's technical words and the technical key = value pairs; blank everything else."""
    out = bytearray(text)
    named: list[str] = []
    others = 0
    fields = [(m.start(), m.end()) for m in re.finditer(rb"[^|]+", text)]
    for index, (start, end) in enumerate(fields):
        if index == 0 and not text.startswith(b"|"):
            for word in re.finditer(rb"\S+", text[start:end]):
                if not _APERIO_HEADER_TOKEN.fullmatch(word.group()):
                    others += _blank(out, start + word.start(), start + word.end())
            continue
        key_raw, equals, value = text[start:end].partition(b"=")
        key = key_raw.strip().decode("latin-1")
        value_start = start + len(key_raw) + 1
        if not equals:
            others += _blank(out, start, end)
        elif (key in _APERIO_NUMERIC and _NUMBER.fullmatch(value)) or (
            key in _APERIO_TEXT and _SHORT_WORDS.fullmatch(value)
        ):
            continue
        elif _blank(out, value_start, end):
            if key in _APERIO_NAMED or key in _APERIO_NUMERIC or key in _APERIO_TEXT:
                named.append(key)
            else:
                others += 1
    parts = named + ([f"{others} other fields"] if others else [])
    return bytes(out), (f"Aperio values of {', '.join(parts)}" if parts else "")


def _clean_imagej(text: bytes) -> tuple[bytes, str]:
    """Keep ImageJ layout/display lines; blank the value of any other line (or the line, without a '=')."""
    out = bytearray(text)
    blanked = 0
    for line in re.finditer(rb"[^\r\n]+", text):
        key, equals, value = line.group().partition(b"=")
        if equals and key.strip() in _IMAGEJ_KEYS and _IMAGEJ_VALUE.fullmatch(value):
            continue
        blanked += _blank(out, line.start(), line.end())
    return bytes(out), (f"ImageJ: {blanked} lines blanked" if blanked else "")


def _tifffile_shape(text: bytes) -> bool:
    """True for tifffile's own JSON description holding only the array shape (and axes)."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    if not isinstance(data, dict) or not set(data) <= {"shape", "axes"} or "shape" not in data:
        return False
    shape, axes = data["shape"], data.get("axes", "")
    return (
        isinstance(shape, list)
        and all(isinstance(n, int) for n in shape)
        and isinstance(axes, str)
        and (axes == "" or axes.isalnum())
        and len(axes) <= 16
    )
