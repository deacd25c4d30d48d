"""NIfTI label volumes: nibabel reads them back, and every voxel's affine lands where DICOM puts that pixel."""

from __future__ import annotations

import gzip
import json

import nibabel
import numpy as np
import pytest

from annotator.exports.formats.volume import dicom_geometry
from annotator.exports.snapshot import DicomFrameSnap

from .builders import BRUSH, LESION, ORGAN, SEED, ann, image, project, run
from .dicom_files import enhanced_snap, series_snap, voxel_values, write_enhanced, write_series


def load(data: bytes) -> nibabel.Nifti1Image:
    return nibabel.Nifti1Image.from_bytes(gzip.decompress(data))


def dicom_lps(ds, i: float, j: float) -> np.ndarray:
    """Where DICOM puts the centre of pixel (column i, row j) of a slice (PS3.3 C.7.6.2.1.1)."""
    orientation = np.asarray([float(v) for v in ds.ImageOrientationPatient])
    row_spacing, column_spacing = (float(v) for v in ds.PixelSpacing)
    return (
        np.asarray([float(v) for v in ds.ImagePositionPatient])
        + i * column_spacing * orientation[:3]
        + j * row_spacing * orientation[3:]
    )


def to_ras(lps: np.ndarray) -> np.ndarray:
    return lps * np.array([-1.0, -1.0, 1.0])


def test_series_label_volume_is_aligned_with_the_slices(tmp_path) -> None:
    datasets = write_series(tmp_path / "7", 4)
    box = ann(LESION, {"x": 3, "y": 5, "w": 4, "h": 2}, frame=2)
    snap = project(series_snap(tmp_path / "7", 4, box, ann(SEED, {"x": 1, "y": 1}, frame=0)))
    out, stats = run("nifti", snap, splits={7: "train"}, include_images=True)

    labels = load(out.files["labels/train/7.nii.gz"])
    assert labels.shape == (20, 16, 4) and labels.get_data_dtype() == np.uint8
    assert labels.header.get_intent()[0] == "label"
    assert int(labels.header["sform_code"]) == 1 and int(labels.header["qform_code"]) == 1
    data = np.asarray(labels.dataobj)
    assert sorted({tuple(v) for v in np.argwhere(data)}) == [(i, j, 2) for i in range(3, 7) for j in range(5, 7)]
    assert data[3, 5, 2] == 1  # Lesion is the first box/polygon/mask label
    for i, j, k in [(0, 0, 0), (3, 5, 2), (6, 6, 2), (19, 15, 3)]:
        world = labels.affine @ [i, j, k, 1]
        assert world[:3] == pytest.approx(to_ras(dicom_lps(datasets[k], i, j)), abs=1e-4)
    assert np.allclose(labels.header.get_qform(), labels.affine, atol=1e-4)  # the qform says the same

    volume = load(out.files["images/train/7.nii.gz"])
    assert np.allclose(volume.affine, labels.affine)
    values = np.asarray(volume.dataobj)
    for k in range(4):
        assert np.array_equal(values[:, :, k], voxel_values(k).T.astype(np.int32) - 1024)  # rescaled: HU
    assert stats["skipped_by_kind"] == {"point": 1} and stats["volumes"] == 1
    assert json.loads(out.files["labels.json"])["labels"][1]["name"] == "Lesion"


def test_enhanced_multiframe_uses_per_frame_positions(tmp_path) -> None:
    write_enhanced(tmp_path / "8", 3)
    polygon = ann(ORGAN, {"points": [[0, 0], [4, 0], [4, 4], [0, 4]]}, frame=1)
    out, _ = run("nifti", project(enhanced_snap(tmp_path / "8", 3, polygon)))
    labels = load(out.files["labels/default/8.nii.gz"])
    data = np.asarray(labels.dataobj)
    assert data[:4, :4, 1].all() and data.sum() == 16 * 2  # Organ is label 2
    # Axial, 0.5 mm pixels, frame k at z = 2k (LPS): RAS flips x and y.
    assert np.allclose(labels.affine, [[-0.5, 0, 0, 0], [0, -0.5, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]])


