"""Upload → worker → tiles: the image path of the walking skeleton, through a real worker process."""

import io
import math
import os
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from PIL import Image as PILImage

from annotator.imaging.models import Image
from tests.conftest import png_bytes, wait_for

pytestmark = pytest.mark.storage  # runs against the object store too (ANNOTATOR_TEST_S3=1)

DZ = "{http://schemas.microsoft.com/deepzoom/2008}"


def _upload(client, project, files, **extra):
    return client.post(f"/api/v1/projects/{project.pk}/images/", {"file": files, **extra}, format="multipart")


def _wait_processed(image_id: int) -> Image:
    wait_for(lambda: Image.objects.get(pk=image_id).status in ("ready", "failed"), what=f"image {image_id}")
    return Image.objects.get(pk=image_id)


@pytest.mark.worker
def test_upload_png_and_dicom_with_a_bad_file_beside_them(worker, project, owner, client_for, ct_path) -> None:
    if os.environ.get("REQUIRE_WORKER") == "1":  # CI: prove this goes through the broker to another process
        assert not settings.CELERY_TASK_ALWAYS_EAGER
        assert worker is not None and worker.poll() is None
    client = client_for(owner)
    png = io.BytesIO(png_bytes(600, 400))
    png.name = "slide.png"
    dcm = io.BytesIO(ct_path.read_bytes())
    dcm.name = "ct_slice"  # DICOM without extension is sniffed by content
    junk = io.BytesIO(b"hello, I am not an image" * 20)
    junk.name = "notes.png"
    response = _upload(client, project, [png, dcm, junk], site="hospital-a")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [i["name"] for i in body["images"]] == ["slide.png", "ct_slice"]
    assert body["rejected"] == [
        {"filename": "notes.png", "detail": body["rejected"][0]["detail"], "code": "unsupported_format"}
    ]
    assert "not a supported image" in body["rejected"][0]["detail"]
    assert all(i["site"] == "hospital-a" and i["status"] in ("pending", "processing", "ready") for i in body["images"])

    raster = _wait_processed(body["images"][0]["id"])
    ct = _wait_processed(body["images"][1]["id"])
    assert (raster.status, raster.width, raster.height, raster.kind) == ("ready", 600, 400, "raster")
    assert (ct.status, ct.width, ct.height, ct.kind) == ("ready", 128, 128, "dicom"), ct.error

    detail = client.get(f"/api/v1/images/{ct.pk}/").json()
    assert detail["metadata"]["modality"] == "CT"
    assert len(detail["metadata"]["patient_ref"]) == 16
    assert f"/api/v1/images/{ct.pk}/dzi?v=" in detail["dzi_url"]


@pytest.mark.worker
def test_descriptor_tiles_and_thumbnail_are_served(worker, project, owner, client_for, make_user) -> None:
    client = client_for(owner)
    png = io.BytesIO(png_bytes(600, 400))
    png.name = "wide.png"
    image_id = _upload(client, project, [png]).json()["images"][0]["id"]
    assert _wait_processed(image_id).status == "ready"

    dzi = client.get(f"/api/v1/images/{image_id}/dzi")
    assert dzi.status_code == 200 and dzi["Content-Type"] == "application/xml"
    root = ET.fromstring(b"".join(dzi.streaming_content))
    size = root.find(f"{DZ}Size")
    assert (size.get("Width"), size.get("Height")) == ("600", "400")
    fmt, tile_size = root.get("Format"), int(root.get("TileSize"))
    top = math.ceil(math.log2(600))

    tile = client.get(f"/api/v1/images/{image_id}/tiles/{top}/0_0.{fmt}")
    assert tile.status_code == 200 and tile["Content-Type"] == f"image/{fmt}"
    assert "max-age" in tile["Cache-Control"] and tile["ETag"]
    first = PILImage.open(io.BytesIO(b"".join(tile.streaming_content)))
    assert first.size == (tile_size + 1, tile_size + 1)  # one overlap pixel on the inner edges
    assert (
        client.get(f"/api/v1/images/{image_id}/tiles/{top}/0_0.{fmt}", HTTP_IF_NONE_MATCH=tile["ETag"]).status_code
        == 304
    )
    assert client.get(f"/api/v1/images/{image_id}/tiles/{top}/99_0.{fmt}").status_code == 404
    assert client.get(f"/api/v1/images/{image_id}/tiles/0/0_0.{fmt}", {"frame": "5"}).status_code == 400

    thumb = client.get(f"/api/v1/images/{image_id}/thumbnail")
    assert thumb.status_code == 200
    assert max(PILImage.open(io.BytesIO(b"".join(thumb.streaming_content))).size) == 256

    stranger = client_for(make_user("mallory"))
    assert stranger.get(f"/api/v1/images/{image_id}/tiles/{top}/0_0.{fmt}").status_code == 404
    assert stranger.get(f"/api/v1/images/{image_id}/thumbnail").status_code == 404


@pytest.mark.worker
def test_truncated_png_is_rejected_at_upload(project, owner, client_for) -> None:
    broken = io.BytesIO(png_bytes(400, 400)[:300])
    broken.name = "cut.png"
    body = _upload(client_for(owner), project, [broken]).json()
    assert body["images"] == [] and body["rejected"][0]["code"] == "malformed_image"


def _png_with_garbage_pixels() -> bytes:
    """A PNG whose chunk structure and CRCs are valid but whose compressed pixel data is nonsense."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"not zlib at all" * 20) + chunk(b"IEND", b"")


@pytest.mark.worker
def test_undecodable_png_fails_on_the_worker_with_a_sentence(worker, project, owner, client_for) -> None:
    broken = io.BytesIO(_png_with_garbage_pixels())
    broken.name = "garbled.png"
    image_id = _upload(client_for(owner), project, [broken]).json()["images"][0]["id"]
    image = _wait_processed(image_id)
    assert image.status == "failed"
    assert "cannot be decoded" in image.error


def test_upload_without_a_file_is_400(project, owner, client_for) -> None:
    response = client_for(owner).post(f"/api/v1/projects/{project.pk}/images/", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]


def test_annotator_cannot_upload(project, member, client_for) -> None:
    png = io.BytesIO(png_bytes())
    png.name = "a.png"
    assert _upload(client_for(member("annotator")), project, [png]).status_code == 403
