"""De-identification of a DICOM dataset in memory (PS3.15 E.1 Basic Profile), before anything is stored."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence

from annotator.imaging.dicom.age import age_from_dates, band_as_age_string, band_start, parse_age
from annotator.imaging.dicom.burned_in import burned_in_risk
from annotator.imaging.dicom.dates import shift_date, shift_datetime, shift_days
from annotator.imaging.dicom.profile import basic_action

__all__ = ["burned_in_risk", "deidentify", "method_description", "pseudonym", "remap_uid"]

PATIENT_SEX = 0x00100040  # kept: the product shows patient sex (Retain Patient Characteristics, in part)
PATIENT_AGE = 0x00101010  # replaced by its 5-year band after the walk
NEVER_SHIFTED = frozenset({0x00100030, 0x00100032})  # birth date and time: always emptied
TEMPORAL_VRS = frozenset({"DA", "DT", "TM"})
# File meta attributes that name the sending station or carry private data; not in the table, removed anyway.
FILE_META_REMOVED = (0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102)

DUMMY_TEXT = "ANONYMIZED"
DUMMY_BY_VR: dict[str, Any] = {
    "AS": "000Y",
    "DA": "19000101",
    "DT": "19000101000000",
    "TM": "000000",
    "DS": "0",
    "IS": "0",
    **dict.fromkeys(("FL", "FD"), 0.0),
    **dict.fromkeys(("SL", "SS", "UL", "US", "SV", "UV", "AT"), 0),
    **dict.fromkeys(("OB", "OD", "OF", "OL", "OV", "OW", "UN"), b"\x00\x00"),
}
BASIC_PROFILE_CODE = ("113100", "Basic Application Confidentiality Profile")
MODIFIED_DATES_CODE = ("113107", "Retain Longitudinal Temporal Information Modified Dates Option")
PATIENT_CHARACTERISTICS_CODE = ("113108", "Retain Patient Characteristics Option")


def pseudonym(key: str, value: str, *, length: int = 16) -> str:
    """A stable keyed pseudonym of an identifier; the identifier cannot be recovered from it."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:length]


def remap_uid(key: str, uid: str) -> str:
    """A new UID under the 2.25 root (UUID-derived form), the same for the same input and key."""
    digest = hmac.new(key.encode(), uid.encode(), hashlib.sha256).digest()[:16]
    return "2.25." + str(int.from_bytes(digest, "big"))


@dataclass(frozen=True)
class Rules:
    """What one de-identification run needs: the project key and the patient's day offset (None: no shift)."""

    key: str
    shift: int | None = None


def element_action(tag: int, vr: str, *, shifting: bool) -> str:
    """X, Z, D or U from the profile, or SHIFT, KEEP or RECURSE, for one element."""
    if tag == PATIENT_SEX:
        return "KEEP"
    if tag & 0xFFFF == 0 and (tag >> 16) != 0x0002:
        return "X"  # group lengths would be wrong after the changes below
    action = basic_action(tag)
    temporal = vr in TEMPORAL_VRS and tag not in NEVER_SHIFTED
    if temporal and shifting:
        return "KEEP" if vr == "TM" else "SHIFT"  # whole-day shifts leave times of day as they were
    if action is None:
        if temporal:
            return "Z"  # a date or time the table does not list still dates the patient's visits
        return "RECURSE" if vr == "SQ" else "KEEP"
    if action == "X" or vr != "UN":
        return action
    return "X"  # a listed value we cannot parse (VR UN) cannot be emptied, dummied or remapped safely


def _map_values(value: Any, change: Any) -> Any:
    """Apply change to each value of a possibly multi-valued element."""
    if isinstance(value, MultiValue | list):
        return [change(str(v)) for v in value]
    return change(str(value)) if value not in (None, "") else value


