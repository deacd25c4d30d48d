"""Resumable uploads: chunks at agreed offsets, resume after a break, checksum, limits before bytes, reaping."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from annotator.imaging.models import Image
from annotator.uploads.models import Upload
from annotator.uploads.services import part_path, uploads_reap
from tests.conftest import png_bytes, wait_for

pytestmark = pytest.mark.storage  # runs against the object store too (ANNOTATOR_TEST_S3=1)

CHUNK_TYPE = "application/offset+octet-stream"


def _open(client, project, data: bytes, **extra):
    body = {"filename": "scan.png", "size": len(data), **extra}
    return client.post(f"/api/v1/projects/{project.pk}/uploads/", body, format="json")


def _send(client, upload_id: int, offset: int, chunk: bytes):
    return client.patch(
        f"/api/v1/uploads/{upload_id}/", data=chunk, content_type=CHUNK_TYPE, HTTP_UPLOAD_OFFSET=str(offset)
    )


@pytest.mark.worker
def test_chunks_resume_and_complete_into_an_image(worker, project, owner, client_for, settings) -> None:
    client = client_for(owner)
    data = png_bytes(500, 300)
    opened = _open(client, project, data, sha256=hashlib.sha256(data).hexdigest(), site="site-b")
    assert opened.status_code == 201 and opened["Upload-Offset"] == "0"
    upload_id = opened.json()["id"]
    assert not str(part_path(upload_id)).startswith(str(settings.MEDIA_ROOT))  # raw bytes stay out of storage

    third = len(data) // 3
    assert _send(client, upload_id, 0, data[:third])["Upload-Offset"] == str(third)
    wrong = _send(client, upload_id, 0, data[:third])  # a client that lost track gets told where to resume
    assert wrong.status_code == 409 and wrong.json()["offset"] == third
    status = client.get(f"/api/v1/uploads/{upload_id}/")
    assert status.json()["offset"] == third and status["Upload-Offset"] == str(third)
    early = client.post(f"/api/v1/uploads/{upload_id}/complete/")
    assert early.status_code == 409 and early.json()["code"] == "incomplete"
    assert _send(client, upload_id, third, data[third:]).status_code == 204

    done = client.post(f"/api/v1/uploads/{upload_id}/complete/")
    assert done.status_code == 201, done.content
    image_id = done.json()["images"][0]["id"]
    assert done.json()["images"][0]["site"] == "site-b"
    wait_for(lambda: Image.objects.get(pk=image_id).status in ("ready", "failed"), what="the uploaded image")
    image = Image.objects.get(pk=image_id)
    assert (image.status, image.width, image.height) == ("ready", 500, 300), image.error
    assert not part_path(upload_id).exists()
    assert client.post(f"/api/v1/uploads/{upload_id}/complete/").status_code == 410


def test_limits_apply_before_any_byte(project, owner, client_for, settings) -> None:
    client = client_for(owner)
    settings.ANNOTATOR_MAX_UPLOAD_BYTES = 1000
    big = client.post(f"/api/v1/projects/{project.pk}/uploads/", {"filename": "x", "size": 1001}, format="json")
    assert big.status_code == 413 and big.json()["code"] == "too_large"
    assert not Upload.objects.exists()
    settings.ANNOTATOR_UPLOAD_CHUNK_BYTES = 10
    upload_id = _open(client, project, b"x" * 30).json()["id"]
    assert _send(client, upload_id, 0, b"y" * 11).status_code == 413  # refused from Content-Length alone
    assert part_path(upload_id).stat().st_size == 0
    assert _send(client, upload_id, 0, b"y" * 10).status_code == 204
    settings.ANNOTATOR_UPLOAD_CHUNK_BYTES = 100
    assert _send(client, upload_id, 10, b"z" * 25).status_code == 413  # past the declared size
    missing = client.patch(f"/api/v1/uploads/{upload_id}/", data=b"a", content_type=CHUNK_TYPE)
    assert missing.status_code == 400 and "Upload-Offset" in missing.json()["errors"]


def test_quota_counts_unfinished_uploads(project, owner, client_for, settings) -> None:
    settings.ANNOTATOR_UPLOAD_QUOTA_BYTES = 100
    client = client_for(owner)
    assert _open(client, project, b"a" * 60).status_code == 201
    second = _open(client, project, b"b" * 60)
    assert second.status_code == 413 and "quota" in second.json()["detail"]


def test_checksum_mismatch_discards_the_bytes(project, owner, client_for) -> None:
    client = client_for(owner)
    data = png_bytes(20, 20)
    upload_id = _open(client, project, data, sha256="0" * 64).json()["id"]
    _send(client, upload_id, 0, data)
    response = client.post(f"/api/v1/uploads/{upload_id}/complete/")
    assert response.status_code == 400 and response.json()["code"] == "checksum_mismatch"
    assert Upload.objects.get(pk=upload_id).status == "failed"
    assert not Image.objects.exists()


def test_someone_elses_upload_does_not_exist(project, owner, member, client_for) -> None:
    upload_id = _open(client_for(owner), project, b"abc").json()["id"]
    manager = client_for(member("manager"))
    assert manager.get(f"/api/v1/uploads/{upload_id}/").status_code == 404
    assert _send(manager, upload_id, 0, b"abc").status_code == 404


def test_expired_uploads_are_refused_and_reaped(project, owner, client_for) -> None:
    client = client_for(owner)
    upload_id = _open(client, project, b"abcdef").json()["id"]
    _send(client, upload_id, 0, b"abc")
    Upload.objects.filter(pk=upload_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert _send(client, upload_id, 3, b"def").status_code == 410
    with_callbacks = uploads_reap()
    assert with_callbacks == 1 and Upload.objects.get(pk=upload_id).status == "aborted"


def test_abort_deletes_the_bytes(project, owner, client_for, django_capture_on_commit_callbacks) -> None:
    client = client_for(owner)
    upload_id = _open(client, project, b"abcdef").json()["id"]
    _send(client, upload_id, 0, b"abc")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/uploads/{upload_id}/").status_code == 204
    assert not part_path(upload_id).exists()
