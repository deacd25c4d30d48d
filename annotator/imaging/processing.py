"""Image processing on a worker: from the stored original to a tile pyramid and a thumbnail."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pyvips
from django.conf import settings
from django.utils import timezone

from annotator.core.errors import RejectedFile
from annotator.core.storage import image_dir
from annotator.imaging.dicom import read as dicom_read
from annotator.imaging.models import Image, ImageKind, ImageStatus, TileFormat
from annotator.imaging.tiles import pyramid

logger = logging.getLogger(__name__)


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
