"""What the nnU-Net and Decathlon layouts share: one case per image, its image channels and label volume on one
affine, written by a layout-specific callback; images that cannot become a case are listed with the reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from annotator.exports.formats.common import AREA_KINDS, RASTER_MAX_PIXELS, label_kinds, numbered, split_of
from annotator.exports.formats.nifti import RGB24, dicom_volume, is_nifti, template_and_geometry
from annotator.exports.formats.rasterize import label_dtype
from annotator.exports.formats.volume import VolumeGeometry, label_volume
from annotator.exports.registry import ExportContext
from annotator.exports.snapshot import ImageSnap, ProjectSnap

RGB = ("R", "G", "B")


@dataclass(frozen=True)
class Case:
    name: str  # the case identifier, e.g. case_000042
    image: ImageSnap
    split: str
    fold: int | None
    channels: tuple[np.ndarray, ...]  # each (i, j, k) on the label volume's grid
    labels: np.ndarray
    geometry: VolumeGeometry
    template: Any  # a NIfTI upload's header, or None
    channel_names: tuple[str, ...]


def case_name(image: ImageSnap) -> str:
    return f"case_{image.id:06d}"


def folder_name(snap: ProjectSnap, prefix: str, digits: int) -> str:
    """A dataset folder name such as Dataset042_Chest_CT: a number from the project id and the name's safe part."""
    number = (snap.id - 1) % (10**digits - 1) + 1
    safe = re.sub(r"[^A-Za-z0-9]+", "_", snap.name).strip("_")[:50] or "Annotator"
    return f"{prefix}{number:0{digits}d}_{safe}"


def _picture_channels(image: ImageSnap) -> tuple[np.ndarray, ...]:
    from PIL import Image as PILImage

    with PILImage.open(image.original) as picture:
        array = np.asarray(picture.convert("RGB") if picture.mode not in ("L", "I;16", "I", "F") else picture)
    if array.ndim == 2:
        return (array.T[:, :, np.newaxis],)
    return tuple(np.ascontiguousarray(array[:, :, c].T[:, :, np.newaxis]) for c in range(3))


def _nifti_channels(image: ImageSnap) -> tuple[np.ndarray, ...]:
    import nibabel

    data = np.asanyarray(nibabel.load(str(image.original)).dataobj)
    if data.ndim == 2:
        data = data[:, :, np.newaxis]
    if data.ndim == 4:
        return tuple(np.ascontiguousarray(data[..., c]) for c in range(data.shape[3]))
    return (data,)


def is_volume(image: ImageSnap) -> bool:
    """DICOM images and NIfTI uploads are volumes; other pictures are 2-D."""
    return image.kind == "dicom" or is_nifti(image)


def image_channels(image: ImageSnap) -> tuple[tuple[np.ndarray, ...], tuple[str, ...]] | str:
    """The image as (i, j, k) channel volumes and their names, or why it cannot be a case."""
    if image.width * image.height > RASTER_MAX_PIXELS:
        return "too large to rasterise (a slide)"
    if not image.original.exists():
        return "its stored original is missing"
    modality = str(image.metadata.get("modality") or "").upper()
    if image.kind == "dicom":
        values = dicom_volume(image)
        if values is None:
            return "its frames differ in shape, are 16-bit colour, or could not be read"
        if values.dtype == RGB24:
            return tuple(np.ascontiguousarray(values[name]) for name in RGB), RGB
        return (values,), (modality or "image",)
    if is_nifti(image):
        channels = _nifti_channels(image)
        names = (modality or "image",) if len(channels) == 1 else tuple(f"channel{c}" for c in range(len(channels)))
        return channels, names
    if image.frames > 1:
        return "a multi-frame picture (not DICOM or NIfTI) has no volume geometry"
    channels = _picture_channels(image)
    return channels, (("image",) if len(channels) == 1 else RGB)


def write_cases(ctx: ExportContext, write: Callable[[Case], None]) -> dict[str, Any]:
    """Build each image's case and hand it to write. When the project has volumes, only volumes become cases;
    the first case fixes the channels every other case must have. Returns the label numbering, channel names,
    cases by split and the images left out (with reasons)."""
    snap = ctx.snapshot
    kinds = label_kinds(snap.labels)
    index = numbered(snap.labels, AREA_KINDS, start=1)
    dtype = label_dtype(len(index))
    channel_names: tuple[str, ...] | None = None
    skipped: dict[str, str] = {}
    cases: dict[str, list[Case]] = {}
    volumes = any(is_volume(image) for image in snap.images)
    for image in snap.images:
        if volumes and not is_volume(image):
            skipped[str(image.id)] = "a 2-D picture, in a dataset of volumes (the two do not mix in one dataset)"
            continue
        made = image_channels(image)
        if isinstance(made, str):
            skipped[str(image.id)] = made
            continue
        channels, names = made
        if channel_names is None:
            channel_names = names
        if len(names) != len(channel_names):
            skipped[str(image.id)] = f"{len(names)} channel(s) where the dataset has {len(channel_names)}"
            continue
        labels = label_volume(image, kinds=kinds, index=index, dtype=dtype)
        if any(c.shape != labels.shape for c in channels):
            skipped[str(image.id)] = "its voxel grid differs from its width, height and frames"
            continue
        template, geometry = template_and_geometry(image)
        case = Case(
            name=case_name(image),
            image=image,
            split=split_of(ctx, image),
            fold=ctx.folds.get(image.id),
            channels=channels,
            labels=labels,
            geometry=geometry,
            template=template,
            channel_names=channel_names,
        )
        write(case)
        cases.setdefault(case.split, []).append(_light(case))
    return {"index": index, "channel_names": channel_names or ("image",), "cases": cases, "skipped": skipped}


def _light(case: Case) -> Case:
    """The case without its voxels (kept for the dataset file lists, not the arrays)."""
    return replace(case, channels=(), labels=np.zeros((0, 0, 0), dtype=np.uint8))


def case_stats(made: dict[str, Any], *, root: str, notes: list[str], legend: list[dict[str, Any]]) -> dict[str, Any]:
    """The card's counts, notes and details of a case layout (write_cases' result, the dataset folder)."""
    cases, index = made["cases"], made["index"]
    if made["skipped"]:
        notes = [*notes, f"Images left out (see format_details.skipped): {sorted(made['skipped'], key=int)}."]
    return {
        "annotations": sum(1 for g in cases.values() for c in g for a in c.image.annotations if a.label_id in index),
        "cases": sum(len(group) for group in cases.values()),
        "notes": notes,
        "details": {"folder": root, "legend": legend, "skipped": made["skipped"]},
    }
