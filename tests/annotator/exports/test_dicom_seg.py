"""DICOM SEG: read back with pydicom and highdicom: frames, referenced instances, segments, pixel placement."""

from __future__ import annotations

import io

import highdicom as hd
import numpy as np
import pydicom

from annotator.annotations import rle

from .builders import BRUSH, LESION, LINE, ORGAN, ann, image, project, run
from .dicom_files import COLUMNS, ROWS, enhanced_snap, series_snap, write_enhanced, write_series


def read(data: bytes) -> hd.seg.Segmentation:
    return hd.seg.segread(io.BytesIO(data))


def test_series_seg_references_each_slice_and_places_pixels(tmp_path) -> None:
    datasets = write_series(tmp_path / "7", 4)
    crop = np.array([[1, 1, 0], [0, 1, 1]], dtype=np.uint8)
    shapes = [
        ann(LESION, {"x": 3, "y": 5, "w": 4, "h": 2}, frame=2),
        ann(LESION, {"x": 0, "y": 0, "w": 2, "h": 2}, frame=0),
        ann(BRUSH, {"x": 10, "y": 4, "w": 3, "h": 2, "rle": rle.encode(crop)}, frame=2, source="model"),
        ann(LINE, {"points": [[0, 0], [3, 3]]}, frame=1),
    ]
    snap = project(series_snap(tmp_path / "7", 4, *shapes), image(2))
    out, stats = run("dicom_seg", snap, splits={7: "test", 2: "test"}, include_images=True)
    raw = pydicom.dcmread(io.BytesIO(out.files["seg/test/7.dcm"]))
    assert raw.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4" and raw.SegmentationType == "BINARY"
    assert int(raw.NumberOfFrames) == 3  # Lesion on frames 0 and 2, Brush on frame 2: empty frames are left out
    assert raw.StudyInstanceUID == datasets[0].StudyInstanceUID
    assert raw.FrameOfReferenceUID == datasets[0].FrameOfReferenceUID
    referenced = {
        item.SourceImageSequence[0].ReferencedSOPInstanceUID
        for frame in raw.PerFrameFunctionalGroupsSequence
        for item in frame.DerivationImageSequence
    }
    assert referenced == {datasets[0].SOPInstanceUID, datasets[2].SOPInstanceUID}
    series_uids = {item.SeriesInstanceUID for item in raw.ReferencedSeriesSequence}
    assert series_uids == {datasets[0].SeriesInstanceUID}

    seg = read(out.files["seg/test/7.dcm"])
    described = [(d.SegmentNumber, d.SegmentLabel, d.SegmentAlgorithmType) for d in raw.SegmentSequence]
    assert described == [(1, "Lesion", "MANUAL"), (2, "Brush", "SEMIAUTOMATIC")]
    category = raw.SegmentSequence[0].SegmentedPropertyCategoryCodeSequence[0]
    assert (category.CodeValue, category.CodingSchemeDesignator) == ("85756007", "SCT")
    pixels = seg.get_pixels_by_source_instance([datasets[2].SOPInstanceUID], segment_numbers=[1, 2])
    assert pixels.shape == (1, ROWS, COLUMNS, 2)
    lesion, brush = np.zeros((ROWS, COLUMNS), bool), np.zeros((ROWS, COLUMNS), bool)
    lesion[5:7, 3:7] = True
    brush[4:6, 10:13] = crop.astype(bool)
    assert np.array_equal(pixels[0, :, :, 0], lesion) and np.array_equal(pixels[0, :, :, 1], brush)
    first = seg.get_pixels_by_source_instance([datasets[0].SOPInstanceUID], segment_numbers=[1])
    assert first[0, :2, :2, 0].all() and first.sum() == 4

    assert stats["segmentations"] == 1 and stats["images_not_dicom"] == 1
    assert stats["skipped_by_kind"] == {"polyline": 1} and stats["annotations"] == 3
    assert any("not DICOM" in note and "[2]" in note for note in stats["notes"])
    assert {n for n in out.files if n.startswith("images/")} == {f"images/test/7/series/{k:05d}.dcm" for k in range(4)}


def test_multiframe_seg_references_frames_of_one_instance(tmp_path) -> None:
    source = write_enhanced(tmp_path / "8", 3)
    polygon = ann(ORGAN, {"points": [[0, 0], [4, 0], [4, 4], [0, 4]]}, frame=1)
    out, stats = run("dicom_seg", project(enhanced_snap(tmp_path / "8", 3, polygon), labels=(ORGAN,)))
    raw = pydicom.dcmread(io.BytesIO(out.files["seg/default/8.dcm"]))
    assert int(raw.NumberOfFrames) == 1
    (derivation,) = raw.PerFrameFunctionalGroupsSequence[0].DerivationImageSequence
    reference = derivation.SourceImageSequence[0]
    assert reference.ReferencedSOPInstanceUID == source.SOPInstanceUID and int(reference.ReferencedFrameNumber) == 2
    seg = read(out.files["seg/default/8.dcm"])
    pixels = seg.get_pixels_by_source_frame(source.SOPInstanceUID, [2], segment_numbers=[1])
    assert pixels[0, :4, :4, 0].all() and pixels.sum() == 16
    assert stats["segmentations"] == 1


def test_dicom_images_without_area_shapes_get_no_seg(tmp_path) -> None:
    write_series(tmp_path / "7", 2)
    out, stats = run("dicom_seg", project(series_snap(tmp_path / "7", 2, ann(LINE, {"points": [[0, 0], [1, 1]]}))))
    assert not out.files and stats["images_without_shapes"] == 1 and stats["segmentations"] == 0
