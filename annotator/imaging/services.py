"""Image ingest: accept uploads, store them safely, queue their processing; delete and re-process."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from annotator.core.errors import RejectedFile
from annotator.core.storage import ensure_dir, image_dir, remove_tree
from annotator.imaging.dicom import read as dicom_read
from annotator.imaging.dicom.deidentify import deidentify, pseudonym
from annotator.imaging.models import Image, ImageKind, ImageStatus
from annotator.imaging.sniff import HEAD_BYTES, sniff
from annotator.projects.models import Project

logger = logging.getLogger(__name__)


@dataclass
class UploadResult:
    images: list[Image] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)


def clean_name(raw: str | None) -> str:
    """A display name from a client filename: last path part, printable, at most 255 chars."""
    base = re.split(r"[\\/]", raw or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or "unnamed"


def image_upload(
    *, project: Project, user: AbstractBaseUser | None, files: Iterable[UploadedFile], site: str = ""
) -> UploadResult:
    """Store each file as a pending image and queue its processing; bad files are rejected alone."""
    result = UploadResult()
    for upload in files:
        name = clean_name(upload.name)
        try:
            result.images.append(_ingest_one(project=project, user=user, upload=upload, name=name, site=site))
        except RejectedFile as exc:
            result.rejected.append({"filename": name, "detail": exc.detail, "code": exc.code})
    return result


def _ingest_one(
    *, project: Project, user: AbstractBaseUser | None, upload: UploadedFile, name: str, site: str
) -> Image:
    if upload.size is not None and upload.size > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
        raise RejectedFile(
            f"the file is {upload.size} bytes, above the limit of {settings.ANNOTATOR_MAX_UPLOAD_BYTES}",
            code="file_too_large",
        )
    upload.seek(0)
    sniffed = sniff(upload.read(HEAD_BYTES))
    upload.seek(0)
    dataset = None
    metadata: dict = {}
    if sniffed.kind == ImageKind.DICOM:
        dataset = dicom_read.read_dataset(upload.file)
        if project.deidentify:
            patient_ref = deidentify(dataset, key=project.pseudonym_key)
        else:
            patient_ref = pseudonym(project.pseudonym_key, str(dataset.get("PatientID", "")))
        metadata = dicom_read.metadata(dataset, patient_ref=patient_ref)
    with transaction.atomic():
        image = Image.objects.create(
            project=project,
            name=name,
            kind=sniffed.kind,
            original_ext=sniffed.ext,
            site=site[:100],
            uploaded_by=user,
            metadata=metadata,
            frames=dicom_read.frame_count(dataset) if dataset is not None else 1,
        )
        folder = ensure_dir(image_dir(image.pk))
        try:
            target = folder / f"original.{sniffed.ext}"
            if dataset is not None:
                dicom_read.write_dataset(dataset, target)
            else:
                with target.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
        except Exception:
            remove_tree(folder)
            raise
        transaction.on_commit(lambda: _enqueue_processing(image.pk))
    return image


def _enqueue_processing(image_id: int) -> None:
    from annotator.imaging.tasks import process_image

    process_image.delay(image_id)


def image_delete(*, image: Image) -> None:
    """Delete an image, its annotations and its files."""
    folder = image_dir(image.pk)
    image.delete()
    transaction.on_commit(lambda: remove_tree(folder))


def image_reprocess(*, image_id: int) -> None:
    """Queue an image to be processed again from its stored original."""
    with transaction.atomic():
        Image.objects.filter(pk=image_id).update(status=ImageStatus.PENDING, error="")
        transaction.on_commit(lambda: _enqueue_processing(image_id))
