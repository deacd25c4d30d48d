"""Files: deletes remove everything an object owns, quotas count the disk, the sweep removes only orphans."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pydicom
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.core.storage import export_dir, image_dir, upload_part
from annotator.core.sweep import files_sweep
from annotator.exports.models import ExportJob
from annotator.imaging.models import Image
from annotator.imaging.services import image_upload
from annotator.projects.services import project_delete
from annotator.uploads.models import Upload, UploadStatus
from annotator.uploads.services import upload_append, upload_open, upload_reserved_bytes
from tests.conftest import png_bytes

HOSTILE = b"<html><script>alert('preamble')</script></html>".ljust(128, b" ")


def test_deidentification_zeroes_the_dicom_preamble(project, owner, ct_path: Path) -> None:
    dataset = pydicom.dcmread(ct_path)
    dataset.preamble = HOSTILE
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    assert buffer.getvalue()[:20] == HOSTILE[:20]
    result = image_upload(project=project, user=owner, files=[SimpleUploadedFile("ct.dcm", buffer.getvalue())])
    stored = (image_dir(result.images[0].pk) / "original.dcm").read_bytes()
    assert stored[:128] == bytes(128) and stored[128:132] == b"DICM"
    assert b"script" not in stored


def _upload_with_bytes(project, owner, data: bytes) -> Upload:
    upload = upload_open(project=project, user=owner, filename="big.png", size=len(data) * 2)
    return upload_append(upload_id=upload.pk, offset=0, length=len(data), stream=io.BytesIO(data))


def test_project_delete_removes_uploads_parts_images_and_exports(
    project, owner, django_capture_on_commit_callbacks
) -> None:
    upload = _upload_with_bytes(project, owner, b"p" * 4096)
    image = image_upload(project=project, user=owner, files=[SimpleUploadedFile("a.png", png_bytes(20, 20))]).images[0]
    job = ExportJob.objects.create(project=project, format="coco")
    export_dir(job.pk).mkdir(parents=True)
    (export_dir(job.pk) / "export.zip").write_bytes(b"zip")
    assert upload_part(upload.pk).stat().st_size == 4096
    with django_capture_on_commit_callbacks(execute=True):
        project_delete(project=project)
    assert not upload_part(upload.pk).exists()
    assert not image_dir(image.pk).exists() and not export_dir(job.pk).exists()
    assert upload_reserved_bytes(user=owner) == 0


def test_quota_counts_bytes_left_on_disk(project, owner, settings) -> None:
    upload = _upload_with_bytes(project, owner, b"q" * 1000)
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.FAILED)  # closed, but its file stayed
    assert upload_reserved_bytes(user=owner) == 1000
    upload_part(upload.pk).unlink()
    assert upload_reserved_bytes(user=owner) == 0


def _old(path: Path, seconds: float = 7200) -> Path:
    past = time.time() - seconds
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(item, (past, past), follow_symlinks=False)
    return path


def test_sweep_removes_old_orphans_only(project, owner, media_dir, settings, tmp_path) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    stale_work = _old(_with_file(tmp_path / "annotator-ingest-crashed"))
    busy_work = _with_file(tmp_path / "annotator-ingest-busy")
    image = Image.objects.create(project=project, name="kept.png", kind="raster")
    owned = _old(_with_file(image_dir(image.pk)))
    orphan = _old(_with_file(image_dir(image.pk + 1000)))
    recent_orphan = _with_file(image_dir(image.pk + 2000))  # its row may be committing right now
    export_orphan = _old(_with_file(export_dir(424242)))
    unknown = _old(_with_file(media_dir / "images" / "not-an-id"))
    live = upload_open(project=project, user=owner, filename="live.png", size=10)
    _old(upload_part(live.pk))
    stray_part = upload_part(live.pk + 500)
    stray_part.write_bytes(b"left behind")
    _old(stray_part)
    outside = _old(_with_file(media_dir / "elsewhere"))

    counts = files_sweep(min_age=3600)
    assert counts["folders"] == 2 and counts["parts"] == 1 and counts["workspaces"] == 1 and counts["unknown"] >= 1
    assert not stale_work.exists() and busy_work.exists()
    assert owned.exists() and recent_orphan.exists() and unknown.exists() and outside.exists()
    assert upload_part(live.pk).exists()
    assert not orphan.exists() and not export_orphan.exists() and not stray_part.exists()
    assert files_sweep(min_age=3600)["folders"] == 0


def _with_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "file.bin").write_bytes(b"x")
    return folder
