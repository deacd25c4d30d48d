"""The transactional outbox: tasks are rows first, sent to the broker after commit and re-sent until it takes them.

`outbox_enqueue` writes the row inside the caller's transaction and, once that commits, tries to send
it at once. When the broker is down the row waits (the request still succeeds); `outbox_relay` — run
by beat every few seconds, at every worker start and after every later commit — sends what waits.
A relay claims rows for a short lease (`SKIP LOCKED`), so several relays never send the same row at
once, and a relay that dies mid-send only delays it. A row can still be sent twice (sent, then the
relay died before stamping it): every task is idempotent, so the second run finds its job taken or done.
"""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotator.core.models import OutboxTask

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # a relay that claimed rows and died releases them after this
BATCH = 200


def outbox_enqueue(*, task: str, args: list[Any]) -> OutboxTask:
    """Record a task to run once the current transaction commits (call inside the job row's transaction)."""
    row = OutboxTask.objects.create(task=task, args=args)
    transaction.on_commit(lambda: outbox_relay(ids=[row.pk]))
    return row


def _task(name: str) -> Any:
    """The Celery task of a dotted name ("annotator.imaging.tasks.process_image"), imported on demand."""
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _claim(ids: list[int] | None, limit: int) -> list[OutboxTask]:
    now = timezone.now()
    with transaction.atomic():
        waiting = OutboxTask.objects.filter(sent_at__isnull=True).exclude(claimed_until__gt=now)
        if ids is not None:
            waiting = waiting.filter(pk__in=ids)
        rows = list(waiting.select_for_update(skip_locked=True).order_by("id")[:limit])
        OutboxTask.objects.filter(pk__in=[row.pk for row in rows]).update(claimed_until=now + LEASE)
    return rows


def outbox_relay(*, ids: list[int] | None = None, limit: int = BATCH) -> int:
    """Send waiting tasks (these ids, or the oldest `limit`) to the broker; stop at the first failure.

    Returns how many were sent. Never raises for a broker outage: the rows wait for the next relay.
    """
    sent = 0
    rows = _claim(ids, limit)
    for index, row in enumerate(rows):
        try:
            _task(row.task).apply_async(args=row.args, retry=False)
        except Exception as exc:  # the broker is unreachable: leave this row and the rest for the next relay
            logger.warning("outbox: %s not sent (%s); it waits for the next relay", row, exc)
            OutboxTask.objects.filter(pk__in=[r.pk for r in rows[index:]]).update(
                claimed_until=None, attempts=F("attempts") + 1, last_error=str(exc)[:1000]
            )
            return sent
        OutboxTask.objects.filter(pk=row.pk).update(sent_at=timezone.now(), claimed_until=None)
        sent += 1
    if ids is not None and sent:  # the broker answers again: send whatever waited from an outage too
        sent += outbox_relay(limit=limit) if OutboxTask.objects.filter(sent_at__isnull=True).exists() else 0
    return sent


def outbox_prune(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete sent rows older than the given age; return how many."""
    deleted, _ = OutboxTask.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted
