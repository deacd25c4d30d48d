"""Content sniffing: NIfTI (plain, gzip, version 2), TIFF variants, and when a TIFF is a slide."""

from __future__ import annotations

import gzip

import pytest

from annotator.core.errors import RejectedFile
from annotator.imaging import sniff as sniffing
from annotator.imaging.sniff import HEAD_BYTES, classify, sniff
from tests.annotator.tiles import factories


@pytest.mark.parametrize(
    ("payload", "ext", "fmt"),
    [
        (factories.nifti(factories.volume()), "nii", "nifti1"),
        (factories.nifti(factories.volume(), gz=True), "nii.gz", "nifti1"),
        (factories.nifti(factories.volume(), version=2), "nii", "nifti2"),
        (factories.nifti(factories.volume(), gz=True, version=2), "nii.gz", "nifti2"),
        (factories.png16(), "png", "png"),
        (factories.jpeg(), "jpg", "jpeg"),
    ],
)
def test_formats_by_content(payload, ext, fmt) -> None:
    found = sniff(payload[:HEAD_BYTES])
    assert (found.kind, found.ext, found.format) == ("raster", ext, fmt)


def test_a_big_endian_nifti_is_recognised() -> None:
    import nibabel
    import numpy as np

    header = nibabel.Nifti1Header(endianness=">")
    raw = nibabel.Nifti1Image(factories.volume(), np.eye(4), header=header).to_bytes()
    assert raw[:4] == b"\x00\x00\x01\x5c"  # 348, big-endian
    assert sniff(raw[:HEAD_BYTES]).format == "nifti1"


def test_an_analyze_pair_header_is_refused_with_a_reason() -> None:
    raw = bytearray(factories.nifti(factories.volume()))
    raw[344:348] = b"ni1\x00"
    with pytest.raises(RejectedFile, match=r"hdr/\.img pair"):
        sniff(bytes(raw[:HEAD_BYTES]))


def test_gzip_that_is_not_nifti_is_refused() -> None:
    with pytest.raises(RejectedFile, match="not a NIfTI volume"):
        sniff(gzip.compress(b"just some text " * 100))


def test_unknown_content_keeps_the_old_sentence() -> None:
    with pytest.raises(RejectedFile, match="not a supported image"):
        sniff(b"hello" * 50)


def test_tiff_variants_and_slides(tmp_path, monkeypatch) -> None:
    plain = factories.tiff(tmp_path / "plain.tif", compression="deflate")
    tiled = factories.tiff(tmp_path / "tiled.tif", tile=True, compression="jpeg")
    big = factories.tiff(tmp_path / "big.tif", tile=True, bigtiff=True)
    pyramidal = factories.tiff(tmp_path / "pyr.tif", tile=True, pyramid=True, compression="jpeg")
    ome = factories.ome_tiff(tmp_path / "stack.ome.tif")
    assert (classify(plain).kind, classify(plain).format) == ("raster", "tiff")
    assert (classify(tiled).kind, classify(tiled).vendor) == ("raster", "generic-tiff")
    assert (classify(big).kind, classify(big).format) == ("raster", "bigtiff")
    assert (classify(ome).kind, classify(ome).format) == ("raster", "ome-tiff")
    found = classify(pyramidal)
    assert (found.kind, found.format, found.vendor) == ("slide", "slide/generic-tiff", "generic-tiff")
    monkeypatch.setattr(sniffing, "SLIDE_MIN_PIXELS", 600 * 500)  # "very large" is a size; shrink it for the test
    assert classify(tiled).kind == "slide"
