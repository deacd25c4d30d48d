"""Celery tasks of imports: each takes an id and calls one service."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from annotator.imports.services import import_run

LIMIT = settings.ANNOTATOR_IMPORT_TASK_LIMIT


@shared_task(
    acks_late=True,
    time_limit=LIMIT,
    soft_time_limit=LIMIT - 60,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
)
def run_import(job_id: int) -> None:
    """Turn one uploaded file's annotations into pre-labels (retried when the database is briefly unreachable)."""
    import_run(job_id=job_id)
