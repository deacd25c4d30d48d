"""Each tile source: size, frames, display pixels and raw values, for files generated here."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.core.errors import RejectedFile
from annotator.imaging.sources import open_source
from annotator.imaging.sources.dicom import DicomSource
from annotator.imaging.sources.raster import RasterSource
from annotator.imaging.sources.slide import OpenSlideSource
from annotator.imaging.sources.volume import WORKING_COPY, VolumeSource
from tests.annotator.dicom import factories as dicom_factories
from tests.annotator.tiles import factories


def test_16_bit_png_is_stretched_over_its_data_range(tmp_path) -> None:
    path = tmp_path / "g.png"
    path.write_bytes(factories.png16(300, 200, low=1000, high=4000))
    with open_source(path) as source:
        assert isinstance(source, RasterSource)
        shown = source.frame_image(0).numpy()
        raw = source.raw_frame(0)
        facts = source.analyse()
    assert shown.dtype == np.uint8 and shown.min() == 0 and shown.max() == 255  # not the dark high byte only
    assert raw.array.dtype == np.uint16 and (raw.array.min(), raw.array.max()) == (1000, 4000)
    assert raw.headers["X-Frame-Dtype"] == "uint16" and raw.headers["X-Frame-Shape"] == "200,300"
    assert (raw.headers["X-Window-Center"], raw.headers["X-Window-Width"]) == ("2500", "3000")
    assert raw.little_endian_bytes() == raw.array.astype("<u2").tobytes()
    assert (facts["window_center"], facts["bits_stored"]) == (2500.0, 16)


def test_rgb16_is_scaled_not_stretched(tmp_path) -> None:
    import pyvips

    values = np.zeros((10, 10, 3), np.uint16)
    values[..., 0] = 65535
    values[..., 1] = 257 * 100
    path = tmp_path / "c.png"
    pyvips.Image.new_from_array(values).copy(interpretation="rgb16").pngsave(str(path))
    with open_source(path) as source:
        assert source.frame_image(0).numpy()[0, 0].tolist() == [255, 100, 0]


@pytest.mark.parametrize(
    "options",
    [
        {"tile": True, "compression": "jpeg"},
        {"tile": True, "bigtiff": True, "compression": "deflate"},
        {"compression": "lzw"},
    ],
)
def test_tiffs(tmp_path, options) -> None:
    path = factories.tiff(tmp_path / "t.tif", 600, 500, **options)
    with open_source(path) as source:
        assert (source.kind, source.width, source.height, source.frames, source.tile_format) == (
            "raster",
            600,
            500,
            1,
            "jpeg",
        )
        assert source.raw_frame(0).array.shape == (500, 600, 3)


def test_ome_tiff_planes_are_frames(tmp_path) -> None:
    path = factories.ome_tiff(tmp_path / "s.ome.tif", planes=3)
    with open_source(path) as source:
        assert (source.format_name, source.frames, source.width, source.height) == ("ome-tiff", 3, 120, 100)
        assert [int(source.raw_frame(n).array.mean()) for n in range(3)] == [10, 70, 130]
        with pytest.raises(IndexError):
            source.frame_image(3)


def test_pyramidal_tiff_is_a_slide_and_openslide_reads_the_same_pixels(tmp_path) -> None:
    path = factories.tiff(tmp_path / "p.tif", 700, 600, tile=True, pyramid=True, compression="deflate")
    with open_source(path) as direct:
        assert (direct.kind, direct.format_name) == ("slide", "slide/generic-tiff")
        pixels = direct.frame_image(0).numpy()
        facts = direct.analyse()
    assert facts["vendor"] == "generic-tiff" and facts["slide_levels"] >= 2
    with OpenSlideSource(path) as through_openslide:  # the reader vendor formats (SVS, NDPI, MRXS...) use
        assert (through_openslide.width, through_openslide.height, through_openslide.kind) == (700, 600, "slide")
        assert np.array_equal(through_openslide.frame_image(0).numpy(), pixels)


def test_openslide_refuses_what_it_cannot_read(tmp_path) -> None:
    path = tmp_path / "x.tif"
    path.write_bytes(b"II*\x00" + b"\x00" * 100)
    with pytest.raises(RejectedFile, match="OpenSlide cannot read"):
        OpenSlideSource(path)


@pytest.mark.parametrize("gz", [False, True])
def test_nifti_frames_run_along_the_third_axis(tmp_path, gz) -> None:
    data = factories.volume((64, 48, 6))
    path = tmp_path / ("v.nii.gz" if gz else "v.nii")
    path.write_bytes(factories.nifti(data, gz=gz))
    with open_source(path) as source:
        assert isinstance(source, VolumeSource)
        assert (source.width, source.height, source.frames, source.tile_format) == (64, 48, 6, "png")
        facts = source.analyse()
        assert (tmp_path / WORKING_COPY).is_file() == gz
        raw = source.raw_frame(4)
        shown = source.frame_image(4).numpy()
    assert np.array_equal(raw.array, data[:, :, 4].T)  # pixel (x, y) of frame k is voxel (x, y, k)
    assert raw.headers["X-Frame-Dtype"] == "int16" and raw.headers["X-Frame-Shape"] == "48,64"
    low, high = int(data.min()), int(data.max())
    assert (facts["window_center"], facts["window_width"]) == ((low + high) / 2, high - low)
    assert facts["pixel_spacing"] == pytest.approx([0.9, 0.8]) and facts["slice_thickness"] == pytest.approx(2.5)
    assert shown.shape == (48, 64) and shown.dtype == np.uint8
    if gz:  # the working copy serves later reads, without the header's text
        assert b"Doe" not in (tmp_path / WORKING_COPY).read_bytes()
        with open_source(path) as again:
            assert again._voxels is not None and np.array_equal(again.raw_frame(4).array, raw.array)


def test_nifti_window_from_cal_min_max_and_scaling(tmp_path) -> None:
    data = factories.volume((16, 12, 3))
    path = tmp_path / "c.nii"
    path.write_bytes(factories.nifti(data, cal_min=-100.0, cal_max=300.0, scl_slope=2.0, scl_inter=-5.0))
    with open_source(path) as source:
        facts = source.analyse()
        raw = source.raw_frame(1)
    assert (facts["window_center"], facts["window_width"]) == (100.0, 400.0)
    assert np.array_equal(raw.array, data[:, :, 1].T * 2 - 5) and raw.array.dtype == np.int16
    assert (raw.headers["X-Rescale-Slope"], raw.headers["X-Rescale-Intercept"]) == ("2", "-5")


def test_a_4d_nifti_shows_its_first_volume(tmp_path) -> None:
    data = factories.volume((8, 6, 4, 3))
    path = tmp_path / "t.nii"
    path.write_bytes(factories.nifti(data))
    with open_source(path) as source:
        assert source.frames == 4 and source.analyse()["volumes"] == 3
        assert np.array_equal(source.raw_frame(2).array, data[:, :, 2, 0].T)


def test_a_truncated_nifti_gz_is_refused(tmp_path) -> None:
    path = tmp_path / "cut.nii.gz"
    path.write_bytes(factories.nifti(factories.volume((64, 64, 20)), gz=True)[:3000])
    with pytest.raises(RejectedFile), open_source(path) as source:
        source.analyse()
    assert not (tmp_path / WORKING_COPY).exists()


def test_dicom_multiframe_and_series(tmp_path) -> None:
    stored = np.arange(3 * 8 * 10, dtype=np.int16).reshape(3, 8, 10)
    ds = dicom_factories.enhanced_ct(stored, intercepts=[-1024.0] * 3, windows=[(40.0, 400.0)] * 3)
    path = tmp_path / "m.dcm"
    ds.save_as(path, enforce_file_format=True)
    with open_source(path) as source:
        assert isinstance(source, DicomSource)
        assert (source.kind, source.frames, source.width, source.height, source.tile_format) == (
            "dicom",
            3,
            10,
            8,
            "png",
        )
        raw = source.raw_frame(2)
        assert np.array_equal(raw.array, stored[2] - 1024)
        assert raw.headers["X-Rescale-Intercept"] == "-1024"
        assert source.frame_image(1).numpy().shape == (8, 10)
    series = tmp_path / "series"
    series.mkdir()
    for n in range(4):
        dicom_factories.image(np.full((6, 5), n * 10, np.uint16), Modality="CT").save_as(
            series / f"{n:05d}.dcm", enforce_file_format=True
        )
    with open_source(series) as source:
        assert (source.frames, source.width, source.height) == (4, 5, 6)
        assert [int(source.raw_frame(n).array[0, 0]) for n in range(4)] == [0, 10, 20, 30]


def test_limits_are_checked_before_decoding(tmp_path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(factories.png_claiming(200_000, 200_000))
    with open_source(path) as source, pytest.raises(RejectedFile, match="200000 × 200000 pixels"):
        source.check_size(100_000_000)


def test_openslide_unscanned_areas_become_white(tmp_path) -> None:
    from PIL import Image as PILImage

    path = factories.tiff(tmp_path / "p.tif", 64, 40, tile=True, tile_width=16, tile_height=16, pyramid=True)
    with OpenSlideSource(path) as source:
        rgba = np.zeros((40, 64, 4), np.uint8)
        rgba[:, 32:] = (10, 20, 30, 255)  # right half scanned, left half transparent
        source._slide.read_region = (
            lambda location, level, size: PILImage.fromarray(  # type: ignore[method-assign]
                rgba[location[1] : location[1] + size[1], : size[0]]
            )
        )
        pixels = source.frame_image(0).numpy()
    assert pixels[0, 0].tolist() == [255, 255, 255] and pixels[39, 63].tolist() == [10, 20, 30]
