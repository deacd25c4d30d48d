"""Periodic housekeeping tasks."""

from celery import shared_task

from annotator.core.reaper import jobs_reap


@shared_task(acks_late=True, time_limit=600)
def reap_jobs() -> dict[str, int]:
    """Fail jobs whose worker died."""
    return jobs_reap()
