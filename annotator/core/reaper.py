"""Fail jobs whose worker died: images stuck in processing and exports stuck running past their time limit."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from annotator.exports.models import ExportJob, ExportStatus
from annotator.imaging.models import Image, ImageStatus

IMAGE_MESSAGE = "Processing was interrupted (the worker stopped); re-process the image to try again."
EXPORT_MESSAGE = "The export was interrupted (the worker stopped); request it again."


def jobs_reap() -> dict[str, int]:
    """Mark as failed every job that has run longer than its task's hard time limit; return the counts."""
    now = timezone.now()
    image_cutoff = now - timedelta(seconds=settings.ANNOTATOR_IMAGE_TASK_LIMIT + settings.ANNOTATOR_REAP_GRACE)
    export_cutoff = now - timedelta(seconds=settings.ANNOTATOR_EXPORT_TASK_LIMIT + settings.ANNOTATOR_REAP_GRACE)
    images = Image.objects.filter(status=ImageStatus.PROCESSING, updated_at__lt=image_cutoff).update(
        status=ImageStatus.FAILED, error=IMAGE_MESSAGE, updated_at=now
    )
    exports = ExportJob.objects.filter(status=ExportStatus.RUNNING, started_at__lt=export_cutoff).update(
        status=ExportStatus.FAILED, error=EXPORT_MESSAGE, finished_at=now
    )
    return {"images": images, "exports": exports}
