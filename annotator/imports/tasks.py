"""Celery tasks of imports: each takes an id and calls one service."""

from django.conf import settings

from annotator.core.jobs import job_task
from annotator.imports.services import import_run


@job_task(limit=settings.ANNOTATOR_IMPORT_TASK_LIMIT)
def run_import(job_id: int) -> None:
    """Turn one uploaded file's annotations into pre-labels (retried when the database is briefly unreachable)."""
    import_run(job_id=job_id)
