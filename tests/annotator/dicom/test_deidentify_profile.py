"""De-identification to the PS3.15 E.1 Basic Profile: nothing the profile lists survives in the written bytes."""

from __future__ import annotations

import copy
import io

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from annotator.imaging.dicom.deidentify import (
    burned_in_risk,
    deidentify,
    element_action,
    method_description,
    pseudonym,
    remap_uid,
)
from annotator.imaging.dicom.profile import BASIC_PROFILE, REPEATING_GROUPS
from annotator.imaging.dicom.read import metadata

KEY = "project-key"
KEPT_BY_PRODUCT = {0x00100040, 0x00101010}  # patient sex; patient age (replaced by its band, checked apart)
TEMPORAL = {"DA", "DT", "TM"}
TEXT_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"}
SAMPLES = [
    "CT_small.dcm",
    "MR_small.dcm",
    "JPEG2000.dcm",
    "examples_ybr_color.dcm",
    "examples_palette.dcm",
    "test-SR.dcm",
    "rtplan.dcm",
    "rtdose.dcm",
    "nested_priv_SQ.dcm",
]


def load(name: str) -> Dataset:
    return pydicom.dcmread(get_testdata_file(name))


def written(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=False)
    return buffer.getvalue()


def listed(tag: int) -> bool:
    """The profile lists the tag as one to act on (the table, its repeating groups, or private)."""
    group, element = tag >> 16, tag & 0xFFFF
    in_groups = any(group & mask == value and only in (None, element) for mask, value, only, _ in REPEATING_GROUPS)
    return tag in BASIC_PROFILE or in_groups or group % 2 == 1


def texts(value: object) -> list[str]:
    values = value if isinstance(value, list | pydicom.multival.MultiValue) else [value]
    return [str(v) for v in values if v is not None and not isinstance(v, bytes | Dataset)]


def values_of(ds: Dataset, *, identifying: bool, dates: bool = True) -> set[str]:
    """String values (4+ characters) of listed attributes (identifying) or of the attributes kept (not)."""
    found: set[str] = set()
    elements = list(ds.iterall()) + (list(ds.file_meta) if getattr(ds, "file_meta", None) else [])
    for element in elements:
        tag = int(element.tag)
        if tag in KEPT_BY_PRODUCT or element.VR not in TEXT_VRS:
            continue
        is_identifying = listed(tag) or (dates and element.VR in TEMPORAL)
        if is_identifying == identifying:
            found |= {text for text in texts(element.value) if len(text.strip()) >= 4}
    return found


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")  # rtdose.dcm carries a malformed UID
@pytest.mark.parametrize("name", SAMPLES)
def test_no_listed_value_survives_in_the_written_bytes(name: str) -> None:
    original = load(name)
    kept = values_of(original, identifying=False)
    # A listed value that is also part of a kept one (InstitutionName 'TOSHIBA', Manufacturer 'TOSHIBA_MEC')
    # legitimately stays in the file through the kept attribute.
    secrets = {value for value in values_of(original, identifying=True) if not any(value in k for k in kept)}
    ds = copy.deepcopy(original)
    deidentify(ds, key=KEY)
    stored = written(ds)
    for secret in secrets:
        for encoding in ("utf-8", "latin-1"):
            assert secret.strip().encode(encoding, "ignore") not in stored, f"{secret!r} survived"
    assert not any(element.tag.is_private for element in pydicom.dcmread(io.BytesIO(stored), force=True).iterall())


def test_the_samples_really_carry_identifiers() -> None:
    assert len(values_of(load("CT_small.dcm"), identifying=True)) >= 10
    assert any(element.tag.is_private for element in load("nested_priv_SQ.dcm").iterall())


