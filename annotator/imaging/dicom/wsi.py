"""DICOM whole-slide images (VL Whole Slide Microscopy, PS3.3 A.32.8): which file of a slide this is."""

from __future__ import annotations

from pydicom.dataset import Dataset

WSI_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.77.1.6"
WSI_DIR = "wsi"  # ingest stores the levels of one slide as wsi/<n>.dcm, level 0 first; OpenSlide joins them
TILED_KINDS = frozenset({"VOLUME", "THUMBNAIL"})  # pyramid levels: tiled pixel matrices of the tissue
PHOTO_KINDS = frozenset({"LABEL", "OVERVIEW"})  # photographs of the glass: the label's text is on them


def wsi_image_kind(ds: Dataset) -> str | None:
    """VOLUME, THUMBNAIL, LABEL or OVERVIEW (Image Type value 3) for a whole-slide image, else None."""
    if str(ds.get("SOPClassUID", "")) != WSI_SOP_CLASS:
        return None
    values = ds.get("ImageType") or []
    values = [values] if isinstance(values, str) else list(values)
    return str(values[2]).strip().upper() if len(values) > 2 else "VOLUME"


def is_tiled_slide(ds: Dataset) -> bool:
    """True for a whole-slide level whose frames are tiles of one large image (read as a slide, not a stack)."""
    return wsi_image_kind(ds) in TILED_KINDS and bool(ds.get("TotalPixelMatrixColumns"))


def label_photo_reason(ds: Dataset) -> str | None:
    """Why a whole-slide file is not kept when it photographs the slide's label (LABEL or OVERVIEW), else None."""
    kind = wsi_image_kind(ds)
    if kind not in PHOTO_KINDS:
        return None
    return (
        f"this is the {kind.lower()} image of a whole-slide scan, a photograph of the glass slide whose label "
        "often carries the patient's name; slide label and overview images are not kept"
    )
