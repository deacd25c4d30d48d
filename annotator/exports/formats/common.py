"""What the export formats share: splits, sample and file names, label numbering, shape extents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from annotator.annotations import rle
from annotator.exports.registry import ExportContext
from annotator.exports.snapshot import AnnotationSnap, ImageSnap, LabelSnap

AREA_KINDS = ("bbox", "polygon", "mask")  # the kinds that cover pixels (raster and volume formats)
NOT_A_PICTURE = frozenset(
    {"dcm", "series", "wsi", "mrxs", "nii", "nii.gz"}
)  # originals a 2-D training tool cannot read as is
RASTER_MAX_PIXELS = 100_000_000  # label maps are built whole; a slide-sized frame is skipped, not rasterised


def split_of(ctx: ExportContext, image: ImageSnap) -> str:
    """The split an image belongs to ("default" without a split)."""
    return ctx.splits.get(image.id, "default")


def frames_mode(ctx: ExportContext, default: str = "annotated") -> str:
    """The export's "frames" option ("all" or "annotated"), or the format's default."""
    return str(ctx.options.get("frames") or default)


def sample_frames(image: ImageSnap, mode: str = "annotated") -> list[int]:
    """Frames written as 2-D samples: the only frame of a single-frame image (annotated or not, an unannotated
    image is a negative sample); of a stack, every frame with mode "all" (unannotated frames are negatives too),
    else the annotated frames."""
    if image.frames <= 1:
        return [0]
    if mode == "all":
        return list(range(image.frames))
    return sorted({ann.frame for ann in image.annotations if 0 <= ann.frame < image.frames})


def stem(image: ImageSnap, frame: int) -> str:
    """File name without extension of one sample: the image id, plus the frame for a stack."""
    return str(image.id) if image.frames <= 1 else f"{image.id}_f{frame:04d}"


def picture_ext(image: ImageSnap) -> str:
    """Extension of an exported picture: the original's when it can be copied as it is, else png (rendered)."""
    if image.kind == "dicom" or image.frames > 1 or image.original_ext.lower() in NOT_A_PICTURE:
        return "png"
    return image.original_ext


def frame_annotations(image: ImageSnap, frame: int) -> list[AnnotationSnap]:
    """An image's annotations on one frame, in the order they were made (by id)."""
    return [ann for ann in image.annotations if ann.frame == frame]


def label_kinds(labels: Iterable[LabelSnap]) -> dict[int, str]:
    """Label id → kind."""
    return {label.id: label.kind for label in labels}


def numbered(labels: Sequence[LabelSnap], kinds: Iterable[str], *, start: int) -> dict[int, int]:
    """Label id → consecutive number from start, in label order, for the labels of the given kinds."""
    wanted = set(kinds)
    chosen = [label for label in labels if label.kind in wanted]
    return {label.id: start + index for index, label in enumerate(chosen)}


def polygon_area(points: Sequence[Sequence[float]]) -> float:
    """Area of a simple polygon by the shoelace formula."""
    total = 0.0
    closed = list(points[1:]) + list(points[:1])
    for (x1, y1), (x2, y2) in zip(points, closed, strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2.0


def bounds(points: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """(x, y, w, h) of the smallest box holding every point."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def extent(kind: str, geometry: Any) -> tuple[float, float, float, float] | None:
    """(x, y, w, h) of a shape that has extent (a mask's stored box), None for points and tags."""
    if kind in ("bbox", "mask"):
        return float(geometry["x"]), float(geometry["y"]), float(geometry["w"]), float(geometry["h"])
    if kind in ("polygon", "polyline"):
        return bounds(geometry["points"])
    return None


def mask_crop(geometry: Any) -> tuple[int, int, np.ndarray]:
    """(x, y, crop) of a mask: its top-left pixel and its (h, w) 0/1 array."""
    return round(float(geometry["x"])), round(float(geometry["y"])), rle.decode(geometry["rle"])


def mask_box(geometry: Any) -> tuple[int, int, int, int] | None:
    """(x, y, w, h) of a mask's set pixels in image coordinates, None when the mask is empty."""
    x, y, crop = mask_crop(geometry)
    box = rle.bounding_box(crop)
    return None if box is None else (x + box[0], y + box[1], box[2], box[3])


def count(counter: dict[str, int], key: str, n: int = 1) -> None:
    """Add n to counter[key]."""
    counter[key] = counter.get(key, 0) + n


class ImageFiles:
    """The picture files a format names for its samples, (name in the zip, image id, frame): listed only when the
    export includes the images (which writes them), else only counted, so memory does not grow per sample."""

    def __init__(self, ctx: ExportContext) -> None:
        self.keep = bool(ctx.options.get("include_images"))
        self.files: list[tuple[str, int, int]] = []
        self.count = 0

    def add(self, name: str, image_id: int, frame: int) -> None:
        self.count += 1
        if self.keep:
            self.files.append((name, image_id, frame))
