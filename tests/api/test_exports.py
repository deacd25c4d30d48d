"""COCO export through the worker: a zip with a dataset card and checksums that pycocotools loads."""

import hashlib
import io
import json
import zipfile

import pytest
from pycocotools.coco import COCO

from annotator.exports.models import ExportJob
from tests.conftest import png_bytes, wait_for

pytestmark = pytest.mark.storage  # runs against the object store too (ANNOTATOR_TEST_S3=1)


def _ready_images(client, project, count: int) -> list[int]:
    from annotator.imaging.models import Image

    files = []
    for index in range(count):
        handle = io.BytesIO(png_bytes(320, 240))
        handle.name = f"img{index}.png"
        files.append(handle)
    ids = [
        i["id"]
        for i in client.post(f"/api/v1/projects/{project.pk}/images/", {"file": files}, format="multipart").json()[
            "images"
        ]
    ]
    wait_for(lambda: Image.objects.filter(pk__in=ids, status="ready").count() == count, what="images ready")
    return ids


def _run_export(client, project, body) -> dict:
    response = client.post(f"/api/v1/projects/{project.pk}/exports/", body, format="json")
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] in ("queued", "running", "done")
    wait_for(lambda: ExportJob.objects.get(pk=job["id"]).status in ("done", "failed"), what="export")
    return client.get(f"/api/v1/exports/{job['id']}/").json()


@pytest.mark.worker
def test_coco_export_loads_in_pycocotools(worker, project, owner, client_for, bbox_label, tmp_path) -> None:
    client = client_for(owner)
    image_ids = _ready_images(client, project, 3)
    for n, image_id in enumerate(image_ids):
        response = client.post(
            f"/api/v1/images/{image_id}/annotations/",
            {"label": bbox_label.pk, "geometry": {"x": 10 + n, "y": 20, "w": 50, "h": 40}},
            format="json",
        )
        assert response.status_code == 201

    job = _run_export(
        client,
        project,
        {
            "format": "coco",
            "options": {
                "include_images": True,
                "split": {"train": 0.67, "val": 0.33, "test": 0.0, "by": "patient", "seed": 7},
            },
        },
    )
    assert job["status"] == "done", job["error"]
    assert job["progress"] == 1.0 and job["download_url"].endswith(f"/api/v1/exports/{job['id']}/download")

    download = client.get(f"/api/v1/exports/{job['id']}/download")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == job["sha256"] and len(data) == job["size"]

    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {"README.md", "dataset.json", "SHA256SUMS"} <= names
    for line in archive.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name

    card = json.loads(archive.read("dataset.json"))
    assert card["format"] == "coco" and card["counts"]["annotations"] == 3
    assert sorted(card["split_counts"].values()) == [1, 2]
    assert "Splits" in archive.read("README.md").decode()

    loaded = 0
    for name in sorted(n for n in names if n.startswith("annotations/instances_")):
        path = tmp_path / name.split("/")[-1]
        path.write_bytes(archive.read(name))
        coco = COCO(str(path))
        assert coco.getCatIds() == [bbox_label.pk]
        for ann in coco.loadAnns(coco.getAnnIds()):
            assert ann["bbox"][2:] == [50.0, 40.0] and ann["area"] == 2000.0
            assert coco.imgs[ann["image_id"]]["file_name"] in names  # the image file is in the zip
            loaded += 1
    assert loaded == 3


def test_unknown_format_and_role_limits(project, owner, member, client_for) -> None:
    response = client_for(owner).post(f"/api/v1/projects/{project.pk}/exports/", {"format": "xls"}, format="json")
    assert response.status_code == 400 and "coco" in response.json()["detail"]
    bad_split = client_for(owner).post(
        f"/api/v1/projects/{project.pk}/exports/",
        {"format": "coco", "options": {"split": {"train": 0.9, "val": 0.9, "test": 0}}},
        format="json",
    )
    assert bad_split.status_code == 400
    annotator_client = client_for(member("annotator"))
    assert (
        annotator_client.post(f"/api/v1/projects/{project.pk}/exports/", {"format": "coco"}, format="json").status_code
        == 403
    )
    assert not ExportJob.objects.exists()
