"""Read an import file (COCO or native JSON, or a zip of either) into format-neutral items: pure, no database.

Each item names its image by candidate names (COCO: our `original_name`, then `file_name` and its base
name; native: the image's `name`), a frame, a category name, the shapes the source holds for it (by
kind, already in our geometry: level-0 pixels, origin at the top-left corner) and its attributes.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any

import numpy as np

from annotator.annotations import rle
from annotator.imaging import archive

JSON_LIMITS = archive.Limits(max_entries=10_000, max_ratio=1000)  # JSON compresses far better than pixels
MAX_MASK_PIXELS = 100_000_000  # a mask's box (as the exports' raster limit)
CARD_FILES = ("dataset.json",)  # our export's card is JSON but holds no annotations


class ImportFileError(Exception):
    """The file cannot be imported at all (not JSON, not a known format, a hostile zip)."""

    def __init__(self, detail: str, code: str = "bad_import_file") -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


@dataclass(frozen=True)
class Item:
    """One annotation of the file, with what is needed to place it in a project."""

    ref: str  # how the report names it ("annotation 17 of instances_train.json")
    names: tuple[str, ...]  # candidate image names, best first
    frame: int
    category: str
    shapes: dict[str, Any]  # label kind -> our geometry for that kind (None for a tag)
    attributes: dict[str, Any] = field(default_factory=dict)
    image_id: Any = None  # the image's id where the file was exported: tells same-named images apart at home


@dataclass
class Parsed:
    items: list[Item] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (item, reason) found while reading
    format: str = ""


def read_upload(path: Any, *, max_bytes: int) -> Parsed:
    """Parse a stored import file: a zip of JSON files, or one JSON file."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        if archive.looks_like_zip(head):
            return _read_zip(handle, max_bytes)
        return parse_document(_load(handle.read(max_bytes + 1), "the file", max_bytes), "the file")


def check_upload(handle: IO[bytes]) -> None:
    """Refuse, before any job exists, a file that is neither JSON nor a safe zip holding JSON."""
    head = handle.read(64)
    handle.seek(0)
    if archive.looks_like_zip(head):
        with _open(handle) as zipped:
            _json_entries(zipped)
        handle.seek(0)
        return
    if not head.lstrip().startswith(b"{"):
        raise ImportFileError("The file is neither JSON (COCO or Annotator native) nor a zip of such files.")


def _open(handle: IO[bytes]) -> zipfile.ZipFile:
    try:
        return archive.open_archive(handle)
    except archive.ArchiveError as exc:
        raise ImportFileError(f"The zip cannot be imported: {exc.detail}.", exc.code) from exc


def _json_entries(zipped: zipfile.ZipFile) -> list[archive.Entry]:
    try:
        entries, problems = archive.scan(zipped, JSON_LIMITS)
    except archive.ArchiveError as exc:
        raise ImportFileError(f"The zip cannot be imported: {exc.detail}.", exc.code) from exc
    hostile = [p for p in problems if p.code != "hidden_file"]
    if hostile:
        first = hostile[0]
        raise ImportFileError(
            f"The zip cannot be imported: entry {archive_name(first.name)!r}: {first.detail}.", first.code
        )
    found = [e for e in entries if e.name.lower().endswith(".json") and PurePosixPath(e.name).name not in CARD_FILES]
    if not found:
        raise ImportFileError("The zip holds no JSON file (COCO instances or annotator.json) to import.")
    return found


def archive_name(name: str) -> str:
    """An entry's name as a message may show it (bounded)."""
    return name if len(name) <= 120 else name[:117] + "..."


def _read_zip(handle: IO[bytes], max_bytes: int) -> Parsed:
    with _open(handle) as zipped:
        entries = _json_entries(zipped)
        native = [e for e in entries if PurePosixPath(e.name).name == "annotator.json"]
        result = Parsed()
        total = 0
        for entry in native or entries:
            buffer = io.BytesIO()
            try:
                total += archive.copy_entry(zipped, entry, buffer, JSON_LIMITS)
            except archive.EntryError as exc:
                raise ImportFileError(f"Entry {archive_name(entry.name)!r}: {exc.detail}.", exc.code) from exc
            if total > max_bytes:
                raise ImportFileError(f"The zip's JSON files unpack to more than {max_bytes} bytes.", "too_large")
            part = parse_document(_load(buffer.getvalue(), entry.name, max_bytes), archive_name(entry.name))
            result.items += part.items
            result.problems += part.problems
            result.format = result.format or part.format
        return result


def _load(data: bytes, where: str, max_bytes: int) -> Any:
    if len(data) > max_bytes:
        raise ImportFileError(f"{where} is larger than the import limit of {max_bytes} bytes.", "too_large")
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"{where} is not valid JSON ({exc}).", "bad_json") from exc


def parse_document(doc: Any, where: str) -> Parsed:
    """Items of one JSON document: Annotator native (format "annotator-native") or COCO instances."""
    if isinstance(doc, dict) and doc.get("format") == "annotator-native":
        return _native(doc, where)
    if isinstance(doc, dict) and isinstance(doc.get("images"), list) and isinstance(doc.get("annotations"), list):
        return _coco(doc, where)
    raise ImportFileError(
        f"{where} is neither COCO instances (images, annotations, categories) nor Annotator native JSON."
    )


