"""Image processing on a worker: from the stored original to frame 0's tile pyramid and a thumbnail.

Other frames of a multi-frame image are tiled on first request (render.frame_pyramid), so a 300-slice
volume costs one pyramid at ingest instead of 300.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pyvips
from django.conf import settings
from django.utils import timezone

from annotator.core.errors import RejectedFile
from annotator.core.storage import image_dir
from annotator.imaging.models import Image, ImageStatus, TileFormat
from annotator.imaging.sources import open_source
from annotator.imaging.sources.volume import WORKING_COPY
from annotator.imaging.tiles import container, pyramid

logger = logging.getLogger(__name__)

SERIES_EXT = "series"  # imaging/ingest.py stores a DICOM series as series/<n>.dcm, file n being frame n
SERIES_DIR = "series"
LEGACY = ("tiles_files", "tiles.dzi")  # the per-file layout of earlier versions


def original_path(image: Image) -> Path:
    """Where an image's stored (de-identified) original lives: a file, or the folder of a DICOM series."""
    if image.original_ext == SERIES_EXT:
        return image_dir(image.pk) / SERIES_DIR
    return image_dir(image.pk) / f"original.{image.original_ext}"


def thumbnail_path(image: Image) -> Path:
    """Where an image's thumbnail lives."""
    ext = "png" if image.tile_format == TileFormat.PNG else "jpg"
    return image_dir(image.pk) / f"thumbnail.{ext}"


def image_process(*, image_id: int) -> None:
    """Build the tile pyramid and thumbnail of an image; safe to run twice; failures are recorded."""
    updated = (
        Image.objects.filter(pk=image_id)
        .exclude(status__in=(ImageStatus.READY, ImageStatus.HELD))
        .update(status=ImageStatus.PROCESSING, error="", updated_at=timezone.now())
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


def clear_derivatives(folder: Path) -> None:
    """Remove everything processing or a tile request derived from the original."""
    container.remove(folder, pyramid.FRAME0)
    shutil.rmtree(folder / pyramid.FRAMES_DIR, ignore_errors=True)
    shutil.rmtree(folder / LEGACY[0], ignore_errors=True)
    for stale in (folder / LEGACY[1], folder / WORKING_COPY, *folder.glob("thumbnail.*")):
        stale.unlink(missing_ok=True)


def _build_derivatives(image: Image) -> None:
    folder = image_dir(image.pk)
    clear_derivatives(folder)
    with open_source(original_path(image), stored=image.metadata) as source:
        source.check_size(settings.ANNOTATOR_MAX_IMAGE_PIXELS)
        facts = source.analyse()
        image.tile_format = source.tile_format
        frame0 = pyramid.write_frame(source.frame_image(0), folder, 0, tile_format=source.tile_format)
        if source.frames == 1:
            thumbnail = pyramid.thumbnail_from_pyramid(frame0)
        else:  # a volume's first slice is often empty; its middle one shows what it holds
            thumbnail = source.frame_image(source.frames // 2)
        pyramid.write_thumbnail(thumbnail, thumbnail_path(image))
    metadata = {**(image.metadata or {}), **{key: value for key, value in facts.items() if value is not None}}
    held = metadata.get("hold_reason") and not metadata.get("released_by")  # burned-in text? a manager looks first
    Image.objects.filter(pk=image.pk).update(
        status=ImageStatus.HELD if held else ImageStatus.READY,
        kind=source.kind,
        width=source.width,
        height=source.height,
        frames=source.frames,
        tile_format=source.tile_format,
        metadata=metadata,
        processed_at=timezone.now(),
        error="",
    )
