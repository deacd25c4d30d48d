"""Every export format through the API and a real worker: the zip's card, checksums and the format's own files."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import shutil
import xml.etree.ElementTree as ET
import zipfile

import nibabel
import numpy as np
import pydicom
import pytest
import yaml
from PIL import Image as PILImage
from pycocotools import mask as coco_mask

from annotator.annotations import rle
from annotator.core.storage import media_root
from annotator.imaging.models import Image
from annotator.projects.services import label_create
from tests.annotator.dicom.factories import image as dicom_image
from tests.conftest import png_bytes, wait_for

from .test_exports import _run_export

pytestmark = pytest.mark.storage  # runs against the object store too (ANNOTATOR_TEST_S3=1)

MASK_CROP = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=np.uint8)


def _series_zip() -> bytes:
    """A three-slice axial CT series (16 × 20, 0.5 × 0.8 mm pixels, 2.5 mm apart) as a zip upload."""
    series, study, frame_of_reference = (pydicom.uid.generate_uid() for _ in range(3))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for k in range(3):
            ds = dicom_image(
                np.full((16, 20), 100 * k, dtype=np.int16),
                Modality="CT",
                StudyInstanceUID=study,
                SeriesInstanceUID=series,
                FrameOfReferenceUID=frame_of_reference,
                PatientID="PID-1",
                PatientName="Doe^Jane",
                ImageOrientationPatient=[1, 0, 0, 0, 1, 0],
                ImagePositionPatient=[0.0, 0.0, 2.5 * k],
                PixelSpacing=[0.5, 0.8],
                SliceThickness=2.5,
                InstanceNumber=3 - k,
            )
            data = io.BytesIO()
            ds.save_as(data, enforce_file_format=True)
            archive.writestr(f"study/slice{k}.dcm", data.getvalue())
    return buffer.getvalue()


def _clear_stale_image_folders() -> None:
    """The media dir lives for the whole session while the database is flushed between worker tests, so ids
    come round again: a folder left by an earlier test's image 4 would lend its slices to this test's image 4."""
    shutil.rmtree(media_root() / "images", ignore_errors=True)


def _upload(client, project) -> tuple[list[int], int]:
    _clear_stale_image_folders()
    pictures = []
    for index in range(2):
        handle = io.BytesIO(png_bytes(40, 30))
        handle.name = f"photo{index}.png"
        pictures.append(handle)
    series = io.BytesIO(_series_zip())
    series.name = "study.zip"
    response = client.post(f"/api/v1/projects/{project.pk}/images/", {"file": [*pictures, series]}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert not body["rejected"], body["rejected"]
    ids = [i["id"] for i in body["images"]]
    wait_for(lambda: Image.objects.filter(pk__in=ids, status="ready").count() == 3, what="images ready")
    volume = Image.objects.get(pk__in=ids, frames=3)
    return [i for i in ids if i != volume.pk], volume.pk


def _annotate(client, project, bbox_label, pictures: list[int], volume: int) -> dict[str, int]:
    polygon = label_create(project=project, name="Organ", kind="polygon", color="#00ff00", hotkey="o")
    mask = label_create(project=project, name="Brush", kind="mask", color="#0000ff", hotkey="b")
    bodies = [
        (pictures[0], {"label": bbox_label.pk, "geometry": {"x": 10, "y": 5, "w": 8, "h": 6}}),
        (pictures[1], {"label": polygon.pk, "geometry": {"points": [[2, 2], [12, 2], [7, 10]]}}),
        (volume, {"label": bbox_label.pk, "frame": 2, "geometry": {"x": 3, "y": 4, "w": 5, "h": 2}}),
        (
            volume,
            {"label": mask.pk, "frame": 1, "geometry": {"x": 6, "y": 7, "w": 4, "h": 3, "rle": rle.encode(MASK_CROP)}},
        ),
    ]
    for image_id, body in bodies:
        response = client.post(f"/api/v1/images/{image_id}/annotations/", body, format="json")
        assert response.status_code == 201, response.content
    return {"bbox": bbox_label.pk, "polygon": polygon.pk, "mask": mask.pk}


def _check_package(archive: zipfile.ZipFile, fmt: str) -> dict:
    names = set(archive.namelist())
    assert {"README.md", "dataset.json", "SHA256SUMS"} <= names
    listed = set()
    for line in archive.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
        listed.add(name)
    assert listed == names - {"SHA256SUMS"}
    card = json.loads(archive.read("dataset.json"))
    assert card["format"] == fmt and card["counts"]["images"] == 3 and card["format_notes"]
    readme = archive.read("README.md").decode()
    assert "## Format conventions" in readme and card["format_notes"][0] in readme
    return card


def _check_coco(archive, names, card, splits, ids) -> None:
    documents = [json.loads(archive.read(n)) for n in names if n.startswith("annotations/instances_")]
    anns = [a for d in documents for a in d["annotations"]]
    assert len(anns) == 4 == card["counts"]["annotations"]
    (mask,) = [a for a in anns if a["category_id"] == ids["mask"]]
    placed = coco_mask.decode({"counts": mask["segmentation"]["counts"].encode(), "size": [16, 20]})
    assert np.array_equal(placed[7:10, 6:10], MASK_CROP) and placed.sum() == MASK_CROP.sum()
    assert all(i["file_name"] in names for d in documents for i in d["images"])


def _check_yolo(archive, names, card, splits, ids) -> None:
    data = yaml.safe_load(archive.read("data.yaml"))
    assert data["names"] == {0: "Lesion", 1: "Organ"} and card["format_details"]["mode"] == "segment"
    picture = splits["pictures"][0]
    (row,) = archive.read(f"labels/{splits[picture]}/{picture}.txt").decode().splitlines()
    assert [float(v) for v in row.split()] == pytest.approx(
        [0, 0.25, 5 / 30, 0.45, 5 / 30, 0.45, 11 / 30, 0.25, 11 / 30], abs=1e-6
    )
    assert f"images/{splits[picture]}/{picture}.png" in names
    assert f"labels/{splits['volume_split']}/{splits['volume']}_f0002.txt" in names


def _check_voc(archive, names, card, splits, ids) -> None:
    picture = splits["pictures"][0]
    root = ET.fromstring(archive.read(f"Annotations/{picture}.xml"))
    box = [int(root.findtext(f"object/bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")]
    assert box == [11, 6, 18, 11]
    assert str(picture) in archive.read(f"ImageSets/Main/{splits[picture]}.txt").decode().split()
    assert f"JPEGImages/{picture}.png" in names


def _check_mask_png(archive, names, card, splits, ids) -> None:
    volume, split = splits["volume"], splits["volume_split"]
    labels = np.array(PILImage.open(io.BytesIO(archive.read(f"masks/{split}/{volume}_f0001.png"))))
    assert labels.shape == (16, 20) and np.array_equal(labels[7:10, 6:10], MASK_CROP * 3)
    legend = json.loads(archive.read("labels.json"))["labels"]
    assert [r["name"] for r in legend] == ["background", "Lesion", "Organ", "Brush"]


def _check_nifti(archive, names, card, splits, ids) -> None:
    volume, split = splits["volume"], splits["volume_split"]
    labels = nibabel.Nifti1Image.from_bytes(gzip.decompress(archive.read(f"labels/{split}/{volume}.nii.gz")))
    data = np.asarray(labels.dataobj)
    assert str(volume) not in card["format_details"]["geometry_warnings"]  # every slice's position was read
    assert data.shape == (20, 16, 3) and np.array_equal(data[6:10, 7:10, 1], MASK_CROP.T * 3)
    assert data[3:8, 4:6, 2].all() and data[:, :, 0].sum() == 0
    assert np.allclose(labels.affine @ [3, 4, 2, 1], [-2.4, -2.0, 5.0, 1])  # (i·0.8, j·0.5, 2.5k) in LPS → RAS
    image = nibabel.Nifti1Image.from_bytes(gzip.decompress(archive.read(f"images/{split}/{volume}.nii.gz")))
    assert np.asarray(image.dataobj)[:, :, 2].min() == 200


def _check_dicom_seg(archive, names, card, splits, ids) -> None:
    volume, split = splits["volume"], splits["volume_split"]
    seg = pydicom.dcmread(io.BytesIO(archive.read(f"seg/{split}/{volume}.dcm")))
    stored = [
        pydicom.dcmread(io.BytesIO(archive.read(f"images/{split}/{volume}/series/{k:05d}.dcm"))) for k in range(3)
    ]
    referenced = [
        f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
        for f in seg.PerFrameFunctionalGroupsSequence
    ]
    assert int(seg.NumberOfFrames) == 2 and sorted(referenced) == sorted(
        [stored[1].SOPInstanceUID, stored[2].SOPInstanceUID]
    )
    assert "PID-1" not in str(seg.PatientID) and card["counts"]["images_not_dicom"] == 2


def _check_csv(archive, names, card, splits, ids) -> None:
    rows = list(csv.DictReader(io.StringIO(archive.read("annotations.csv").decode())))
    assert sorted(r["kind"] for r in rows) == ["bbox", "bbox", "mask", "polygon"]
    assert {r["split"] for r in rows if r["image_id"] == str(splits["volume"])} == {splits["volume_split"]}
    images = list(csv.DictReader(io.StringIO(archive.read("images.csv").decode())))
    assert len(images) == 3 and {r["workflow_state"] for r in images} == {"in_progress"}


def _check_native(archive, names, card, splits, ids) -> None:
    doc = json.loads(archive.read("annotator.json"))
    assert doc["schema_version"] == 1 and [label["name"] for label in doc["labels"]] == ["Lesion", "Organ", "Brush"]
    (mask,) = [a for i in doc["images"] for a in i["annotations"] if a["label"] == ids["mask"]]
    assert mask["geometry"]["rle"] == rle.encode(MASK_CROP) and mask["frame"] == 1


CHECKS = {
    "coco": _check_coco,
    "yolo": _check_yolo,
    "voc": _check_voc,
    "mask_png": _check_mask_png,
    "nifti": _check_nifti,
    "dicom_seg": _check_dicom_seg,
    "csv": _check_csv,
    "native": _check_native,
}


@pytest.mark.worker
@pytest.mark.parametrize("fmt", sorted(CHECKS))
def test_format_through_the_api(fmt, worker, project, owner, client_for, bbox_label) -> None:
    client = client_for(owner)
    pictures, volume = _upload(client, project)
    ids = _annotate(client, project, bbox_label, pictures, volume)
    options = {"include_images": True, "split": {"train": 0.5, "val": 0.5, "test": 0.0, "by": "image", "seed": 3}}
    job = _run_export(client, project, {"format": fmt, "options": options})
    assert job["status"] == "done", job["error"]
    download = client.get(f"/api/v1/exports/{job['id']}/download")
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == job["sha256"]
    archive = zipfile.ZipFile(io.BytesIO(data))
    card = _check_package(archive, fmt)
    splits = {i["id"]: i["split"] for i in card["images"]}
    splits |= {"pictures": pictures, "volume": volume, "volume_split": splits[volume]}
    CHECKS[fmt](archive, set(archive.namelist()), card, splits, ids)
