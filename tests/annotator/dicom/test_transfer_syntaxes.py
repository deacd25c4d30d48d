"""Every supported transfer syntax decodes pydicom's real sample files to the pixels of their siblings."""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import ExplicitVRLittleEndian

from annotator.core.errors import RejectedFile
from annotator.imaging.dicom import read, transfer
from annotator.imaging.dicom.read import display_frame, raw_frame, read_dataset


def sample(name: str) -> pydicom.Dataset:
    return read_dataset(get_testdata_file(name))


def frame(name: str, index: int = 0) -> np.ndarray:
    return raw_frame(sample(name), index)


def relabelled(name: str, syntax: str) -> pydicom.Dataset:
    """A sample whose encapsulated stream is also valid under another syntax, written and read back as that."""
    ds = pydicom.dcmread(get_testdata_file(name))
    ds.file_meta.TransferSyntaxUID = syntax
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=False)
    buffer.seek(0)
    return read_dataset(buffer)


# (syntax UID, sample, sibling holding exactly the same pixels). SC_rgb_gdcm_KY.dcm is a reversible JPEG 2000
# encoding of SC_rgb_rle.dcm, and SC_rgb_jpeg_gdcm.dcm a lossless JPEG one.
EXACT_PAIRS = [
    ("1.2.840.10008.1.2", "MR_small_implicit.dcm", "MR_small.dcm"),
    ("1.2.840.10008.1.2.2", "MR_small_bigendian.dcm", "MR_small.dcm"),
    ("1.2.840.10008.1.2.5", "MR_small_RLE.dcm", "MR_small.dcm"),
    ("1.2.840.10008.1.2.5", "rtdose_rle_1frame.dcm", "rtdose_1frame.dcm"),
    ("1.2.840.10008.1.2.4.70", "SC_rgb_jpeg_gdcm.dcm", "SC_rgb_rle.dcm"),
    ("1.2.840.10008.1.2.4.80", "MR_small_jpeg_ls_lossless.dcm", "MR_small.dcm"),
    ("1.2.840.10008.1.2.4.90", "MR_small_jp2klossless.dcm", "MR_small.dcm"),
    ("1.2.840.10008.1.2.4.91", "SC_rgb_gdcm_KY.dcm", "SC_rgb_rle.dcm"),
]


@pytest.mark.parametrize(("syntax", "name", "sibling"), EXACT_PAIRS)
def test_samples_decode_to_their_siblings_pixels(syntax: str, name: str, sibling: str) -> None:
    ds = sample(name)
    assert transfer.syntax_uid(ds) == syntax
    assert np.array_equal(raw_frame(ds), frame(sibling))


# (syntax UID, lossy sample, reference, largest mean absolute difference on 0..255)
LOSSY_PAIRS = [
    ("1.2.840.10008.1.2.4.50", "SC_rgb_jpeg.dcm", "SC_rgb_jpeg_dcmd.dcm", 0.5),  # RGB; the reference is DCMTK's decode
    ("1.2.840.10008.1.2.4.50", "SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_rle.dcm", 1.5),  # YBR_FULL
    ("1.2.840.10008.1.2.4.50", "SC_rgb_dcmtk_+eb+cy+np.dcm", "SC_rgb_rle.dcm", 4.0),  # YBR_FULL_422
    ("1.2.840.10008.1.2.4.50", "SC_rgb_dcmtk_+eb+cr.dcm", "SC_rgb_rle.dcm", 1.0),  # RGB
    ("1.2.840.10008.1.2.4.50", "SC_rgb_small_odd_jpeg.dcm", "SC_rgb_small_odd.dcm", 3.0),
    ("1.2.840.10008.1.2.4.81", "SC_rgb_jls_lossy_line.dcm", "SC_rgb_rle.dcm", 1.0),
    ("1.2.840.10008.1.2.4.81", "SC_rgb_jls_lossy_sample.dcm", "SC_rgb_rle.dcm", 1.0),
]


@pytest.mark.filterwarnings("ignore:Expected explicit VR, but found implicit VR")  # SC_rgb_jpeg_dcmd.dcm's own quirk
@pytest.mark.parametrize(("syntax", "name", "reference", "tolerance"), LOSSY_PAIRS)
def test_lossy_samples_decode_close_to_reference(syntax: str, name: str, reference: str, tolerance: float) -> None:
    ds = sample(name)
    assert transfer.syntax_uid(ds) == syntax
    decoded, expected = raw_frame(ds).astype(float), frame(reference).astype(float)
    assert decoded.shape == expected.shape
    assert np.abs(decoded - expected).mean() <= tolerance
    assert np.abs((255 - decoded) - expected).mean() > 50  # the check can fail: an inverted image is far off


@pytest.mark.filterwarnings("ignore:Expected explicit VR, but found implicit VR")
def test_jpeg_baseline_matches_another_decoder_within_idct_rounding() -> None:
    # JPEG decoders may differ by one level (IDCT rounding); SC_rgb_jpeg_dcmd.dcm is DCMTK's decode of SC_rgb_jpeg.dcm.
    assert np.abs(frame("SC_rgb_jpeg.dcm").astype(int) - frame("SC_rgb_jpeg_dcmd.dcm")).max() <= 1


