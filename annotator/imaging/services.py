"""Image ingest: accept uploads, store them safely, turn them into tiles and thumbnails."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyvips
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from annotator.core.errors import RejectedFile
from annotator.core.storage import ensure_dir, image_dir, remove_tree
from annotator.imaging.dicom import read as dicom_read
from annotator.imaging.dicom.deidentify import deidentify, pseudonym
from annotator.imaging.models import Image, ImageKind, ImageStatus, TileFormat
from annotator.imaging.sniff import HEAD_BYTES, sniff
from annotator.imaging.tiles import pyramid
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


def original_path(image: Image) -> Path:
    """Where an image's stored (de-identified) original lives."""
    return image_dir(image.pk) / f"original.{image.original_ext}"


def thumbnail_path(image: Image) -> Path:
    """Where an image's thumbnail lives."""
    ext = "png" if image.tile_format == TileFormat.PNG else "jpg"
    return image_dir(image.pk) / f"thumbnail.{ext}"


def image_process(*, image_id: int) -> None:
    """Build the tile pyramid and thumbnail of an image; safe to run twice; failures are recorded."""
    updated = (
        Image.objects.filter(pk=image_id)
        .exclude(status=ImageStatus.READY)
        .update(status=ImageStatus.PROCESSING, error="")
    )
    if not updated:
        return
    image = Image.objects.get(pk=image_id)
    try:
        _build_derivatives(image)
    except RejectedFile as exc:
        _fail(image_id, exc.detail)
    except pyvips.Error as exc:
        logger.warning("image %s failed in libvips: %s", image_id, exc)
        _fail(image_id, "the image data cannot be decoded; the file may be truncated or corrupt")
    except Exception:
        logger.exception("image %s failed unexpectedly", image_id)
        _fail(image_id, "processing failed unexpectedly; an administrator can re-process it")
        raise


def _fail(image_id: int, detail: str) -> None:
    Image.objects.filter(pk=image_id).update(status=ImageStatus.FAILED, error=detail, processed_at=timezone.now())


def _build_derivatives(image: Image) -> None:
    folder = image_dir(image.pk)
    for stale in ("tiles_files",):
        shutil.rmtree(folder / stale, ignore_errors=True)
    for stale_file in folder.glob("thumbnail.*"):
        stale_file.unlink()
    source = original_path(image)
    if image.kind == ImageKind.DICOM:
        dataset = dicom_read.read_dataset(source)
        vimage = pyramid.from_array(dicom_read.display_frame(dataset, 0))
        frames = dicom_read.frame_count(dataset)
        image.tile_format = TileFormat.PNG
    else:
        vimage = pyramid.open_raster(source)
        frames = 1
        image.tile_format = TileFormat.PNG if vimage.hasalpha() else TileFormat.JPEG
    if vimage.width * vimage.height > settings.ANNOTATOR_MAX_IMAGE_PIXELS:
        raise RejectedFile(
            f"the image is {vimage.width} × {vimage.height} pixels, above the configured limit",
            code="image_too_large",
        )
    pyramid.write_pyramid(vimage, folder, tile_format=image.tile_format)
    thumb_source = vimage if image.kind == ImageKind.DICOM else pyramid.open_raster(source)
    pyramid.write_thumbnail(thumb_source, thumbnail_path(image))
    Image.objects.filter(pk=image.pk).update(
        status=ImageStatus.READY,
        width=vimage.width,
        height=vimage.height,
        frames=frames,
        tile_format=image.tile_format,
        processed_at=timezone.now(),
        error="",
    )


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
