"""Photometric interpretations, bit depths, modality LUT (real values) and the default display window."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_color_lut
from pydicom.sequence import Sequence

from annotator.imaging.dicom.color import PaletteChannel, apply_palette, ybr_full_to_rgb
from annotator.imaging.dicom.frames import frame_info
from annotator.imaging.dicom.modality import real_dtype
from annotator.imaging.dicom.pixels import (
    grayscale_to_uint8,
    raw_frame_with_headers,
    raw_headers,
    real_values,
    windowed_by_table,
)
from annotator.imaging.dicom.read import display_frame, raw_frame, read_dataset
from annotator.imaging.dicom.windowing import voi_window_to_uint8, window_to_uint8

from .factories import image, item, roundtrip


def sample(name: str):
    return read_dataset(get_testdata_file(name))


def rgb_to_ybr_full(rgb: np.ndarray) -> np.ndarray:
    """The forward equations of PS3.3 C.7.6.3.1.2, to build a YBR_FULL image from known RGB."""
    r, g, b = (rgb[..., i].astype(float) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    return np.clip(np.rint(np.stack((y, cb, cr), axis=-1)), 0, 255).astype(np.uint8)


def words(values: list[int]) -> bytes:
    """LUT Data as OW: little-endian 16-bit words."""
    return np.asarray(values, dtype="<u2").tobytes()


def gradient_rgb() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(8, 12, 3), dtype=np.uint8)


def test_ybr_full_converts_back_to_the_rgb_it_came_from() -> None:
    rgb = gradient_rgb()
    ds = roundtrip(image(rgb_to_ybr_full(rgb), photometric="YBR_FULL"))
    assert np.abs(raw_frame(ds).astype(int) - rgb).max() <= 2
    assert np.abs(ybr_full_to_rgb(rgb_to_ybr_full(rgb)).astype(int) - rgb).max() <= 2


def test_uncompressed_ybr_full_422_sample_converts_to_rgb() -> None:
    converted = raw_frame(sample("SC_ybr_full_422_uncompressed.dcm")).astype(float)
    reference = raw_frame(sample("SC_rgb_rle.dcm")).astype(float)
    assert np.abs(converted - reference).mean() <= 1.5


def test_palette_color_sample_matches_the_palette_lookup() -> None:
    ds = sample("examples_palette.dcm")
    expected = apply_color_lut(ds.pixel_array, ds)
    assert np.array_equal(raw_frame(ds), expected)
    shown = display_frame(ds)
    assert shown.dtype == np.uint8 and shown.shape == (*expected.shape[:2], 3)


def test_palette_clips_indices_outside_the_table() -> None:
    red = PaletteChannel(entries=4, first_mapped=10, bits=8, data=np.array([1, 2, 3, 4], dtype=np.uint8))
    zero = PaletteChannel(entries=4, first_mapped=10, bits=8, data=np.zeros(4, dtype=np.uint8))
    rgb = apply_palette(np.array([[0, 10, 12, 99]]), (red, zero, zero))
    assert rgb[..., 0].tolist() == [[1, 1, 3, 4]] and rgb.dtype == np.uint8


def test_synthetic_8_bit_palette_file_is_applied() -> None:
    indices = np.array([[0, 1], [2, 3]], dtype=np.uint8)
    ds = image(indices, photometric="PALETTE COLOR")
    for colour, table in (("Red", [0, 100, 200, 255]), ("Green", [5, 5, 5, 5]), ("Blue", [255, 200, 100, 0])):
        setattr(ds, f"{colour}PaletteColorLookupTableDescriptor", [4, 0, 8])
        setattr(ds, f"{colour}PaletteColorLookupTableData", bytes(table))
    rgb = raw_frame(roundtrip(ds))
    assert rgb[1, 0].tolist() == [200, 5, 100] and rgb.dtype == np.uint8


def test_monochrome1_displays_inverted() -> None:
    values = np.arange(64, dtype=np.uint16).reshape(8, 8) * 50
    mono2 = display_frame(roundtrip(image(values, WindowCenter=1600, WindowWidth=3200)))
    mono1 = display_frame(roundtrip(image(values, photometric="MONOCHROME1", WindowCenter=1600, WindowWidth=3200)))
    assert np.array_equal(mono1, 255 - mono2)


def test_ct_rescale_gives_hounsfield_units_in_int16() -> None:
    ds = sample("CT_small.dcm")
    hu = raw_frame(ds)
    assert hu.dtype == np.int16
    assert np.array_equal(hu, ds.pixel_array.astype(np.int32) * int(ds.RescaleSlope) + int(ds.RescaleIntercept))
    headers = raw_headers(hu, frame_info(ds, 0), photometric="MONOCHROME2")
    assert headers["X-Rescale-Type"] == "HU" and headers["X-Rescale-Intercept"] == "-1024"
    assert headers["X-Frame-Dtype"] == "int16" and headers["X-Frame-Shape"] == "128,128"
    position = [float(v) for v in ds.ImagePositionPatient]
    assert [float(v) for v in headers["X-Image-Position"].split(",")] == position
    assert float(headers["X-Slice-Thickness"]) == float(ds.SliceThickness)


def test_signed_12_bit_values_stay_negative() -> None:
    stored = np.array([[-2048, -1], [0, 2047]], dtype=np.int16)
    raw = raw_frame(roundtrip(image(stored, BitsStored=12)))
    assert raw.tolist() == stored.tolist() and raw.dtype == np.int16


@pytest.mark.parametrize(
    ("stored", "slope", "intercept", "dtype"),
    [
        (np.array([[0, 255]], dtype=np.uint8), 1, 0, np.uint8),
        (np.array([[0, 4095]], dtype=np.uint16), 1, -1024, np.int16),
        (np.array([[0, 65535]], dtype=np.uint16), 1, 0, np.uint16),
        (np.array([[0, 65535]], dtype=np.uint16), 1, -1024, np.int32),
        (np.array([[0, 1000]], dtype=np.uint16), 0.5, 0, np.float32),
    ],
)
def test_raw_values_take_the_smallest_exact_dtype(stored: np.ndarray, slope: float, intercept: float, dtype) -> None:
    ds = roundtrip(image(stored, RescaleSlope=slope, RescaleIntercept=intercept))
    raw = raw_frame(ds)
    assert raw.dtype == dtype
    assert np.allclose(raw, stored.astype(float) * slope + intercept)


def test_dtype_choice_is_pure() -> None:
    assert real_dtype(-2048, 2047) == np.int16
    assert real_dtype(0, 2**31, slope=1, intercept=0) == np.uint32
    assert real_dtype(0, 10, slope=1.5, intercept=0) == np.float32


def test_sixteen_bit_rgb_displays_like_its_eight_bit_sibling() -> None:
    assert np.array_equal(display_frame(sample("SC_rgb_rle_16bit.dcm")), display_frame(sample("SC_rgb_rle.dcm")))
    assert raw_frame(sample("SC_rgb_rle_16bit.dcm")).dtype == np.uint16


def test_the_first_window_value_is_used() -> None:
    values = np.arange(100, dtype=np.int16).reshape(10, 10)
    ds = roundtrip(image(values, WindowCenter=[20, 80], WindowWidth=[10, 400]))
    assert np.array_equal(display_frame(ds), window_to_uint8(values.astype(float), 20, 10))


def test_voi_lut_sequence_applies_when_there_is_no_window() -> None:
    values = np.array([[0, 1, 2, 3]], dtype=np.uint16)
    ds = image(values)
    ds.VOILUTSequence = Sequence([item(LUTDescriptor=[4, 0, 8], LUTData=words([0, 255, 0, 128]))])
    assert display_frame(roundtrip(ds)).tolist() == [[0, 255, 0, 128]]


def test_modality_lut_sequence_maps_stored_values() -> None:
    values = np.array([[0, 1, 2, 9]], dtype=np.uint16)
    ds = image(values)
    ds.ModalityLUTSequence = Sequence(
        [item(LUTDescriptor=[3, 0, 16], ModalityLUTType="US", LUTData=words([100, 200, 300]))]
    )
    assert raw_frame(roundtrip(ds)).tolist() == [[100, 200, 300, 300]]


def test_without_window_or_voi_lut_the_display_spans_the_data() -> None:
    values = np.array([[100, 200], [300, 400]], dtype=np.uint16)
    shown = display_frame(roundtrip(image(values)))
    assert shown.min() == 0 and shown.max() == 255


def test_voi_lut_functions_follow_the_standard() -> None:
    values = np.array([-1000.0, 0.0, 40.0, 80.0, 1000.0])
    sigmoid = voi_window_to_uint8(values, 40, 80, function="SIGMOID")
    assert sigmoid[0] == 0 and sigmoid[-1] == 255 and abs(int(sigmoid[2]) - 128) <= 1
    exact = voi_window_to_uint8(values, 40, 80, function="LINEAR_EXACT")
    assert exact.tolist() == [0, 0, 128, 255, 255]
    assert voi_window_to_uint8(values, 40, 80, function="bogus").tolist() == window_to_uint8(values, 40, 80).tolist()


def test_raw_frame_with_headers_describes_the_array() -> None:
    array, headers = raw_frame_with_headers(sample("MR_small.dcm"))
    assert headers["X-Frame-Dtype"] == array.dtype.name == "int16"
    assert headers["X-Frame-Shape"] == "64,64" and headers["X-Frame-Byte-Order"] == "little"
    _, rgb_headers = raw_frame_with_headers(sample("SC_rgb_rle.dcm"))
    assert rgb_headers["X-Frame-Shape"] == "100,100,3" and rgb_headers["X-Frame-Photometric"] == "RGB"
    assert "X-Rescale-Slope" not in rgb_headers


@pytest.mark.parametrize(
    ("dtype", "low", "high", "slope", "intercept", "photometric", "function"),
    [
        (np.int16, -2048, 2047, 1, -1024, "MONOCHROME2", "LINEAR"),  # CT: integral rescale
        (np.uint16, 0, 4095, 0.5, -7.25, "MONOCHROME2", "LINEAR"),  # non-integral rescale: float values
        (np.uint16, 0, 65535, 1, 0, "MONOCHROME1", "LINEAR_EXACT"),  # the widest range a table takes
        (np.uint8, 0, 255, 2, 3, "MONOCHROME2", "SIGMOID"),
        (np.int16, -32768, 32767, 1, 0, "MONOCHROME2", "LINEAR"),  # 65,536 levels, offsets past int16
    ],
)
def test_display_by_table_is_the_pixelwise_display(dtype, low, high, slope, intercept, photometric, function) -> None:
    rng = np.random.default_rng(7)
    stored = rng.integers(low, high, size=(32, 48), endpoint=True).astype(dtype)
    stored.flat[:2] = (low, high)
    ds = roundtrip(
        image(
            stored,
            photometric=photometric,
            RescaleSlope=slope,
            RescaleIntercept=intercept,
            WindowCenter=(low + high) / 3,
            WindowWidth=(high - low) / 2,
            VOILUTFunction=function,
        )
    )
    info = frame_info(ds, 0)
    pixelwise = grayscale_to_uint8(ds, real_values(ds, ds.pixel_array, info), info, photometric)
    by_table = windowed_by_table(ds, ds.pixel_array, info, photometric)
    assert by_table is not None and by_table.dtype == np.uint8
    assert np.array_equal(by_table, pixelwise)
    assert np.array_equal(display_frame(ds), pixelwise)


def test_display_by_table_steps_aside_without_a_window_or_for_wide_ranges() -> None:
    stored = np.array([[0, 70000]], dtype=np.uint32)
    windowed = roundtrip(image(stored, BitsAllocated=32, BitsStored=32, HighBit=31, WindowCenter=10, WindowWidth=20))
    assert windowed_by_table(windowed, windowed.pixel_array, frame_info(windowed, 0), "MONOCHROME2") is None
    plain = roundtrip(image(np.array([[1, 2]], dtype=np.uint16)))
    assert windowed_by_table(plain, plain.pixel_array, frame_info(plain, 0), "MONOCHROME2") is None