def test_jpeg_ls_near_lossless_stays_within_its_near_bound() -> None:
    assert np.abs(frame("SC_rgb_jls_lossy_line.dcm").astype(int) - frame("SC_rgb_rle.dcm")).max() <= 2
    for name, dtype in (("JPEGLSNearLossless_08.dcm", np.uint8), ("JPEGLSNearLossless_16.dcm", np.uint16)):
        ds = sample(name)
        assert raw_frame(ds).shape == (ds.Rows, ds.Columns)
        assert raw_frame(ds).dtype == dtype


def test_jpeg_extended_12_bit_matches_another_encoding_of_the_same_image() -> None:
    # pydicom ships no uncompressed sibling of JPGExtended.dcm; JPEG2000.dcm encodes the same NM slice (lossy).
    extended, j2k = frame("JPGExtended.dcm").astype(float), frame("JPEG2000.dcm").astype(float)
    assert extended.shape == j2k.shape == (1024, 256)
    assert extended.min() >= 0 and extended.max() < 4096  # 12 bits stored
    assert np.abs(extended - j2k).mean() <= 0.03 * (j2k.max() - j2k.min())
    assert np.corrcoef(extended.ravel(), j2k.ravel())[0, 1] > 0.9


def test_deflated_explicit_little_endian_decodes_like_its_inflated_copy() -> None:
    ds = sample("image_dfl.dcm")
    assert transfer.syntax_uid(ds) == "1.2.840.10008.1.2.1.99"
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=False)
    buffer.seek(0)
    inflated = read_dataset(buffer)
    assert np.array_equal(raw_frame(sample("image_dfl.dcm")), raw_frame(inflated))
    assert raw_frame(inflated).shape == (512, 512)


@pytest.mark.parametrize(
    ("syntax", "name", "sibling"),
    [
        # a Process 14 SV1 stream is a Process 14 stream with predictor 1: the general JPEG lossless decoder reads it
        ("1.2.840.10008.1.2.4.57", "SC_rgb_jpeg_gdcm.dcm", "SC_rgb_rle.dcm"),
        # a Part 1 JPEG 2000 codestream is readable by the High-Throughput JPEG 2000 decoder
        ("1.2.840.10008.1.2.4.201", "MR_small_jp2klossless.dcm", "MR_small.dcm"),
        ("1.2.840.10008.1.2.4.203", "MR_small_jp2klossless.dcm", "MR_small.dcm"),
    ],
)
def test_syntaxes_without_their_own_sample_decode_a_compatible_stream(syntax: str, name: str, sibling: str) -> None:
    ds = relabelled(name, syntax)
    assert transfer.syntax_uid(ds) == syntax
    assert np.array_equal(raw_frame(ds), frame(sibling))


@pytest.mark.parametrize(
    "name", ["693_J2KI.dcm", "J2K_pixelrep_mismatch.dcm", "JPEG2000.dcm", "examples_jpeg2k.dcm", "GDCMJ2K_TextGBR.dcm"]
)
def test_other_jpeg_2000_samples_decode(name: str) -> None:
    ds = sample(name)
    pixels = display_frame(ds)
    assert pixels.dtype == np.uint8 and pixels.shape[:2] == (ds.Rows, ds.Columns)
    assert pixels.max() > pixels.min()


@pytest.mark.parametrize(
    ("syntax", "named"),
    [
        ("1.2.840.10008.1.2.4.100", "MPEG2"),
        ("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2"),
        ("1.2.3.4.5.6.7", "unknown or private transfer syntax"),
    ],
)
def test_an_undecodable_syntax_is_rejected_with_a_sentence_naming_it(syntax: str, named: str) -> None:
    with pytest.raises(RejectedFile) as caught:
        relabelled("MR_small_RLE.dcm", syntax)
    assert caught.value.code == "unsupported_transfer_syntax"
    assert named in caught.value.detail and syntax in caught.value.detail
    ds = pydicom.dcmread(get_testdata_file("MR_small_RLE.dcm"))  # bypassing read_dataset changes nothing
    ds.file_meta.TransferSyntaxUID = syntax
    with pytest.raises(RejectedFile) as again:
        display_frame(ds)
    assert again.value.code == "unsupported_transfer_syntax"


def test_a_supported_syntax_without_its_plugin_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    class Missing:
        is_available = False

    monkeypatch.setattr(transfer, "get_decoder", lambda uid: Missing())
    reason = transfer.unsupported_reason("1.2.840.10008.1.2.4.80")
    assert reason is not None and "JPEG-LS Lossless" in reason and "no decoder" in reason


@pytest.mark.parametrize("name", ["JPEG-lossy.dcm", "JPEG2000-embedded-sequence-delimiter.dcm"])
def test_corrupt_pixel_data_is_a_rejected_file_not_a_library_error(name: str) -> None:
    with pytest.raises(RejectedFile) as caught:
        display_frame(sample(name))
    assert caught.value.code == "undecodable_pixels"
    assert "cannot be decoded" in caught.value.detail


def test_native_pixel_data_shorter_than_its_header_is_refused_on_read() -> None:
    with pytest.raises(RejectedFile) as caught:
        read.read_dataset(get_testdata_file("MR_truncated.dcm"))
    assert caught.value.code == "truncated_pixels" and "shorter than" in caught.value.detail


def test_a_file_without_pixel_data_cannot_be_displayed() -> None:
    ds = read.read_dataset(get_testdata_file("rtplan.dcm"))
    with pytest.raises(RejectedFile) as caught:
        display_frame(ds)
    assert caught.value.code == "undecodable_pixels"
