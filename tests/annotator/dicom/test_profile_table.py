"""The Basic Profile table is data from PS3.15 Table E.1-1: well-formed, and every action resolved."""

from __future__ import annotations

from pydicom.datadict import dictionary_has_tag, keyword_for_tag

from annotator.imaging.dicom.profile import BASIC_PROFILE, RESOLVED, basic_action

CODES = {"D", "Z", "X", "K", "C", "U"}


def test_every_entry_is_a_known_attribute_with_a_standard_code() -> None:
    assert len(BASIC_PROFILE) > 450
    for tag, code in BASIC_PROFILE.items():
        assert dictionary_has_tag(tag), hex(tag)
        assert code in CODES or code in RESOLVED, (hex(tag), code)


def test_combined_codes_resolve_to_single_actions() -> None:
    assert set(RESOLVED.values()) <= CODES
    for tag in BASIC_PROFILE:
        assert basic_action(tag) in CODES


def test_well_known_rows() -> None:
    expected = {
        "PatientName": "Z",
        "PatientID": "Z",
        "PatientBirthDate": "Z",
        "AccessionNumber": "Z",
        "InstitutionName": "X",
        "ReferringPhysicianName": "Z",
        "StudyInstanceUID": "U",
        "SOPInstanceUID": "U",
        "FrameOfReferenceUID": "U",
        "StudyDescription": "X",
        "SeriesDescription": "X",
        "OtherPatientIDsSequence": "X",
        "ContentSequence": "D",
        "GPSLatitude": "X",
    }
    by_keyword = {keyword_for_tag(tag): tag for tag in BASIC_PROFILE}
    for keyword, action in expected.items():
        assert basic_action(by_keyword[keyword]) == action, keyword


def test_private_and_repeating_groups() -> None:
    assert basic_action(0x00091001) == "X"
    assert basic_action(0x50020010) == "X"  # curve data
    assert basic_action(0x601E3000) == "X"  # overlay data, last overlay group
    assert basic_action(0x00280010) is None  # Rows: not in the profile
