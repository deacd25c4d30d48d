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
    frames = sorted(i["frame"] for d in documents for i in d["images"] if i["annotator_image_id"] == splits["volume"])
    assert frames == [0, 1, 2]  # every slice, annotated or not


def _check_yolo(archive, names, card, splits, ids) -> None:
    data = yaml.safe_load(archive.read("data.yaml"))
    assert data["names"] == {0: "Lesion", 1: "Organ", 2: "Brush"} and card["format_details"]["mode"] == "segment"
    picture = splits["pictures"][0]
    (row,) = archive.read(f"labels/{splits[picture]}/{picture}.txt").decode().splitlines()
    assert [float(v) for v in row.split()] == pytest.approx(
        [0, 0.25, 5 / 30, 0.45, 5 / 30, 0.45, 11 / 30, 0.25, 11 / 30], abs=1e-6
    )
    assert f"images/{splits[picture]}/{picture}.png" in names
    assert f"labels/{splits['volume_split']}/{splits['volume']}_f0002.txt" in names
    (brush,) = archive.read(f"labels/{splits['volume_split']}/{splits['volume']}_f0001.txt").decode().splitlines()
    assert brush.startswith("2 ") and card["counts"]["mask_components"] == 1  # the mask's one component


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


def _nifti(archive, name):
    return nibabel.Nifti1Image.from_bytes(gzip.decompress(archive.read(name)))


def nnunet_rules(archive, root: str) -> dict:
    """nnU-Net v2's raw dataset rules (its integrity check): dataset.json keys, background 0 and consecutive
    labels, numTraining = the labelled cases, every channel file of every case, same grid and affine for image and
    label, label values declared; splits_final.json folds that cover the training cases."""
    names = set(archive.namelist())
    meta = json.loads(archive.read(f"{root}/dataset.json"))
    assert {"channel_names", "labels", "numTraining", "file_ending"} <= set(meta)
    ending, labels = meta["file_ending"], meta["labels"]
    assert labels["background"] == 0 and sorted(labels.values()) == list(range(len(labels)))
    cases = sorted(n[len(f"{root}/labelsTr/") : -len(ending)] for n in names if n.startswith(f"{root}/labelsTr/"))
    assert len(cases) == meta["numTraining"] > 0
    expected = {f"{root}/imagesTr/{c}_{int(k):04d}{ending}" for c in cases for k in meta["channel_names"]}
    assert expected == {n for n in names if n.startswith(f"{root}/imagesTr/")}
    for case in cases:
        label = _nifti(archive, f"{root}/labelsTr/{case}{ending}")
        assert set(np.unique(np.asarray(label.dataobj)).tolist()) <= set(labels.values())
        for k in meta["channel_names"]:
            image = _nifti(archive, f"{root}/imagesTr/{case}_{int(k):04d}{ending}")
            assert image.shape == label.shape and np.allclose(image.affine, label.affine)
    if f"{root}/splits_final.json" in names:
        folds = json.loads(archive.read(f"{root}/splits_final.json"))
        assert sorted(c for f in folds for c in f["val"]) == cases
        assert all(sorted(f["train"] + f["val"]) == cases for f in folds)
    return meta


def decathlon_datalist(archive, root: str, key: str) -> list[dict]:
    """What monai.data.load_decathlon_datalist returns, by its documented rules: the key must exist; test entries
    may be plain paths; image and label paths are joined to the datalist's folder (and must exist)."""
    document = json.loads(archive.read(f"{root}/dataset.json"))
    if key not in document:
        raise ValueError(f"Data list {key} not specified")
    items = [{"image": i} if isinstance(i, str) else dict(i) for i in document[key]]
    names = set(archive.namelist())
    for item in items:
        for field in ("image", "label"):
            if field in item:
                item[field] = f"{root}/{item[field].removeprefix('./')}"
                assert item[field] in names, item[field]
    return items


def _check_nnunet(archive, names, card, splits, ids) -> None:
    root = card["format_details"]["folder"]
    assert root.startswith("Dataset") and root.endswith("_Chest_CT")
    meta = nnunet_rules(archive, root)
    assert meta["channel_names"] == {"0": "CT"} and meta["labels"] == {
        "background": 0,
        "Lesion": 1,
        "Organ": 2,
        "Brush": 3,
    }
    volume = _nifti(archive, f"{root}/labelsTr/case_{splits['volume']:06d}.nii.gz")
    assert np.array_equal(np.asarray(volume.dataobj)[6:10, 7:10, 1], MASK_CROP.T * 3)
    assert sorted(card["format_details"]["skipped"]) == sorted(str(p) for p in splits["pictures"])  # 2-D pictures
    assert (f"{root}/splits_final.json" in names) == (splits["volume_split"] == "val")  # val split as one fold


def _check_decathlon(archive, names, card, splits, ids) -> None:
    root = card["format_details"]["folder"]
    document = json.loads(archive.read(f"{root}/dataset.json"))
    assert document["modality"] == {"0": "CT"} and document["labels"]["0"] == "background"
    listed = [i for key in ("training", "validation", "test") for i in decathlon_datalist(archive, root, key)]
    assert [i["image"] for i in listed] == [
        f"{root}/images{'Tr' if splits['volume_split'] != 'test' else 'Ts'}/case_{splits['volume']:06d}.nii.gz"
    ]
    image, label = _nifti(archive, listed[0]["image"]), _nifti(archive, listed[0]["label"])
    assert image.shape == label.shape == (20, 16, 3) and np.allclose(image.affine, label.affine)
    assert np.asarray(image.dataobj)[:, :, 2].min() == 200


CHECKS = {
    "coco": _check_coco,
    "yolo": _check_yolo,
    "voc": _check_voc,
    "mask_png": _check_mask_png,
    "nifti": _check_nifti,
    "dicom_seg": _check_dicom_seg,
    "csv": _check_csv,
    "native": _check_native,
    "nnunet": _check_nnunet,
    "decathlon": _check_decathlon,
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

    # Unchanged data and options: the same bytes. One annotation moved: different bytes.
    again = _run_export(client, project, {"format": fmt, "options": options})
    assert again["status"] == "done" and again["sha256"] == job["sha256"], _first_difference(client, job, again)
    (box,) = client.get(f"/api/v1/images/{pictures[0]}/annotations/").json()["results"]
    moved = client.patch(
        f"/api/v1/annotations/{box['id']}/",
        {"geometry": {"x": 11, "y": 5, "w": 8, "h": 6}},
        format="json",
        HTTP_IF_MATCH=f'"{box["version"]}"',
    )
    assert moved.status_code == 200, moved.content
    changed = _run_export(client, project, {"format": fmt, "options": options})
    assert changed["status"] == "done" and changed["sha256"] != job["sha256"]


def _first_difference(client, first: dict, second: dict) -> str:
    """Which members of two exports differ (for a readable failure)."""
    a, b = (
        zipfile.ZipFile(io.BytesIO(b"".join(client.get(f"/api/v1/exports/{j['id']}/download").streaming_content)))
        for j in (first, second)
    )
    differ = [n for n in a.namelist() if n not in b.namelist() or a.read(n) != b.read(n)]
    return f"members that differ: {differ}; order {a.namelist() == b.namelist()}"
