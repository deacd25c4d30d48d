"""Periodic housekeeping tasks (run by beat), and the same recovery once at every worker start."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from annotator.core.outbox import outbox_prune, outbox_relay
from annotator.core.reaper import jobs_reap
from annotator.core.sweep import files_sweep

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def reap_jobs() -> dict[str, dict[str, int]]:
    """Re-queue or fail jobs whose worker died."""
    return jobs_reap()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def relay_outbox() -> int:
    """Send tasks that waited in the outbox (a broker outage, a web process that died after its commit)."""
    return outbox_relay()


@shared_task(acks_late=True, time_limit=6 * 60 * 60, soft_time_limit=6 * 60 * 60 - 300)
def sweep_files() -> dict[str, int]:
    """Remove files no row owns, and sent outbox rows older than a week."""
    return {**files_sweep(), "outbox_pruned": outbox_prune()}


@worker_ready.connect
def _recover_at_start(**_: Any) -> None:
    """A worker that starts (after a crash, say) sends what waits and re-queues jobs of dead workers at once."""
    try:
        logger.info("startup recovery: %s jobs, %s tasks relayed", jobs_reap(), outbox_relay())
    except Exception:  # never keep a worker from starting; beat's runs retry
        logger.exception("startup recovery failed")