def _apply(ds: Dataset, element: DataElement, action: str, rules: Rules) -> None:
    """Carry out one element's action in place."""
    if action == "X":
        del ds[element.tag]
    elif element.VR == "SQ" and action in ("Z", "D"):
        element.value = Sequence()
    elif action == "Z":
        element.value = None
    elif action == "D" and element.VR != "UI":
        element.value = DUMMY_BY_VR.get(element.VR, DUMMY_TEXT)
    elif action in ("U", "D"):
        element.value = _map_values(element.value, lambda uid: remap_uid(rules.key, uid))
    elif action == "SHIFT" and rules.shift is not None:
        shift = shift_date if element.VR == "DA" else shift_datetime
        element.value = _map_values(element.value, lambda text: shift(text, rules.shift))
    elif action == "RECURSE":
        for item in element.value:
            clean(item, rules)


def clean(ds: Dataset, rules: Rules) -> None:
    """Apply the profile to every element of ds and, recursively, of its sequences' items."""
    for element in list(ds):
        _apply(ds, element, element_action(int(element.tag), element.VR, shifting=rules.shift is not None), rules)


def clean_file_meta(ds: Dataset, rules: Rules) -> None:
    """Remap the file meta's instance UID and drop its station names and private data."""
    meta = getattr(ds, "file_meta", None)
    if meta is None:
        return
    if meta.get("MediaStorageSOPInstanceUID"):
        meta.MediaStorageSOPInstanceUID = remap_uid(rules.key, str(meta.MediaStorageSOPInstanceUID))
    for tag in FILE_META_REMOVED:
        if tag in meta:
            del meta[tag]


def patient_age_years(ds: Dataset) -> float | None:
    """The patient's age: Patient's Age, else birth date to the study (or series, acquisition, content) date."""
    age = parse_age(str(ds.get("PatientAge", "") or ""))
    if age is not None:
        return age
    for keyword in ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate"):
        if ds.get(keyword):
            return age_from_dates(str(ds.get("PatientBirthDate", "") or ""), str(ds.get(keyword)))
    return None


def method_description(*, shifted: bool) -> str:
    """Deidentification Method (LO, at most 64 characters)."""
    return "PS3.15 Basic; UIDs remapped; sex, age band kept" + ("; dates shifted" if shifted else "")


def code_item(code: tuple[str, str]) -> Dataset:
    """One CID 7050 item (coding scheme DCM)."""
    item = Dataset()
    item.CodeValue, item.CodeMeaning = code
    item.CodingSchemeDesignator = "DCM"
    return item


def record_method(ds: Dataset, *, shifted: bool) -> None:
    """Patient Identity Removed, the method in words and codes, and what happened to dates."""
    codes = [BASIC_PROFILE_CODE, PATIENT_CHARACTERISTICS_CODE] + ([MODIFIED_DATES_CODE] if shifted else [])
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = method_description(shifted=shifted)
    ds.DeidentificationMethodCodeSequence = Sequence([code_item(code) for code in codes])
    ds.LongitudinalTemporalInformationModified = "MODIFIED" if shifted else "REMOVED"


ZERO_PREAMBLE = bytes(128)


def deidentify(ds: Dataset, *, key: str, shift_dates: bool = False) -> str:
    """Strip identifiers from ds in place (PS3.15 E.1 Basic Profile); return the patient's pseudonymous reference.

    Private attributes go, UIDs are remapped with the project key (so a study still groups), patient sex is kept
    and the age kept as a 5-year band. With shift_dates, dates move by one keyed per-patient offset instead of
    being emptied, which keeps every interval.
    """
    identity = str(ds.get("PatientID", "") or ds.get("PatientName", "") or "unknown")
    patient_ref = pseudonym(key, identity)
    age = patient_age_years(ds)
    rules = Rules(key=key, shift=shift_days(key, identity) if shift_dates else None)
    clean(ds, rules)
    clean_file_meta(ds, rules)
    if PATIENT_AGE in ds:
        del ds[PATIENT_AGE]
    if age is not None:
        ds.PatientAge = band_as_age_string(band_start(age))
    ds.PatientID = patient_ref
    ds.PatientName = patient_ref
    ds.preamble = ZERO_PREAMBLE  # 128 free bytes: text, HTML or an executable header may hide there
    record_method(ds, shifted=shift_dates)
    return patient_ref
