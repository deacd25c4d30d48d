"""Celery tasks of imaging: each takes an id and calls one service."""

from django.conf import settings

from annotator.core.jobs import job_task
from annotator.imaging.processing import image_process


@job_task(limit=settings.ANNOTATOR_IMAGE_TASK_LIMIT, grace=300)
def process_image(image_id: int) -> None:
    """Build tiles and thumbnail for one image (retried when the database is briefly unreachable)."""
    image_process(image_id=image_id)