def _native(doc: dict[str, Any], where: str) -> Parsed:
    result = Parsed(format="native")
    labels = {lb.get("id"): lb for lb in doc.get("labels", []) if isinstance(lb, dict)}
    for image in doc.get("images") or []:
        if not isinstance(image, dict):
            continue
        name = str(image.get("name", ""))
        for ann in image.get("annotations") or []:
            ref = f"annotation {ann.get('id')} of image {name!r} in {where}"
            label = labels.get(ann.get("label"))
            if label is None:
                result.problems.append((ref, f"its label {ann.get('label')!r} is not among the file's labels"))
                continue
            result.items.append(
                Item(
                    ref=ref,
                    names=(name,),
                    frame=ann.get("frame", 0),
                    category=str(label.get("name", "")),
                    shapes={str(label.get("kind")): ann.get("geometry")},
                    attributes=ann.get("attributes") or {},
                    image_id=image.get("id"),
                )
            )
    return result


def _coco(doc: dict[str, Any], where: str) -> Parsed:
    result = Parsed(format="coco")
    categories = {c.get("id"): str(c.get("name", "")) for c in doc.get("categories") or [] if isinstance(c, dict)}
    images = {i.get("id"): i for i in doc["images"] if isinstance(i, dict)}
    for ann in doc["annotations"]:
        if not isinstance(ann, dict):
            continue
        ref = f"annotation {ann.get('id')} in {where}"
        image = images.get(ann.get("image_id"))
        if image is None:
            result.problems.append((ref, f"its image_id {ann.get('image_id')!r} is not among the file's images"))
            continue
        if ann.get("category_id") not in categories:
            result.problems.append((ref, f"its category_id {ann.get('category_id')!r} is not among the categories"))
            continue
        try:
            shapes = list(coco_shapes(ann, image))
        except (TypeError, ValueError, KeyError, rle.RleError) as exc:
            result.problems.append((ref, f"its geometry cannot be read ({exc})"))
            continue
        for index, shapes_of_one in enumerate(shapes):
            result.items.append(
                Item(
                    ref=ref if len(shapes) == 1 else f"{ref} (part {index + 1})",
                    names=coco_names(image),
                    frame=image.get("frame", 0),
                    category=categories[ann["category_id"]],
                    shapes=shapes_of_one,
                    attributes=ann.get("attributes") or {},
                    image_id=image.get("annotator_image_id"),
                )
            )
    return result


def coco_names(image: dict[str, Any]) -> tuple[str, ...]:
    """Names an image may have in the project: our `original_name`, then the file name and its base name."""
    names: list[str] = []
    for value in (image.get("original_name"), image.get("file_name")):
        if isinstance(value, str) and value:
            names.append(value)
            names.append(PurePosixPath(value.replace("\\", "/")).name)
    return tuple(dict.fromkeys(n for n in names if n))


def coco_shapes(ann: dict[str, Any], image: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Per object of a COCO annotation, its shapes by our label kind (a multi-part polygon gives several)."""
    box = ann.get("bbox")
    bbox = {"x": box[0], "y": box[1], "w": box[2], "h": box[3]} if isinstance(box, list) and len(box) == 4 else None
    seg = ann.get("segmentation")
    if isinstance(seg, dict):  # RLE over the whole image, compressed or not
        yield {"mask": _mask_of(seg), **({"bbox": bbox} if bbox else {})}
        return
    keypoints = ann.get("keypoints")
    if isinstance(keypoints, list) and keypoints and not seg:
        for i in range(0, len(keypoints) - 2, 3):
            if keypoints[i + 2]:  # v = 0: not labelled
                yield {"point": {"x": keypoints[i], "y": keypoints[i + 1]}}
        return
    rings = [r for r in seg if isinstance(r, list)] if isinstance(seg, list) else []
    if not rings:
        if bbox:
            yield {"bbox": bbox}
        return
    for ring in rings:
        points = [[ring[i], ring[i + 1]] for i in range(0, len(ring) - 1, 2)]
        yield {"polygon": {"points": points}, **({"bbox": bbox} if bbox and len(rings) == 1 else {})}


def _mask_of(seg: dict[str, Any]) -> dict[str, Any]:
    """A whole-image COCO RLE as our mask geometry: the RLE cropped to the box of its set pixels, read from its
    runs (a slide-sized image is never decoded whole)."""
    height, width = (int(v) for v in seg["size"])
    raw = seg["counts"]
    counts = rle.string_to_counts(raw) if isinstance(raw, str) else [int(c) for c in raw]
    rle.check_counts(counts, height, width)
    runs: list[tuple[int, int]] = []  # (start, end) of each run of set pixels, column-major
    position = 0
    for index, count in enumerate(counts):
        if index % 2 and count:
            runs.append((position, position + count))
        position += count
    if not runs:
        raise ValueError("the mask is empty")
    x0, x1 = runs[0][0] // height, (runs[-1][1] - 1) // height
    y0, y1 = height, -1
    for start, end in runs:
        first, last = start // height, (end - 1) // height
        y0 = min(y0, start % height if first == last else 0)
        y1 = max(y1, (end - 1) % height if first == last else height - 1)
    w, h = x1 - x0 + 1, y1 - y0 + 1
    if w * h > MAX_MASK_PIXELS:
        raise ValueError(f"the mask's box of {w} × {h} pixels is above the limit of {MAX_MASK_PIXELS}")
    crop = np.zeros((h, w), dtype=np.uint8)
    for start, end in runs:
        for column in range(start // height, (end - 1) // height + 1):
            top = max(start - column * height, 0)
            bottom = min(end - column * height, height)
            crop[top - y0 : bottom - y0, column - x0] = 1
    return {"x": x0, "y": y0, "w": w, "h": h, "rle": rle.encode(crop)}
