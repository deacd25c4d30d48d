"""metadata(): the existing keys plus manufacturer, sex, age band, geometry, size, frames and transfer syntax."""

from __future__ import annotations

from pydicom.data import get_testdata_file

from annotator.imaging.dicom.deidentify import deidentify
from annotator.imaging.dicom.read import metadata, read_dataset

EXISTING_KEYS = {
    "modality",
    "study_uid",
    "series_uid",
    "patient_ref",
    "pixel_spacing",
    "slice_thickness",
    "window_center",
    "window_width",
    "bits_stored",
    "photometric",
}


def test_ct_metadata_after_deidentification() -> None:
    ds = read_dataset(get_testdata_file("CT_small.dcm"))
    ref = deidentify(ds, key="k")
    meta = metadata(ds, patient_ref=ref)
    assert set(meta) >= EXISTING_KEYS
    assert meta["patient_ref"] == ref and meta["modality"] == "CT"
    assert meta["pixel_spacing"] == [0.661468, 0.661468] and meta["slice_thickness"] == 5.0
    assert (meta["window_center"], meta["window_width"], meta["bits_stored"]) == (None, None, 16)
    assert meta["manufacturer"] == "GE MEDICAL SYSTEMS"
    assert (meta["patient_sex"], meta["age_band"]) == ("O", "0-4")
    assert meta["image_position"] == [-158.135803, -179.035797, -75.699997]
    assert meta["image_orientation"] == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    assert (meta["rows"], meta["columns"], meta["number_of_frames"]) == (128, 128, 1)
    assert meta["transfer_syntax_uid"] == "1.2.840.10008.1.2.1"


def test_multi_frame_colour_metadata() -> None:
    meta = metadata(read_dataset(get_testdata_file("examples_ybr_color.dcm")), patient_ref="p")
    assert meta["number_of_frames"] == 30 and (meta["rows"], meta["columns"]) == (240, 320)
    assert meta["transfer_syntax_uid"] == "1.2.840.10008.1.2.4.50" and meta["photometric"] == "YBR_FULL_422"
    assert meta["image_position"] is None and meta["age_band"] is None and meta["window_center"] is None
