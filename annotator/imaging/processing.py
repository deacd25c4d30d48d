"""Image processing on a worker: from the stored original to a thumbnail and, for a large image, frame 0's pyramid.

Other frames of a multi-frame image, and frame 0 of a small one, are tiled on first request
(render.frame_pyramid), so a 300-slice volume costs no pyramid at ingest instead of 300.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyvips
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from django.db.models import F
from django.utils import timezone

from annotator.core.errors import RejectedFile
from annotator.core.jobs import heartbeat, release, run_of
from annotator.core.storage import image_dir, store
from annotator.imaging.dicom.wsi import WSI_DIR
from annotator.imaging.mirax import STORED_DIR as MIRAX_DIR
from annotator.imaging.models import Image, ImageStatus
from annotator.imaging.sources import open_source
from annotator.imaging.sources.volume import WORKING_COPY
from annotator.imaging.tiles import container, pyramid

logger = logging.getLogger(__name__)

SERIES_EXT = "series"  # imaging/ingest.py stores a DICOM series as series/<n>.dcm, file n being frame n
SERIES_DIR = "series"
LEGACY = ("tiles_files", "tiles.dzi")  # the per-file layout of earlier versions


FOLDER_EXTS = frozenset({SERIES_EXT, WSI_DIR, MIRAX_DIR})  # originals stored as a folder named like their ext


THUMBNAIL = "thumbnail.jpg"


def original_path(image: Image) -> Path:
    """Where an image's stored (de-identified) original lives: a file, or the folder of a DICOM series or slide."""
    if image.original_ext in FOLDER_EXTS:
        return image_dir(image.pk) / image.original_ext
    return image_dir(image.pk) / f"original.{image.original_ext}"


def thumbnail_path(image: Image) -> Path:
    """Where an image's thumbnail lives: a JPEG for every image (a preview, never read for diagnosis)."""
    folder = image_dir(image.pk)
    current = folder / THUMBNAIL
    legacy = folder / "thumbnail.png"  # versions before 2026-11-26 wrote PNG thumbnails of PNG-tiled images
    return legacy if not current.exists() and legacy.exists() else current


def image_process(*, image_id: int) -> None:
    """Build the tile pyramid and thumbnail of a pending image; failures are recorded.

    Only a pending image is claimed, so a second delivery of the task (an outbox re-send, a broker
    redelivery) finds it processing, ready or failed and does nothing; the reaper turns an image whose
    worker died back into a pending one.
    """
    now = timezone.now()
    claimed = Image.objects.filter(pk=image_id, status=ImageStatus.PENDING).update(
        status=ImageStatus.PROCESSING, error="", updated_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return
    image = Image.objects.get(pk=image_id)
    run = run_of(image, ImageStatus.PROCESSING)
    try:
        with heartbeat(model=Image, run=run):
            _build_derivatives(image, run)
    except SoftTimeLimitExceeded:
        minutes = settings.ANNOTATOR_IMAGE_TASK_LIMIT // 60
        _fail(run, f"processing took longer than the limit of {minutes} minutes and was stopped")
    except RejectedFile as exc:
        _fail(run, exc.detail)
    except pyvips.Error as exc:
        logger.warning("image %s failed in libvips: %s", image_id, exc)
        _fail(run, "the image data cannot be decoded; the file may be truncated or corrupt")
    except OperationalError:  # the database went away: hand the image back; the task's autoretry runs it again
        release(Image, run, ImageStatus.PENDING)
        raise
    except Exception:
        logger.exception("image %s failed unexpectedly", image_id)
        _fail(run, "processing failed unexpectedly; an administrator can re-process it")
        raise
    finally:
        store().release(image_dir(image_id))  # with an object store: this worker's scratch copy is done with


def _fail(run: dict[str, Any], detail: str) -> None:
    Image.objects.filter(**run).update(status=ImageStatus.FAILED, error=detail, processed_at=timezone.now())


def clear_derivatives(folder: Path) -> None:
    """Remove everything processing or a tile request derived from the original (stored copies too)."""
    container.remove(folder, pyramid.FRAME0)
    shutil.rmtree(folder / pyramid.FRAMES_DIR, ignore_errors=True)
    shutil.rmtree(folder / LEGACY[0], ignore_errors=True)
    for stale in (folder / LEGACY[1], folder / WORKING_COPY, *folder.glob("thumbnail.*")):
        stale.unlink(missing_ok=True)
    if store().remote:
        for path in (folder / pyramid.FRAMES_DIR, folder / THUMBNAIL):
            store().delete(path)


def _build_derivatives(image: Image, run: dict[str, Any]) -> None:
    folder = image_dir(image.pk)
    clear_derivatives(folder)
    with open_source(store().fetch(original_path(image)), stored=image.metadata) as source:
        source.check_size(settings.ANNOTATOR_MAX_IMAGE_PIXELS)
        facts = source.analyse()
        source.verify()
        image.tile_format = source.tile_format
        frame0 = None
        if pyramid.built_at_ingest(source.width, source.height):
            frame0 = pyramid.write_frame(source.frame_image(0), folder, 0, tile_format=source.tile_format)
        shown = source.frames // 2  # a volume's first slice is often empty; its middle one shows what it holds
        if frame0 is not None and source.frames == 1:  # a slide's thumbnail: from a small level, not the original
            thumbnail: pyvips.Image | np.ndarray = pyramid.thumbnail_from_pyramid(frame0)
        else:
            array = source.frame_array(shown)
            thumbnail = array if array is not None else source.frame_image(shown)
        pyramid.write_thumbnail(thumbnail, folder / THUMBNAIL)
    store().publish(folder / THUMBNAIL)  # the frame-0 pyramid published itself (container.write)
    metadata = {**(image.metadata or {}), **{key: value for key, value in facts.items() if value is not None}}
    held = metadata.get("hold_reason") and not metadata.get("released_by")  # burned-in text? a manager looks first
    finished = Image.objects.filter(**run).update(
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
    if not finished and not Image.objects.filter(pk=image.pk).exists():  # deleted while we worked: leave no files
        store().delete(folder)
