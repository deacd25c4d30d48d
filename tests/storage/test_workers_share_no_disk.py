"""Web and workers that share nothing but the database, the broker and a live SeaweedFS bucket."""

from __future__ import annotations

import io
import math
import re
import zipfile

import pytest
from django.conf import settings

from annotator.core.storage import image_dir
from annotator.imaging.models import Image
from tests.conftest import png_bytes, start_worker, wait_for, worker_environment

pytestmark = [pytest.mark.s3, pytest.mark.worker]


def _upload(client, project, *files: tuple[str, bytes]) -> list[int]:
    handles = []
    for name, data in files:
        handle = io.BytesIO(data)
        handle.name = name
        handles.append(handle)
    response = client.post(f"/api/v1/projects/{project.pk}/images/", {"file": handles}, format="multipart")
    assert response.status_code == 201, response.content
    return [image["id"] for image in response.json()["images"]]


def _ready(ids: list[int]) -> None:
    wait_for(
        lambda: Image.objects.filter(pk__in=ids, status__in=("ready", "failed")).count() == len(ids),
        timeout=180,
        what="images processed",
    )
    failed = list(Image.objects.filter(pk__in=ids, status="failed").values_list("name", "error"))
    assert not failed, failed


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_images_are_processed_and_served_from_the_bucket(worker, object_store, project, owner, client_for, ct_path):
    client = client_for(owner)
    big, small = png_bytes(1400, 1000), png_bytes(300, 200)
    big_id, small_id, ct_id = _upload(
        client, project, ("big.png", big), ("small.png", small), ("ct", ct_path.read_bytes())
    )
    _ready([big_id, small_id, ct_id])

    keys = set(object_store.keys("images/"))
    assert {f"images/{big_id}/original.png", f"images/{big_id}/thumbnail.jpg"} <= keys
    assert {f"images/{big_id}/tiles.zip", f"images/{big_id}/tiles.idx"} <= keys  # built at ingest (> 1 MP)
    assert f"images/{ct_id}/original.dcm" in keys
    kept = [p for i in (big_id, small_id, ct_id) for p in image_dir(i).rglob("*") if p.is_file()]
    assert kept == [], f"the web process kept files in its scratch: {kept}"

    thumb = client.get(f"/api/v1/images/{big_id}/thumbnail")
    assert thumb.status_code == 200 and _body(thumb)[:2] == b"\xff\xd8"
    top = math.ceil(math.log2(1400))
    for image_id, level in ((big_id, top), (big_id, top - 3), (small_id, math.ceil(math.log2(300)))):
        fmt = Image.objects.get(pk=image_id).tile_format
        tile = client.get(f"/api/v1/images/{image_id}/tiles/{level}/0_0.{fmt}")
        assert tile.status_code == 200, tile.content
        assert _body(tile)[:2] == (b"\xff\xd8" if fmt == "jpeg" else b"\x89P")
    assert f"images/{small_id}/tiles.idx" in set(object_store.keys(f"images/{small_id}/"))  # tiled on first view
    dzi = client.get(f"/api/v1/images/{big_id}/dzi")
    assert b'Width="1400"' in _body(dzi)

    raw = client.get(f"/api/v1/images/{ct_id}/frames/0?raw=1")
    assert raw.status_code == 200 and raw["X-Frame-Shape"] == "128,128"
    assert len(_body(raw)) == 128 * 128 * 2

    settings.ANNOTATOR_PRESIGNED_REDIRECTS = True
    redirect = client.get(f"/api/v1/images/{big_id}/thumbnail")
    assert redirect.status_code == 302 and redirect["Location"].startswith(object_store.endpoint)
    settings.ANNOTATOR_PRESIGNED_REDIRECTS = False

    assert client.delete(f"/api/v1/images/{big_id}/").status_code == 204
    wait_for(lambda: object_store.keys(f"images/{big_id}/") == [], what="the deleted image's objects removed")
    assert object_store.keys(f"images/{small_id}/")


def test_an_export_is_built_by_a_worker_and_downloaded_from_the_bucket(
    worker, object_store, project, owner, client_for, bbox_label
):
    client = client_for(owner)
    (image_id,) = _upload(client, project, ("scan.png", png_bytes(320, 240)))
    _ready([image_id])
    box = {"label": bbox_label.pk, "geometry": {"x": 10, "y": 20, "w": 50, "h": 40}}
    assert client.post(f"/api/v1/images/{image_id}/annotations/", box, format="json").status_code == 201
    job = client.post(
        f"/api/v1/projects/{project.pk}/exports/",
        {"format": "coco", "options": {"include_images": True}},
        format="json",
    ).json()
    wait_for(lambda: client.get(f"/api/v1/exports/{job['id']}/").json()["status"] in ("done", "failed"), what="export")
    done = client.get(f"/api/v1/exports/{job['id']}/").json()
    assert done["status"] == "done", done["error"]
    assert any(key.startswith(f"exports/{job['id']}/") for key in object_store.keys("exports/"))

    download = client.get(f"/api/v1/exports/{job['id']}/download")
    assert download.status_code == 200 and int(download["Content-Length"]) == done["size"]
    archive = zipfile.ZipFile(io.BytesIO(_body(download)))
    assert any(re.search(r"scan\.png$|\.png$", name) for name in archive.namelist() if name.startswith("images/"))

    settings.ANNOTATOR_PRESIGNED_REDIRECTS = True
    redirect = client.get(f"/api/v1/exports/{job['id']}/download")
    settings.ANNOTATOR_PRESIGNED_REDIRECTS = False
    assert redirect.status_code == 302 and "X-Amz-Signature=" in redirect["Location"]


def test_two_workers_with_separate_scratch_process_one_queue(
    worker, object_store, project, owner, client_for, tmp_path_factory
):
    if worker is None:
        pytest.skip("needs a broker and a server database (CELERY_BROKER_URL, DATABASE_URL); CI sets both")
    env = worker_environment(tmp_path_factory.mktemp("second-media"))
    env["SCRATCH_DIR"] = str(tmp_path_factory.mktemp("scratch-second"))
    log = tmp_path_factory.mktemp("second") / "worker.log"
    second = start_worker(env=env, log=log, name="second")
    try:
        client = client_for(owner)
        ids = _upload(client, project, *((f"s{n}.png", png_bytes(1200 + n, 900)) for n in range(8)))
        _ready(ids)
        wait_for(lambda: "succeeded" in log.read_text(), what="the second worker finishing a task")
    finally:
        second.terminate()
        second.wait(timeout=30)
    succeeded = re.findall(r"process_image\[[^\]]+\] succeeded", log.read_text())
    assert 0 < len(succeeded) < len(ids), f"the second worker took {len(succeeded)} of {len(ids)} images"
    for image_id in ids:
        assert set(object_store.keys(f"images/{image_id}/")) >= {
            f"images/{image_id}/original.png",
            f"images/{image_id}/tiles.idx",
        }
