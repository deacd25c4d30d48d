"""Whether an image's pixels may carry burned-in identifying text, from its own attributes."""

from __future__ import annotations

from pydicom.dataset import Dataset

# Modalities whose images often carry text in the pixels (patient name, dates, institution).
RISKY_MODALITIES: dict[str, str] = {
    "US": "ultrasound",
    "XC": "external-camera photography",
    "OT": "other-modality",
}
# Secondary Capture Image Storage SOP classes (PS3.4 B.5): screen grabs and scanned documents.
SECONDARY_CAPTURE_CLASSES: frozenset[str] = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.7",
        "1.2.840.10008.5.1.4.1.1.7.1",
        "1.2.840.10008.5.1.4.1.1.7.2",
        "1.2.840.10008.5.1.4.1.1.7.3",
        "1.2.840.10008.5.1.4.1.1.7.4",
    }
)


def burned_in_risk(ds: Dataset) -> str | None:
    """A reason to hold the image for a look at its pixels, or None when nothing suggests burned-in text.

    BurnedInAnnotation YES is always a reason; when the attribute is absent, ultrasound, secondary capture and
    XC/OT images are a reason too, since they often carry text in the pixels without saying so.
    """
    flag = str(ds.get("BurnedInAnnotation", "") or "").strip().upper()
    if flag == "YES":
        return "Burned In Annotation is YES: the pixels carry text that may identify the patient."
    if flag:
        return None
    if str(ds.get("SOPClassUID", "")) in SECONDARY_CAPTURE_CLASSES:
        return "This is a secondary capture image without Burned In Annotation; such images often carry text."
    modality = str(ds.get("Modality", "") or "").strip().upper()
    if modality in RISKY_MODALITIES:
        kind = RISKY_MODALITIES[modality]
        return (
            f"This is an {kind} image (modality {modality}) without Burned In Annotation; such images often carry text."
        )
    return None
