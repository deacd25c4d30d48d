"""The export zip: format files plus README.md (dataset card), dataset.json and SHA256SUMS."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

CHUNK = 1024 * 1024
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold: no clock in the archive


def member_info(name: str) -> zipfile.ZipInfo:
    """A zip entry header that depends on its name only (fixed time, mode and compression)."""
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # Unix, whatever machine writes it
    return info


class ZipOutput:
    """Writes members into a zip, in the order written, with fixed headers, and remembers each one's SHA-256:
    the same members give the same bytes."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self._digests = bytearray()  # each member's raw SHA-256 in the order written: 32 bytes a member

    def write_bytes(self, name: str, data: bytes) -> None:
        self._check(name)
        self._zip.writestr(member_info(name), data)
        self._digests += hashlib.sha256(data).digest()

    def write_file(self, name: str, path: str) -> None:
        with open(path, "rb") as src:
            self.write_chunks(name, iter(lambda: src.read(CHUNK), b""))

    def write_chunks(self, name: str, chunks: Iterable[bytes], *, zip64: bool = True) -> None:
        """A member from a stream of byte chunks, compressed as they come (never held whole). zip64=False: a
        member known to stay under 2 GiB, its headers as write_bytes writes them (larger, it fails)."""
        self._check(name)
        digest = hashlib.sha256()
        with self._zip.open(member_info(name), "w", force_zip64=zip64) as dst:
            for chunk in chunks:
                digest.update(chunk)
                dst.write(chunk)
        self._digests += digest.digest()

    def _check(self, name: str) -> None:
        if name in self._zip.NameToInfo or name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"bad or duplicate member name {name!r}")

    def _sums(self) -> Iterator[bytes]:
        """SHA256SUMS, by member name, in chunks."""
        members = self._zip.filelist
        buffer: list[str] = []
        for number in sorted(range(len(members)), key=lambda n: members[n].filename):
            digest = self._digests[32 * number : 32 * number + 32].hex()
            buffer.append(f"{digest}  {members[number].filename}\n")
            if len(buffer) >= 4096:
                yield "".join(buffer).encode()
                buffer = []
        yield "".join(buffer).encode()

    def close(self) -> None:
        """Append SHA256SUMS (for `sha256sum -c`) and close the archive."""
        self.write_chunks("SHA256SUMS", self._sums(), zip64=False)  # headers as when it was written whole
        self._zip.close()


MARKDOWN_SPECIAL = set("\\`*_{}[]<>()#+-.!|~=:")


def md(text: Any) -> str:
    """User text made literal in Markdown: every special character backslash-escaped, lines joined (for
    headings and table cells)."""
    flat = " ".join(str(text if text is not None else "").split())
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in flat)


def md_paragraphs(text: Any) -> str:
    """Multi-line user text escaped line by line, blank lines kept as paragraph breaks."""
    return "\n".join(md(line) for line in str(text or "").splitlines())


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _tally(values: dict[str, int]) -> str:
    return ", ".join(f"{md(k)}: {n}" for k, n in values.items()) or "—"


def splits_section(summaries: dict[str, dict[str, Any]]) -> str:
    """Per split: counts, then the cohort table."""
    names = list(summaries)
    count_rows = [
        [key.replace("_", " ")] + [summaries[s][key] for s in names]
        for key in ("images", "frames", "patients", "annotations", "annotators")
    ]
    count_rows.append(["annotations by label"] + [_tally(summaries[s]["annotations_by_label"]) for s in names])
    count_rows.append(["review states"] + [_tally(summaries[s]["review_states"]) for s in names])
    cohort_rows = []
    for column in ("modality", "manufacturer", "site", "sex", "age_band"):
        cohort_rows.append([column.replace("_", " ")] + [_tally(summaries[s]["cohort"][column]) for s in names])
    thickness = []
    for s in names:
        span = summaries[s]["cohort"]["slice_thickness_mm"]
        thickness.append(f"{span['min']:g}–{span['max']:g}" if span else "—")
    cohort_rows.append(["slice thickness (mm)", *thickness])
    header = ["", *[md(s) for s in names]]
    return (
        "## Splits\n\n"
        + _table(header, count_rows)
        + "\n## Cohort (images per value, from the stored metadata; no identifiers)\n\n"
        + _table(header, cohort_rows)
    )


def dataset_card(card: dict[str, Any]) -> str:
    """README.md text of the dataset card, from the same facts as dataset.json (user text escaped)."""
    counts = card["counts"]
    labels = [[lb["id"], md(lb["name"]), lb["kind"]] for lb in card["labels"]]
    version = card.get("dataset_version")
    source = (
        f"Dataset version {version['id']} ({md(version['name'])}, snapshot sha256 `{version['sha256']}`). "
        if version
        else ""
    )
    split_notes = "".join(f"- {note}\n" for note in card.get("split_notes") or [])
    options = json.dumps(card["options"], sort_keys=True).replace("`", "\\u0060")  # stays inside its code span
    return f"""# {md(card["project"]["name"])} — {card["format"]} export

{md_paragraphs(card["project"]["description"]) or "No description given."}

{source}Data as of {card["data_changed_at"] or "(no data)"} (last change); written by Annotator \
{card["software"]["version"]}.

## Contents

- Images: {counts["images"]}; annotations written: {counts["annotations"]}
- Options: `{options}`
- Patient identifiers were removed at ingest; images are grouped by a pseudonymous `patient_ref`.
- Geometry is in pixel coordinates, origin at the top-left corner of the top-left pixel.

{_format_section(card.get("format_notes") or [])}{splits_section(card["splits"])}
{split_notes}
## Labels

{_table(["id", "name", "kind"], labels)}
## Files

`dataset.json` holds these facts machine-readably, with the split (and fold) of every image.
Check the files with `sha256sum -c SHA256SUMS`.
"""


def _format_section(notes: list[str]) -> str:
    """The format's own conventions, one bullet each, or nothing."""
    if not notes:
        return ""
    return "## Format conventions\n\n" + "".join(f"- {note}\n" for note in notes) + "\n"


def write_card(out: ZipOutput, card: dict[str, Any]) -> None:
    """Write README.md and dataset.json (card["images"] may be an iterable: it is streamed, read once)."""
    out.write_bytes("README.md", dataset_card(card).encode())
    out.write_chunks("dataset.json", card_json(card), zip64=False)  # the same bytes as when it was written whole


_IMAGES_AT = "\u0000images\u0000"
BATCH = 256 * 1024


def card_json(card: dict[str, Any]) -> Iterator[bytes]:
    """json.dumps(card, indent=2, sort_keys=True), byte for byte, with the images array (one entry per image)
    encoded an entry at a time: the card's other facts are small, its images grow with the project."""
    head = json.dumps({**card, "images": _IMAGES_AT}, indent=2, sort_keys=True)
    key = '\n  "images": '
    before, after = head.split(key + json.dumps(_IMAGES_AT), 1)  # no raw newline in a JSON string: the top key
    yield (before + key).encode()
    buffer, size, opening = [], 0, "[\n    "
    for entry in card["images"]:
        text = opening + json.dumps(entry, indent=2, sort_keys=True).replace("\n", "\n    ")
        opening = ",\n    "
        buffer.append(text)
        size += len(text)
        if size >= BATCH:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    buffer.append("[]" if opening.startswith("[") else "\n  ]")
    yield ("".join(buffer) + after).encode()


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
