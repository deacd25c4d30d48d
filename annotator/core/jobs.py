"""Job leases: a running job's row carries a heartbeat its worker refreshes; a stale one means the worker died."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.db.models import F
from django.utils import timezone


def stale_before() -> datetime:
    """Running jobs whose last heartbeat is older than this have lost their worker."""
    return timezone.now() - timedelta(seconds=settings.ANNOTATOR_HEARTBEAT_STALE_SECONDS)


def _beat_once(model: type[models.Model], run: dict[str, Any]) -> None:
    with transaction.atomic():  # skip a row someone else holds locked: the next beat comes soon enough
        row = model.objects.filter(**run).select_for_update(skip_locked=True).values("pk").first()
        if row is not None:
            model.objects.filter(pk=row["pk"]).update(heartbeat_at=timezone.now())


def run_of(job: models.Model, running: str) -> dict[str, Any]:
    """The filter that matches a job row only while this run owns it: a run the reaper gave up on (its
    worker froze, then woke) no longer matches once the job was claimed again, so it can change nothing."""
    return {"pk": job.pk, "status": running, "attempts": job.attempts}  # type: ignore[attr-defined]


@contextmanager
def heartbeat(*, model: type[models.Model], run: dict[str, Any]) -> Iterator[None]:
    """While the block runs, stamp the run's row with heartbeat_at every ANNOTATOR_HEARTBEAT_SECONDS (a thread)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.ANNOTATOR_HEARTBEAT_SECONDS):
                _beat_once(model, run)
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{run['pk']}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def release(model: type[models.Model], run: dict[str, Any], waiting: str) -> None:
    """Hand a running job back to the queue after a transient failure; if even that fails, the reaper will."""
    try:
        connection.close()  # the broken connection; the next query opens a fresh one
        model.objects.filter(**run).update(status=waiting, heartbeat_at=None)
    except Exception:  # the database is still away: the heartbeat goes stale and the reaper re-queues the job
        return


def claim(model: type[models.Model], job_id: int, *, queued: str, running: str) -> bool:
    """Take a queued job for this run (status running, fresh heartbeat, one more attempt); False when another
    delivery already took it or it has ended, so a re-sent task does nothing."""
    now = timezone.now()
    return bool(
        model.objects.filter(pk=job_id, status=queued).update(
            status=running, started_at=now, heartbeat_at=now, progress=0.0, error="", attempts=F("attempts") + 1
        )
    )


def job_task(*, limit: int, grace: int = 60) -> Any:
    """The Celery options of a long job's task: late acks, a hard limit with a soft one `grace` seconds before it,
    and up to three retries with backoff when the database is briefly unreachable."""
    return shared_task(
        acks_late=True,
        time_limit=limit,
        soft_time_limit=limit - grace,
        autoretry_for=(OperationalError,),
        max_retries=3,
        retry_backoff=True,
    )
