"""Celery tasks of exports: each takes an id and calls one service."""

from celery import shared_task

from annotator.exports.services import export_run


@shared_task(acks_late=True, time_limit=4 * 60 * 60, soft_time_limit=4 * 60 * 60 - 60)
def run_export(job_id: int) -> None:
    """Build one export zip."""
    export_run(job_id=job_id)