def test_uids_stay_consistent_across_two_files_of_one_study() -> None:
    first, second = load("MR_small.dcm"), load("MR_small_jp2klossless.dcm")  # one dataset, two encodings
    third = load("CT_small.dcm")
    second.SOPInstanceUID = second.SOPInstanceUID + ".2"
    originals = [(str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID)) for ds in (first, second)]
    for ds in (first, second, third):
        deidentify(ds, key=KEY)
    assert first.StudyInstanceUID == second.StudyInstanceUID == remap_uid(KEY, originals[0][0])
    assert first.SeriesInstanceUID == second.SeriesInstanceUID != originals[0][1]
    assert first.FrameOfReferenceUID == second.FrameOfReferenceUID
    assert first.SOPInstanceUID != second.SOPInstanceUID
    assert first.file_meta.MediaStorageSOPInstanceUID == first.SOPInstanceUID
    assert third.StudyInstanceUID != first.StudyInstanceUID
    other_project = load("MR_small.dcm")
    deidentify(other_project, key="another-key")
    assert other_project.StudyInstanceUID != first.StudyInstanceUID


def test_uids_inside_sequences_are_remapped_consistently() -> None:
    ds = load("test-SR.dcm")
    study = str(ds.StudyInstanceUID)
    deidentify(ds, key=KEY)
    evidence = ds.PredecessorDocumentsSequence[0]
    assert evidence.StudyInstanceUID == ds.StudyInstanceUID == remap_uid(KEY, study)
    assert len(ds.ContentSequence) == 0  # D on a sequence: no content items survive


def test_private_tags_are_gone_at_every_depth() -> None:
    for name in ("CT_small.dcm", "nested_priv_SQ.dcm", "priv_SQ.dcm", "JPEG2000.dcm"):
        ds = load(name)
        deidentify(ds, key=KEY)
        assert not any(element.tag.is_private for element in ds.iterall()), name


def test_the_method_is_recorded() -> None:
    ds = load("CT_small.dcm")
    deidentify(ds, key=KEY)
    assert ds.PatientIdentityRemoved == "YES"
    assert len(ds.DeidentificationMethod) <= 64 and ds.DeidentificationMethod == method_description(shifted=False)
    codes = [(item.CodeValue, item.CodingSchemeDesignator) for item in ds.DeidentificationMethodCodeSequence]
    assert ("113100", "DCM") in codes and ("113107", "DCM") not in codes
    assert ds.LongitudinalTemporalInformationModified == "REMOVED"
    assert len(method_description(shifted=True)) <= 64


def test_patient_ref_name_and_id_are_the_pseudonym() -> None:
    ds = load("CT_small.dcm")
    ref = deidentify(ds, key=KEY)
    assert ref == pseudonym(KEY, "1CT1") == ds.PatientID == str(ds.PatientName)
    assert not ds.PatientBirthDate


def test_sex_and_an_age_band_are_kept() -> None:
    ds = load("CT_small.dcm")
    ds.PatientAge = "043Y"
    deidentify(ds, key=KEY)
    assert ds.PatientSex == "O" and ds.PatientAge == "040Y"
    meta = metadata(ds, patient_ref="x")
    assert meta["patient_sex"] == "O" and meta["age_band"] == "40-44"


@pytest.mark.parametrize(
    ("age", "birth", "study", "stored", "band"),
    [
        ("095Y", "", "20200101", "090Y", "90+"),
        ("006M", "", "20200101", "000Y", "0-4"),
        (None, "19600615", "20200614", "055Y", "55-59"),  # 59 the day before the birthday
        (None, "", "20200101", None, None),
    ],
)
def test_age_bands(age: str | None, birth: str, study: str, stored: str | None, band: str | None) -> None:
    ds = load("MR_small.dcm")
    for keyword, value in (("PatientAge", age), ("PatientBirthDate", birth), ("StudyDate", study)):
        if value is None:
            ds.pop(keyword, None)
        else:
            setattr(ds, keyword, value)
    deidentify(ds, key=KEY)
    assert ds.get("PatientAge") == stored
    assert metadata(ds, patient_ref="x")["age_band"] == band


