"""DICOM Segmentation (PS3.3 A.51, binary) per DICOM image through highdicom, referencing the stored instances."""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

import annotator
from annotator.exports.formats.common import AREA_KINDS, RASTER_MAX_PIXELS, count, label_kinds, split_of
from annotator.exports.formats.mask_png import rgb
from annotator.exports.formats.rasterize import draw
from annotator.exports.registry import ExportContext, Output, register
from annotator.exports.snapshot import ImageSnap, LabelSnap
from annotator.imaging.dicom import read as dicom_read

logger = logging.getLogger(__name__)

# SNOMED CT 85756007 "Tissue" as both segmented property category (CID 7150) and type: a generic choice,
# since a project's labels carry no coded meaning; the label's own name is the segment label.
PROPERTY_CODE = ("85756007", "SCT", "Tissue")
ALGORITHM_FAMILY = ("123110", "DCM", "Artificial Intelligence")  # CID 7162, for segments drawn by a model
# Type 2 attributes highdicom copies from the source; de-identification may have removed them.
TYPE2_COPIED = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "AccessionNumber",
    "StudyID",
)
SERIES_NUMBER = 9901
NOTES = [
    "`seg/<split>/<image id>.dcm` is a DICOM Segmentation instance (binary, PS3.3 A.51) of one DICOM image, "
    "made with highdicom: it references the exported image's SOP Instance UIDs (the de-identified ones "
    "stored here) and copies its patient, study and frame of reference, with one frame per source frame "
    "and segment that holds pixels.",
    "One segment per label drawn on the image (boxes, polygons and masks; a pixel belongs to a shape when "
    "its centre lies inside it), numbered 1..m in label order; the segment label is the label's name, its "
    "tracking id `label-<label id>`, its colour the label's colour. Overlapping labels stay separate.",
    "Segmented property category and type are both SNOMED CT 85756007 'Tissue' (a generic code: labels "
    "carry no coded meaning). Algorithm type MANUAL, or SEMIAUTOMATIC (algorithm 'Annotator', family DCM "
    "123110 'Artificial Intelligence') when a model drew one of the label's shapes.",
    "Points, polylines and tags are counted as skipped. With include_images, `images/<split>/<image id>/` "
    "holds the referenced DICOM files.",
]


def stable_uid(*parts: object) -> str:
    """A UID under the 2.25 root derived from its inputs, so the same data gives the same SEG bytes."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()[:16]
    return "2.25." + str(int.from_bytes(digest, "big"))


def segment_masks(image: ImageSnap, labels: Sequence[LabelSnap], kinds: dict[int, str]) -> tuple[list[LabelSnap], Any]:
    """The area labels drawn on an image (in label order) and their (frames, rows, columns, segments) masks."""
    present = [
        label for label in labels if label.kind in AREA_KINDS and any(a.label_id == label.id for a in image.annotations)
    ]
    segment_of = {label.id: number for number, label in enumerate(present)}
    masks = np.zeros((image.frames, image.height, image.width, len(present)), dtype=bool)
    for ann in image.annotations:
        if ann.label_id in segment_of and 0 <= ann.frame < image.frames:
            draw(masks[ann.frame, :, :, segment_of[ann.label_id]], kinds[ann.label_id], ann.geometry, True)
    return present, masks


def source_datasets(image: ImageSnap) -> list[Any]:
    """Headers (no pixels) of the image's stored files in frame order, with empty Type 2 attributes filled in."""
    files = list(dict.fromkeys(frame.file for frame in image.dicom))
    datasets = [dicom_read.read_header(Path(image.folder) / name) for name in files]
    for ds in datasets:
        for keyword in TYPE2_COPIED:
            if keyword not in ds:
                setattr(ds, keyword, "")
    return datasets


def segment_description(number: int, label: LabelSnap, *, automatic: bool) -> Any:
    import highdicom as hd

    code = hd.sr.CodedConcept(*PROPERTY_CODE)
    algorithm = (
        hd.AlgorithmIdentificationSequence(
            name="Annotator", family=hd.sr.CodedConcept(*ALGORITHM_FAMILY), version=annotator.__version__
        )
        if automatic
        else None
    )
    return hd.seg.SegmentDescription(
        segment_number=number,
        segment_label=label.name[:64],
        segmented_property_category=code,
        segmented_property_type=code,
        algorithm_type="SEMIAUTOMATIC" if automatic else "MANUAL",
        algorithm_identification=algorithm,
        tracking_id=f"label-{label.id}",
        tracking_uid=hd.UID(stable_uid("tracking", label.id, label.name)),
        display_color=hd.color.CIELabColor.from_rgb(*rgb(label.color)),
    )


