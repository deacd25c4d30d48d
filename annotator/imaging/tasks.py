"""Celery tasks of imaging: each takes an id and calls one service."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from annotator.imaging.processing import image_process

LIMIT = settings.ANNOTATOR_IMAGE_TASK_LIMIT


@shared_task(
    acks_late=True,
    time_limit=LIMIT,
    soft_time_limit=LIMIT - 300,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
)
def process_image(image_id: int) -> None:
    """Build tiles and thumbnail for one image (retried when the database is briefly unreachable)."""
    image_process(image_id=image_id)
