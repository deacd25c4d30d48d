"""Celery tasks of uploads."""

from celery import shared_task

from annotator.uploads.services import uploads_reap


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def reap_uploads() -> int:
    """Abort expired uploads and free their disk space."""
    return uploads_reap()
