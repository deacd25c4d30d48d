"""Celery tasks of exports: each takes an id and calls one service."""

from django.conf import settings

from annotator.core.jobs import job_task
from annotator.exports.services import export_run


@job_task(limit=settings.ANNOTATOR_EXPORT_TASK_LIMIT)
def run_export(job_id: int) -> None:
    """Build one export zip (retried when the database is briefly unreachable)."""
    export_run(job_id=job_id)