def test_date_shifting_keeps_intervals_and_records_the_option() -> None:
    original = load("CT_small.dcm")
    ds, sibling = copy.deepcopy(original), copy.deepcopy(original)
    sibling.SOPInstanceUID = original.SOPInstanceUID + ".9"
    deidentify(ds, key=KEY, shift_dates=True)
    deidentify(sibling, key=KEY, shift_dates=True)
    days = lambda value: pydicom.valuerep.DA(value).toordinal()  # noqa: E731
    offset = days(ds.StudyDate) - days(original.StudyDate)
    assert offset < 0
    for keyword in ("SeriesDate", "AcquisitionDate", "ContentDate", "InstanceCreationDate"):
        assert days(ds.get(keyword)) - days(original.get(keyword)) == offset, keyword
    assert ds.StudyDate == sibling.StudyDate and ds.StudyTime == original.StudyTime
    assert not ds.PatientBirthDate  # never shifted, always emptied
    stored = written(ds)
    assert str(original.StudyDate).encode() not in stored
    codes = [item.CodeValue for item in ds.DeidentificationMethodCodeSequence]
    assert "113107" in codes and ds.LongitudinalTemporalInformationModified == "MODIFIED"


def test_date_offsets_differ_between_patients_and_keys() -> None:
    def offset(patient: str, key: str) -> int:
        ds = load("MR_small.dcm")
        ds.PatientID = patient
        before = pydicom.valuerep.DA(ds.StudyDate).toordinal()
        deidentify(ds, key=key, shift_dates=True)
        return pydicom.valuerep.DA(ds.StudyDate).toordinal() - before

    assert len({offset("p1", KEY), offset("p2", KEY), offset("p1", "other"), offset("p3", KEY)}) > 1


@pytest.mark.parametrize(
    ("tag", "vr", "shifting", "action"),
    [
        (0x00100010, "PN", False, "Z"),  # Patient's Name
        (0x00080080, "LO", False, "X"),  # Institution Name: X/Z/D resolved to X
        (0x00080023, "DA", False, "Z"),  # Content Date: Z/D resolved to Z
        (0x00080023, "DA", True, "SHIFT"),
        (0x00080033, "TM", True, "KEEP"),  # times of day survive whole-day shifts
        (0x00080012, "DA", False, "Z"),  # Instance Creation Date: not listed, still a date
        (0x00100030, "DA", True, "Z"),  # birth date: never shifted
        (0x0020000D, "UI", False, "U"),
        (0x00100040, "CS", False, "KEEP"),  # patient sex, kept by the product
        (0x00091001, "LO", False, "X"),  # private
        (0x60003000, "OW", False, "X"),  # overlay data
        (0x00280000, "UL", False, "X"),  # group length
        (0x00081115, "SQ", False, "RECURSE"),  # Referenced Series Sequence: kept, cleaned inside
        (0x00100010, "UN", False, "X"),  # a listed value we cannot read is removed
        (0x00280010, "US", False, "KEEP"),  # Rows
    ],
)
def test_element_actions(tag: int, vr: str, shifting: bool, action: str) -> None:
    assert element_action(tag, vr, shifting=shifting) == action


def test_burned_in_risk() -> None:
    ultrasound = load("examples_ybr_color.dcm")
    assert "ultrasound" in burned_in_risk(ultrasound)
    ultrasound.BurnedInAnnotation = "NO"
    assert burned_in_risk(ultrasound) is None
    assert "secondary capture" in burned_in_risk(load("SC_rgb_rle.dcm"))
    ct = load("CT_small.dcm")
    assert burned_in_risk(ct) is None
    ct.BurnedInAnnotation = "YES"
    assert "YES" in burned_in_risk(ct)
    other = load("MR_small.dcm")
    other.Modality = "OT"
    assert "OT" in burned_in_risk(other)
