"""NIfTI-1 label volumes: labels/<split>/<id>.nii.gz aligned with the image in patient space (images/ beside)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np

from annotator.exports.formats.common import (
    AREA_KINDS,
    RASTER_MAX_PIXELS,
    count,
    label_kinds,
    numbered,
    picture_ext,
    split_of,
)
from annotator.exports.formats.mask_png import legend
from annotator.exports.formats.rasterize import label_dtype
from annotator.exports.formats.volume import VolumeGeometry, image_geometry, label_volume
from annotator.exports.registry import ExportContext, Output, register
from annotator.exports.snapshot import ImageSnap
from annotator.imaging.dicom import read as dicom_read

NIFTI_EXTS = ("nii", "nii.gz")
RGB24 = np.dtype([("R", "u1"), ("G", "u1"), ("B", "u1")])


def is_nifti(image: ImageSnap) -> bool:
    """True for an image uploaded as a NIfTI volume."""
    return image.kind != "dicom" and image.original_ext.lower() in NIFTI_EXTS


def nifti_bytes(array: np.ndarray, geometry: VolumeGeometry, *, template: Any = None, intent: str = "") -> bytes:
    """A gzip-compressed NIfTI-1 file; with a template header, its qform and sform (and codes) are kept."""
    import nibabel

    # The image's affine must equal the header's best one: nibabel rewrites the sform from it when saving.
    image = nibabel.Nifti1Image(array, template.get_best_affine() if template is not None else geometry.affine)
    header = image.header
    if template is not None:
        sform, scode = template.get_sform(coded=True)
        qform, qcode = template.get_qform(coded=True)
        header.set_sform(sform, code=int(scode))
        header.set_qform(qform, code=int(qcode))
    else:
        header.set_sform(geometry.affine, code=geometry.code)
        header.set_qform(geometry.affine, code=geometry.code)
    header.set_xyzt_units("mm")
    if intent:
        header.set_intent(intent)
    return gzip.compress(image.to_bytes(), compresslevel=6, mtime=0)


def nifti_header(path: Path) -> Any:
    """The header of a stored NIfTI original (nibabel reads no voxels for it)."""
    import nibabel

    return nibabel.load(str(path)).header


def dicom_volume(image: ImageSnap) -> np.ndarray | None:
    """The image's real values (modality LUT applied) as a (width, height, frames) volume; colour as RGB24.
    None when its frames differ in shape or its files were not read."""
    if not image.dicom:
        return None
    planes, cached = [], ("", None)
    for frame in image.dicom:
        if cached[0] != frame.file:
            cached = (frame.file, dicom_read.read_dataset(Path(image.folder) / frame.file))
        planes.append(dicom_read.raw_frame(cached[1], frame.frame_in_file))
    if len({p.shape for p in planes}) != 1:
        return None
    if planes[0].ndim == 3:
        if planes[0].dtype != np.uint8:
            return None
        stacked = np.ascontiguousarray(np.stack(planes, axis=2).transpose(1, 0, 2, 3))
        return stacked.view(RGB24)[..., 0]
    return np.stack(planes, axis=2).astype(np.result_type(*planes)).transpose(1, 0, 2)


def template_and_geometry(image: ImageSnap) -> tuple[Any, VolumeGeometry]:
    """A NIfTI upload's own header (kept as the template) and affine, else the affine built for the image."""
    template = nifti_header(image.original) if is_nifti(image) and image.original.is_file() else None
    geometry = image_geometry(image) if template is None else VolumeGeometry(template.get_best_affine(), 0)
    return template, geometry


NOTES = [
    "`labels/<split>/<image id>.nii.gz` is a NIfTI-1 label volume (intent LABEL) per image: 0 background, 1..n the "
    "box, polygon and mask labels in label order (labels.json); later annotations win overlaps; points, polylines "
    "and tags are counted as skipped.",
    "Voxel (i, j, k) is pixel column i, row j of frame k (frames from 0, a series ordered along the slice normal): "
    "a shape on frame k fills the voxels of slice k whose pixel centres it covers.",
    "The affine maps voxel indices to RAS+ millimetres (NIfTI's convention): for DICOM it is built from "
    "ImagePositionPatient, ImageOrientationPatient and PixelSpacing (LPS, with x and y negated), stepping by the "
    "mean vector between the first and last frame position (qform and sform code 1, scanner); a NIfTI upload keeps "
    "its own qform and sform; a 2-D picture gets one slice with its pixel spacing when known, else the identity "
    "(code 2, aligned).",
    "With include_images, `images/<split>/` holds the image: DICOM as a NIfTI volume of its real values (rescale "
    "applied, Hounsfield units for CT) on the same affine, a NIfTI upload as its original file, a 2-D picture as "
    "its picture file.",
]


def _write_image(
    out: Output, image: ImageSnap, split: str, geometry: VolumeGeometry
) -> list[tuple[str, int, int]] | None:
    """Write the image beside its labels: [] when written, [picture] for the service to add (a 2-D picture),
    None when no volume can be made."""
    if image.kind == "dicom":
        values = dicom_volume(image)
        if values is None:
            return None
        out.write_bytes(f"images/{split}/{image.id}.nii.gz", nifti_bytes(values, geometry))
        return []
    if is_nifti(image):
        out.write_file(f"images/{split}/{image.id}.{image.original_ext}", str(image.original))
        return []
    return [(f"images/{split}/{image.id}.{picture_ext(image)}", image.id, 0)]


@register("nifti", "NIfTI-1 label volumes (.nii.gz)", needs=("dicom_geometry",))
def write_nifti(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write a label volume per image (and the image with include_images); return counts for the dataset card."""
    snap = ctx.snapshot
    kinds = label_kinds(snap.labels)
    index = numbered(snap.labels, AREA_KINDS, start=1)
    dtype = label_dtype(len(index))
    drawn, skipped, too_large, no_volume = 0, {}, [], []
    warnings: dict[str, list[str]] = {}
    image_files: list[tuple[str, int, int]] = []
    for image in snap.images:
        if image.width * image.height > RASTER_MAX_PIXELS:
            too_large.append(image.id)
            continue
        split = split_of(ctx, image)
        drawn += sum(1 for ann in image.annotations if ann.label_id in index)
        for ann in image.annotations:
            if ann.label_id not in index:
                count(skipped, kinds[ann.label_id])
        template, geometry = template_and_geometry(image)
        if geometry.warnings:
            warnings[str(image.id)] = list(geometry.warnings)
        labels = label_volume(image, kinds=kinds, index=index, dtype=dtype)
        data = nifti_bytes(labels, geometry, template=template, intent="label")
        out.write_bytes(f"labels/{split}/{image.id}.nii.gz", data)
        if ctx.options.get("include_images"):
            pictures = _write_image(out, image, split, geometry)
            if pictures is None:
                no_volume.append(image.id)
            else:
                image_files += pictures
    rows = legend(list(snap.labels), index)
    out.write_bytes("labels.json", json.dumps({"background": 0, "labels": rows}, indent=2).encode())
    notes = list(NOTES)
    if too_large:
        notes.append(f"Images above {RASTER_MAX_PIXELS:,} pixels per frame (slides) are left out: {too_large}.")
    if no_volume:
        notes.append(f"No image volume for images {no_volume}: frames of different shapes, or 16-bit colour.")
    return {
        "annotations": drawn,
        "volumes": len(snap.images) - len(too_large),
        "skipped_by_kind": skipped,
        "images_too_large": len(too_large),
        "notes": notes,
        "details": {"legend": rows, "geometry_warnings": warnings},
        "image_files": image_files,
    }
