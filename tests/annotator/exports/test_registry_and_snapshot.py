"""Every format of the API contract is registered; volume formats ask for DICOM geometry, which reads safely."""

from __future__ import annotations

import numpy as np

from annotator.exports.formats.volume import image_geometry
from annotator.exports.registry import available, get_format
from annotator.exports.snapshot import _dicom_frames_or_none, dicom_frames

from .builders import image
from .dicom_files import write_series


def test_the_contracts_formats_are_registered_with_their_needs() -> None:
    keys = {f.key for f in available()}
    assert keys >= {"coco", "yolo", "voc", "mask_png", "nifti", "dicom_seg", "csv", "native", "nnunet", "decathlon"}
    assert {f.key for f in available() if "dicom_geometry" in f.needs} == {"nifti", "dicom_seg", "nnunet", "decathlon"}
    assert get_format("coco").needs == frozenset()


def test_dicom_frames_reads_every_slice_in_stored_order(tmp_path) -> None:
    datasets = write_series(tmp_path / "5", 3)
    frames = dicom_frames(tmp_path / "5", "series")
    assert [f.sop_instance_uid for f in frames] == [ds.SOPInstanceUID for ds in datasets]
    assert [f.file for f in frames] == [f"series/{k:05d}.dcm" for k in range(3)]
    assert frames[1].pixel_spacing == (0.5, 0.8) and frames[1].position == tuple(
        float(v) for v in datasets[1].ImagePositionPatient
    )


def test_unreadable_files_give_no_geometry_and_formats_fall_back_to_metadata(tmp_path) -> None:
    (tmp_path / "6").mkdir()
    (tmp_path / "6" / "original.dcm").write_bytes(b"not dicom")
    assert _dicom_frames_or_none(tmp_path / "6", "dcm") == ()
    ct = image(
        6,
        kind="dicom",
        original_ext="dcm",
        metadata={
            "image_position": [-10.0, 20.0, 30.0],
            "image_orientation": [1, 0, 0, 0, 1, 0],
            "pixel_spacing": [0.7, 0.6],
            "slice_thickness": 5.0,
        },
    )
    geometry = image_geometry(ct)
    assert np.allclose(geometry.affine, [[-0.6, 0, 0, 10], [0, -0.7, 0, -20], [0, 0, 5, 30], [0, 0, 0, 1]])
    assert geometry.code == 1 and geometry.warnings == ()
