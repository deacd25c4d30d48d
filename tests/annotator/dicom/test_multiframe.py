"""Multi-frame files: frame count, one frame at a time, and per-frame functional groups."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from annotator.imaging.dicom.frames import frame_info
from annotator.imaging.dicom.read import display_frame, frame_count, metadata, raw_frame, read_dataset
from annotator.imaging.dicom.windowing import window_to_uint8

from .factories import enhanced_ct, roundtrip


def sample(name: str):
    return read_dataset(get_testdata_file(name))


def test_ultrasound_cine_frames_decode_one_at_a_time_in_file_order() -> None:
    ds = sample("examples_ybr_color.dcm")  # JPEG baseline, YBR_FULL_422, 30 frames
    assert frame_count(ds) == 30
    whole = ds.pixel_array  # pydicom's own decode of every frame, converted to RGB
    for index in (0, 1, 17, 29):
        assert np.array_equal(raw_frame(ds, index), whole[index])
        assert display_frame(ds, index).shape == (240, 320, 3)
    assert not np.array_equal(raw_frame(ds, 0), raw_frame(ds, 29))


@pytest.mark.parametrize(("name", "sibling"), [("rtdose_rle.dcm", "rtdose.dcm"), ("rtdose_expb.dcm", "rtdose.dcm")])
def test_multi_frame_grayscale_frames_match_across_syntaxes(name: str, sibling: str) -> None:
    ds, reference = sample(name), sample(sibling)
    assert frame_count(ds) == frame_count(reference) == 15
    for index in range(15):
        assert np.array_equal(raw_frame(ds, index), raw_frame(reference, index))


def test_two_frame_rle_colour_keeps_its_frame_order() -> None:
    ds = sample("SC_rgb_rle_2frame.dcm")
    first = raw_frame(ds, 0).astype(int)
    assert np.array_equal(first, raw_frame(sample("SC_rgb_rle.dcm")))
    assert np.array_equal(raw_frame(ds, 1), 255 - first)  # the second frame is the first inverted


def test_a_frame_out_of_range_is_an_index_error() -> None:
    ds = sample("SC_rgb_rle_2frame.dcm")
    with pytest.raises(IndexError, match="2 frame"):
        display_frame(ds, 2)
    with pytest.raises(IndexError):
        raw_frame(ds, -1)


def enhanced() -> tuple[np.ndarray, object]:
    stored = np.stack([np.full((4, 5), value, dtype=np.int16) for value in (100, 200, 300)])
    stored[:, 0, 0] = 0
    ds = enhanced_ct(stored, intercepts=[-1024, -1000, 0], windows=[(40, 400), (-600, 1500), (300, 50)])
    return stored, roundtrip(ds)


def test_enhanced_ct_applies_each_frames_own_rescale() -> None:
    stored, ds = enhanced()
    assert frame_count(ds) == 3
    for index, intercept in enumerate((-1024, -1000, 0)):
        raw = raw_frame(ds, index)
        assert raw.dtype == np.int16
        assert np.array_equal(raw, stored[index].astype(np.int32) + intercept)


def test_enhanced_ct_displays_each_frame_with_its_own_window() -> None:
    stored, ds = enhanced()
    settings = zip((-1024, -1000, 0), [(40, 400), (-600, 1500), (300, 50)], strict=True)
    for index, (intercept, (center, width)) in enumerate(settings):
        expected = window_to_uint8(stored[index].astype(float) + intercept, center, width)
        assert np.array_equal(display_frame(ds, index), expected)


def test_enhanced_ct_geometry_per_frame_and_shared() -> None:
    _, ds = enhanced()
    info = frame_info(ds, 2)
    assert info.position == (0.0, 0.0, 4.0)
    assert info.orientation == (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)  # from the shared groups
    assert info.pixel_spacing == (0.5, 0.5) and info.slice_thickness == 2.0
    assert info.rescale_type == "HU"
    meta = metadata(ds, patient_ref="p")
    assert meta["number_of_frames"] == 3 and meta["image_position"] == [0.0, 0.0, 0.0]
    assert meta["pixel_spacing"] == [0.5, 0.5] and meta["window_center"] == 40.0


def test_shared_groups_apply_when_a_frame_has_none() -> None:
    stored, ds = enhanced()
    shared = ds.SharedFunctionalGroupsSequence[0]
    shared.PixelValueTransformationSequence = ds.PerFrameFunctionalGroupsSequence[0].PixelValueTransformationSequence
    del ds.PerFrameFunctionalGroupsSequence[1].PixelValueTransformationSequence
    assert np.array_equal(raw_frame(ds, 1), stored[1].astype(np.int32) - 1024)  # shared intercept
    assert np.array_equal(raw_frame(ds, 2), stored[2])  # its own intercept (0) still wins
