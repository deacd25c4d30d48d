"""Loaders of exports: a PyTorch `CocoDataset` (numpy without torch) and MONAI's datalist of a Decathlon export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

try:  # torch is an optional extra: without it the dataset yields numpy arrays
    import torch
    from torch.utils.data import Dataset as _Base
except ImportError:  # pragma: no cover - depends on the environment
    torch = None
    _Base = object


def rle_decode(counts: str | list[int], size: list[int]) -> np.ndarray:
    """A COCO RLE (compressed string or list of run lengths, column-major) as an (h, w) uint8 mask."""
    h, w = int(size[0]), int(size[1])
    runs = _rle_counts(counts) if isinstance(counts, str) else list(counts)
    flat = np.zeros(h * w, dtype=np.uint8)
    at, value = 0, 0
    for run in runs:
        if value:
            flat[at : at + run] = 1
        at += run
        value ^= 1
    return flat.reshape((w, h)).T


def _rle_counts(text: str) -> list[int]:
    """COCO's compressed counts: 5-bit groups with a continuation bit, each count after the second a delta."""
    counts: list[int] = []
    data = text.encode()
    p = 0
    while p < len(data):
        x, k, more = 0, 0, True
        while more:
            c = data[p] - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def polygon_mask(polygons: list[list[float]], h: int, w: int) -> np.ndarray:
    """Pixels whose centre lies inside a polygon (even-odd rule; pixel i spans [i, i+1)), by scanlines."""
    mask = np.zeros((h, w), dtype=np.uint8)
    centres = np.arange(w) + 0.5
    for flat in polygons:
        pts = np.asarray(flat, dtype=np.float64).reshape(-1, 2)
        if len(pts) < 3:
            continue
        x0, y0 = pts[:, 0], pts[:, 1]
        x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
        for row in range(h):
            cy = row + 0.5
            crossing = (y0 <= cy) != (y1 <= cy)
            if not crossing.any():
                continue
            xs = np.sort(
                x0[crossing] + (cy - y0[crossing]) * (x1[crossing] - x0[crossing]) / (y1[crossing] - y0[crossing])
            )
            for a, b in zip(xs[0::2], xs[1::2], strict=False):
                mask[row] ^= ((centres > a) & (centres < b)).astype(np.uint8)
    return mask


def available_splits(export_dir: str | Path) -> list[str]:
    return sorted(
        p.stem.removeprefix("instances_") for p in (Path(export_dir) / "annotations").glob("instances_*.json")
    )


class CocoDataset(_Base):  # type: ignore[misc, valid-type]
    """Samples of a COCO export: `(image, target)`; image C×H×W float in [0, 1], target `boxes` (N×4, x1 y1 x2 y2),
    `labels` (N, the Annotator label ids), `masks` (N×H×W uint8), `image_id`. Tensors with torch, numpy arrays without.
    The split is the export's (`train`, `val`, `test`, `fold-k`…; `default` when the export had no split)."""

    def __init__(self, export_dir: str | Path, split: str = "train", transforms: Any = None) -> None:
        self.root = Path(export_dir)
        path = self.root / "annotations" / f"instances_{split}.json"
        if not path.is_file():
            raise FileNotFoundError(
                f"No split {split!r} in {self.root}; it has: {', '.join(available_splits(self.root))}"
            )
        document = json.loads(path.read_text())
        self.categories = {c["id"]: c["name"] for c in document["categories"]}
        self.images = sorted(document["images"], key=lambda i: i["id"])
        self.by_image: dict[int, list[dict[str, Any]]] = {i["id"]: [] for i in self.images}
        for ann in document["annotations"]:
            self.by_image.setdefault(ann["image_id"], []).append(ann)
        self.transforms = transforms

    def __len__(self) -> int:
        return len(self.images)

    def _mask(self, ann: dict[str, Any], h: int, w: int) -> np.ndarray:
        seg = ann.get("segmentation")
        if isinstance(seg, dict):
            return rle_decode(seg["counts"], seg["size"])
        if isinstance(seg, list) and seg:
            return polygon_mask(seg, h, w)
        x, y, bw, bh = ann["bbox"]  # a box alone: its rectangle
        mask = np.zeros((h, w), dtype=np.uint8)
        mask[int(y) : int(np.ceil(y + bh)), int(x) : int(np.ceil(x + bw))] = 1
        return mask

    def __getitem__(self, index: int) -> tuple[Any, dict[str, Any]]:
        info = self.images[index]
        file = self.root / info["file_name"]
        if not file.is_file():
            raise FileNotFoundError(f"{file} is missing: export with include_images=True")
        pixels = np.asarray(Image.open(file).convert("RGB"), dtype=np.float32) / 255.0
        h, w = pixels.shape[:2]
        anns = [a for a in self.by_image.get(info["id"], []) if "bbox" in a]
        boxes = np.array(
            [[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in anns],
            dtype=np.float32,
        ).reshape(-1, 4)
        labels = np.array([a["category_id"] for a in anns], dtype=np.int64)
        masks = np.stack([self._mask(a, h, w) for a in anns]) if anns else np.zeros((0, h, w), dtype=np.uint8)
        image = pixels.transpose(2, 0, 1).copy()
        target: dict[str, Any] = {"boxes": boxes, "labels": labels, "masks": masks, "image_id": info["id"]}
        if torch is not None:
            image = torch.from_numpy(image)
            target = {k: torch.as_tensor(v) for k, v in target.items()}
        if self.transforms is not None:
            image, target = self.transforms(image, target)
        return image, target


def decathlon_datalist(export_dir: str | Path, key: str = "training") -> list[dict[str, str]]:
    """MONAI's list of dicts (`{"image": path, "label": path}`, absolute) from a Decathlon export's dataset.json."""
    root = Path(export_dir)
    for candidate in [root / "dataset.json", *sorted(root.glob("*/dataset.json"))]:
        if not candidate.is_file():
            continue
        document = json.loads(candidate.read_text())
        if key in document:
            base = candidate.parent
            return [
                {k: str((base / v).resolve()) if isinstance(v, str) else v for k, v in item.items()}
                for item in document[key]
            ]
    raise FileNotFoundError(f"No dataset.json with {key!r} in {root} (is it a Decathlon export?)")
