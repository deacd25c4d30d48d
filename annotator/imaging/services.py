"""Image ingest: accept uploads, store them safely, queue their processing; delete and re-process."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from annotator.core.errors import Conflict
from annotator.core.storage import image_dir, store
from annotator.imaging import ingest
from annotator.imaging.ingest import UploadResult
from annotator.imaging.models import Image, ImageStatus
from annotator.projects.models import Project

logger = logging.getLogger(__name__)


def image_upload(
    *, project: Project, user: AbstractBaseUser | None, files: Iterable[UploadedFile], site: str = ""
) -> UploadResult:
    """Store each file (or zip of files) as pending images and queue their processing; bad files alone fail."""
    result = UploadResult()
    with ingest.workspace() as work:
        incoming = []
        for upload in files:
            problem = ingest.name_problem(upload.name)
            if problem is not None:
                result.reject(ingest.display_name(upload.name), *problem)
                continue
            name = ingest.clean_name(upload.name)
            if upload.size is not None and upload.size > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
                result.reject(
                    name,
                    f"the file is {upload.size} bytes, above the limit of {settings.ANNOTATOR_MAX_UPLOAD_BYTES}",
                    "file_too_large",
                )
                continue
            if not upload.size:
                result.reject(name, "the file is empty", "empty_file")
                continue
            incoming.append(ingest.Incoming(name, _local_copy(upload, work)))
        ingest.ingest(project=project, user=user, files=ingest.expand(incoming, work, result), site=site, result=result)
    return result


def _local_copy(upload: UploadedFile, work: Path) -> Path:
    """A path to the upload's bytes: Django's own temporary file when it made one, else a copy in work."""
    if hasattr(upload, "temporary_file_path"):
        return Path(upload.temporary_file_path())
    with tempfile.NamedTemporaryFile(dir=work, prefix="upload-", delete=False) as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return Path(out.name)


def image_delete(*, image: Image) -> None:
    """Delete an image, its annotations and its files."""
    folder = image_dir(image.pk)
    image.delete()
    transaction.on_commit(lambda: store().delete(folder))


def image_reprocess(*, image_id: int) -> None:
    """Queue an image to be processed again from its stored original (a stuck or failed one, or after fixes)."""
    with transaction.atomic():
        Image.objects.filter(pk=image_id).update(
            status=ImageStatus.PENDING, error="", updated_at=timezone.now(), heartbeat_at=None, attempts=0
        )
        ingest.enqueue(image_id)


def image_release(*, image_id: int, user: AbstractBaseUser) -> Image:
    """A manager looked for burned-in identifying text and found none: let annotators see the image."""
    with transaction.atomic():
        image = Image.objects.select_for_update().get(pk=image_id)
        if image.status != ImageStatus.HELD:
            raise Conflict(f"The image is {image.status}; only held images can be released.", code="invalid_state")
        image.status = ImageStatus.READY
        image.metadata = {
            **image.metadata,
            "released_by": user.get_username(),
            "released_at": timezone.now().isoformat(),
        }
        image.save(update_fields=["status", "metadata", "updated_at"])
    return image
