"""Celery tasks of exports: each takes an id and calls one service."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from annotator.exports.services import export_run

LIMIT = settings.ANNOTATOR_EXPORT_TASK_LIMIT


@shared_task(
    acks_late=True,
    time_limit=LIMIT,
    soft_time_limit=LIMIT - 60,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
)
def run_export(job_id: int) -> None:
    """Build one export zip (retried when the database is briefly unreachable)."""
    export_run(job_id=job_id)