def test_two_d_pictures_get_one_slice_with_their_spacing_or_identity() -> None:
    snap = project(
        image(1, ann(LESION, {"x": 2, "y": 3, "w": 1, "h": 1}), metadata={"pixel_spacing": [0.25, 0.5]}),
        image(2),
    )
    out, stats = run("nifti", snap, include_images=True)
    spaced = load(out.files["labels/default/1.nii.gz"])
    assert spaced.shape == (40, 30, 1) and np.argwhere(np.asarray(spaced.dataobj)).tolist() == [[2, 3, 0]]
    assert np.allclose(spaced.affine, np.diag([0.5, 0.25, 1, 1]))
    assert np.allclose(load(out.files["labels/default/2.nii.gz"]).affine, np.eye(4))
    assert stats["details"]["geometry_warnings"] == {"2": ["no pixel spacing: identity affine (1 unit per pixel)"]}
    assert [name for name, _, _ in stats["image_files"]] == ["images/default/1.png", "images/default/2.png"]


def test_nifti_uploads_keep_their_own_forms(tmp_path) -> None:
    folder = tmp_path / "9"
    folder.mkdir()
    affine = np.array([[0, -1.2, 0, 30], [0.9, 0, 0, -4], [0, 0, 3, 7], [0, 0, 0, 1]], dtype=float)
    source = nibabel.Nifti1Image(np.arange(6 * 5 * 3, dtype=np.int16).reshape(6, 5, 3), affine)
    source.header.set_qform(affine, code=1)
    source.header.set_sform(affine, code=4)
    nibabel.save(source, folder / "original.nii.gz")
    box = ann(BRUSH, {"x": 1, "y": 2, "w": 1, "h": 1, "rle": {"counts": "01", "size": [1, 1]}}, frame=2)
    snap = project(
        image(9, box, width=6, height=5, frames=3, folder=str(folder), original_ext="nii.gz", metadata={}),
    )
    out, _ = run("nifti", snap, include_images=True)
    labels = load(out.files["labels/default/9.nii.gz"])
    assert np.allclose(labels.affine, affine) and int(labels.header["sform_code"]) == 4
    assert np.argwhere(np.asarray(labels.dataobj)).tolist() == [[1, 2, 2]]
    assert out.files["images/default/9.nii.gz"] == (folder / "original.nii.gz").read_bytes()


def test_geometry_without_positions_falls_back_to_spacing_and_warns() -> None:
    frame = DicomFrameSnap(file="", frame_in_file=0, sop_instance_uid="", sop_class_uid="", pixel_spacing=(0.2, 0.3))
    geometry = dicom_geometry([frame])
    assert np.allclose(geometry.affine, np.diag([0.3, 0.2, 1.0, 1.0])) and geometry.code == 2
    assert "no patient orientation" in geometry.warnings[0]
    uneven = [
        DicomFrameSnap(
            file="",
            frame_in_file=0,
            sop_instance_uid="",
            sop_class_uid="",
            position=(0, 0, z),
            orientation=(1, 0, 0, 0, 1, 0),
        )
        for z in (0.0, 1.0, 3.0)
    ]
    assert dicom_geometry(uneven).warnings == (
        "no PixelSpacing: 1 mm assumed",
        "uneven slice spacing: the affine uses the mean step",
    )


def test_nifti_bytes_are_plain_nifti1() -> None:
    out, _ = run("nifti", project(image(3)))
    raw = gzip.decompress(out.files["labels/default/3.nii.gz"])
    assert int.from_bytes(raw[:4], "little") == 348 and raw[344:348] == b"n+1\x00"
    assert nibabel.Nifti1Image.from_bytes(raw).shape == (40, 30, 1)
