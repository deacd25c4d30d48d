"""Recover jobs whose worker died: re-queue them (through the outbox) or, after too many tries, fail them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from annotator.core.jobs import stale_before
from annotator.core.outbox import outbox_enqueue
from annotator.exports.models import ExportJob, ExportStatus
from annotator.imaging.models import Image, ImageStatus
from annotator.imports.models import ImportJob, ImportStatus


@dataclass(frozen=True)
class JobKind:
    """How one kind of job row says it is running, waiting or failed, and which task runs it."""

    key: str
    model: type[models.Model]
    running: str
    waiting: str
    failed: str
    task: str
    limit_setting: str
    started_field: str
    finished_field: str
    what: str


KINDS = (
    JobKind(
        "images",
        Image,
        ImageStatus.PROCESSING,
        ImageStatus.PENDING,
        ImageStatus.FAILED,
        "annotator.imaging.tasks.process_image",
        "ANNOTATOR_IMAGE_TASK_LIMIT",
        "updated_at",
        "processed_at",
        "Processing",
    ),
    JobKind(
        "exports",
        ExportJob,
        ExportStatus.RUNNING,
        ExportStatus.QUEUED,
        ExportStatus.FAILED,
        "annotator.exports.tasks.run_export",
        "ANNOTATOR_EXPORT_TASK_LIMIT",
        "started_at",
        "finished_at",
        "The export",
    ),
    JobKind(
        "imports",
        ImportJob,
        ImportStatus.RUNNING,
        ImportStatus.QUEUED,
        ImportStatus.FAILED,
        "annotator.imports.tasks.run_import",
        "ANNOTATOR_IMPORT_TASK_LIMIT",
        "started_at",
        "finished_at",
        "The import",
    ),
)


def gave_up_message(kind: JobKind, attempts: int) -> str:
    """The reason a job failed after its worker died on every try."""
    again = {"images": "re-process the image", "imports": "import the file again"}.get(
        kind.key, "request the export again"
    )
    return (
        f"{kind.what} stopped {attempts} times because its worker died (crashed, killed or out of memory); "
        f"it was not retried again. An administrator can check the worker's logs, then {again}."
    )


def overtime_message(kind: JobKind) -> str:
    minutes = getattr(settings, kind.limit_setting) // 60
    return f"{kind.what} ran past its time limit of {minutes} minutes and was stopped."


def _reap_kind(kind: JobKind, now: timezone.datetime) -> dict[str, int]:
    stale = stale_before()
    manager = kind.model.objects
    dead = manager.filter(status=kind.running).filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, **{f"{kind.started_field}__lt": stale})
    )
    overtime_cutoff = now - timedelta(seconds=getattr(settings, kind.limit_setting))
    overtime = dead.filter(**{f"{kind.started_field}__lt": overtime_cutoff}).update(
        status=kind.failed, error=overtime_message(kind), **{kind.finished_field: now}
    )
    with transaction.atomic():
        retry = list(
            dead.filter(attempts__lt=settings.ANNOTATOR_JOB_MAX_ATTEMPTS)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        manager.filter(pk__in=retry).update(status=kind.waiting, error="", heartbeat_at=None)
        for pk in retry:
            outbox_enqueue(task=kind.task, args=[pk])
    failed = 0
    for pk, attempts in dead.values_list("pk", "attempts"):  # what is left: out of attempts
        failed += manager.filter(pk=pk, status=kind.running).update(
            status=kind.failed, error=gave_up_message(kind, attempts), **{kind.finished_field: now}
        )
    return {"requeued": len(retry), "failed": failed + overtime}


def jobs_reap() -> dict[str, dict[str, int]]:
    """Re-queue or fail every running job whose heartbeat went stale; return the counts per kind."""
    now = timezone.now()
    return {kind.key: _reap_kind(kind, now) for kind in KINDS}
