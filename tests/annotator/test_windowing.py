"""DICOM linear windowing (PS3.3 C.11.2.1.2) maps real values to 8 bits as the standard says."""

import numpy as np

from annotator.imaging.dicom.windowing import default_window, first_number, window_to_uint8


def test_window_clips_below_and_above_and_is_linear_inside() -> None:
    values = np.array([-1000.0, 0.0, 40.0, 80.0, 1000.0])
    out = window_to_uint8(values, center=40, width=80)
    assert out[0] == 0 and out[-1] == 255
    assert out[1] < out[2] < out[3]
    assert abs(int(out[2]) - 128) <= 2  # the centre sits mid-grey


def test_monochrome1_is_inverted() -> None:
    values = np.array([0.0, 100.0])
    normal = window_to_uint8(values, center=50, width=100)
    inverted = window_to_uint8(values, center=50, width=100, invert=True)
    assert list(inverted) == [255 - v for v in normal]


def test_default_window_spans_the_data() -> None:
    center, width = default_window(np.array([10.0, 30.0]))
    assert (center, width) == (20.0, 20.0)
    out = window_to_uint8(np.array([10.0, 30.0]), center, width)
    assert out[0] <= 5 and out[1] >= 250


def test_first_number_takes_the_first_of_multiple_values() -> None:
    assert first_number([40, 400]) == 40.0
    assert first_number("12.5") == 12.5
    assert first_number(None) is None
    assert first_number("abc") is None
