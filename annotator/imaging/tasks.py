"""Celery tasks of imaging: each takes an id and calls one service."""

from celery import shared_task

from annotator.imaging.processing import image_process


@shared_task(acks_late=True, time_limit=60 * 60, soft_time_limit=55 * 60)
def process_image(image_id: int) -> None:
    """Build tiles and thumbnail for one image."""
    image_process(image_id=image_id)