def segmentation_bytes(image: ImageSnap, present: list[LabelSnap], masks: Any, *, moment: str = "") -> bytes:
    """The SEG instance of one image as Part 10 file bytes; UIDs and dates come from the data (moment: the
    data's last change, ISO 8601), never from the clock or chance, so unchanged data gives the same bytes."""
    model_labels = {a.label_id for a in image.annotations if a.source == "model"}
    with warnings.catch_warnings():  # the pseudonymous PatientName has one component, as intended
        warnings.filterwarnings("ignore", message=".*intended person name", category=UserWarning)
        seg = _segmentation(image, present, masks, model_labels, _when(moment))
    _fix_volatile(seg, stable_uid("dimensions", seg.SOPInstanceUID), _when(moment))
    buffer = io.BytesIO()
    seg.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _when(moment: str) -> datetime:
    """The data's last change as a naive UTC datetime (the epoch of DICOM's DA when there is none)."""
    if not moment:
        return datetime(1970, 1, 1)
    return datetime.fromisoformat(moment).astimezone(UTC).replace(tzinfo=None)


def _fix_volatile(seg: Any, dimension_uid: str, when: datetime) -> None:
    """Replace what highdicom takes from the clock or a random UID (creation and contribution times, dimension
    organisation)."""
    seg.InstanceCreationDate, seg.InstanceCreationTime = when.strftime("%Y%m%d"), when.strftime("%H%M%S")
    for item in seg.get("ContributingEquipmentSequence", []):
        if "ContributionDateTime" in item:
            item.ContributionDateTime = when.strftime("%Y%m%d%H%M%S")
    for item in (*seg.get("DimensionOrganizationSequence", []), *seg.get("DimensionIndexSequence", [])):
        if "DimensionOrganizationUID" in item:
            item.DimensionOrganizationUID = dimension_uid


def _segmentation(
    image: ImageSnap, present: list[LabelSnap], masks: Any, model_labels: set[int], when: datetime
) -> Any:
    import highdicom as hd

    sources = [frame.sop_instance_uid for frame in image.dicom]
    content = hashlib.sha256(np.packbits(masks).tobytes()).hexdigest()
    labels = [(label.id, label.name, label.color) for label in present]
    return hd.seg.Segmentation(
        source_images=source_datasets(image),
        pixel_array=masks,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=[
            segment_description(n, label, automatic=label.id in model_labels) for n, label in enumerate(present, 1)
        ],
        series_instance_uid=hd.UID(stable_uid("series", image.id, sources)),
        series_number=SERIES_NUMBER,
        sop_instance_uid=hd.UID(stable_uid("instance", image.id, sources, content, labels, sorted(model_labels))),
        instance_number=1,
        manufacturer="Annotator",
        manufacturer_model_name="Annotator",
        software_versions=annotator.__version__,
        device_serial_number="0",
        content_label="ANNOTATOR",
        content_description=f"Annotator export of image {image.id}",
        content_date=when.date(),
        content_time=when.time().replace(microsecond=0),
    )


@register("dicom_seg", "DICOM Segmentation objects", needs=("dicom_geometry",))
def write_dicom_seg(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write seg/<split>/<image id>.dcm per DICOM image with shapes; return counts for the dataset card."""
    snap = ctx.snapshot
    kinds = label_kinds(snap.labels)
    written = drawn = 0
    skipped: dict[str, int] = {}
    not_dicom, without_shapes, failed = [], [], {}
    for image in snap.images:
        if image.kind != "dicom":
            not_dicom.append(image.id)
            continue
        if not image.dicom or image.width * image.height > RASTER_MAX_PIXELS:
            failed[str(image.id)] = "its stored files could not be read, or its frames are too large to rasterise"
            continue
        split = split_of(ctx, image)
        for ann in image.annotations:
            if kinds[ann.label_id] not in AREA_KINDS:
                count(skipped, kinds[ann.label_id])
        present, masks = segment_masks(image, snap.labels, kinds)
        if not present or not masks.any():
            without_shapes.append(image.id)
            continue
        try:
            data = segmentation_bytes(image, present, masks, moment=snap.changed_at)
        except (ValueError, AttributeError, TypeError) as exc:  # a source highdicom cannot reference
            logger.warning("DICOM SEG of image %s failed: %s", image.id, exc, exc_info=True)
            failed[str(image.id)] = str(exc)[:300]
            continue
        out.write_bytes(f"seg/{split}/{image.id}.dcm", data)
        written += 1
        drawn += sum(1 for a in image.annotations if kinds[a.label_id] in AREA_KINDS)
        if ctx.options.get("include_images"):
            for name in dict.fromkeys(frame.file for frame in image.dicom):
                out.write_file(f"images/{split}/{image.id}/{name}", str(Path(image.folder) / name))
    notes = list(NOTES)
    if not_dicom:
        notes.append(f"Images skipped as not DICOM (DICOM SEG needs DICOM sources): {not_dicom}.")
    if without_shapes:
        notes.append(f"DICOM images without any box, polygon or mask (no SEG written): {without_shapes}.")
    if failed:
        notes.append(f"Images whose SEG could not be built: {sorted(failed)} (reasons in format_details).")
    return {
        "annotations": drawn,
        "segmentations": written,
        "skipped_by_kind": skipped,
        "images_not_dicom": len(not_dicom),
        "images_without_shapes": len(without_shapes),
        "notes": notes,
        "details": {"failed": failed, "not_dicom": not_dicom, "without_shapes": without_shapes},
    }
