"""Export jobs: request one, run one (snapshot → format → zip with card and checksums)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

import annotator
from annotator.core.errors import ValidationFailed
from annotator.core.jobs import heartbeat, release, run_of
from annotator.core.outbox import outbox_enqueue
from annotator.core.storage import ensure_dir, export_dir, remove_tree
from annotator.exports import package
from annotator.exports.models import ExportJob, ExportStatus
from annotator.exports.registry import ExportContext, available, get_format
from annotator.exports.snapshot import ProjectSnap, take_snapshot
from annotator.exports.splits import assign_splits, validate_split
from annotator.imaging.render import frame_png
from annotator.projects.models import Project

logger = logging.getLogger(__name__)
ZIP_NAME = "export.zip"
RUN_TASK = "annotator.exports.tasks.run_export"
_OPTION_KEYS = {"only_accepted", "include_images", "split"}


def export_options(raw: Any) -> dict[str, Any]:
    """Validate export options and fill defaults."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ValidationFailed("Options must be an object.", errors={"options": ["must be an object"]})
    unknown = sorted(set(raw) - _OPTION_KEYS)
    if unknown:
        raise ValidationFailed(f"Unknown export options: {', '.join(unknown)}.", errors={"options": unknown})
    options: dict[str, Any] = {}
    for flag in ("only_accepted", "include_images"):
        value = raw.get(flag, False)
        if not isinstance(value, bool):
            raise ValidationFailed(f"Option {flag!r} must be true or false.", errors={"options": [flag]})
        options[flag] = value
    if raw.get("split") is not None:
        split = raw["split"]
        if not isinstance(split, dict):
            raise ValidationFailed("Option 'split' must be an object.", errors={"options": ["split"]})
        seed = split.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValidationFailed("Split seed must be an integer.", errors={"options": ["split.seed"]})
        options["split"] = {**validate_split(split), "by": split.get("by", "patient"), "seed": seed}
    return options


def export_request(*, project: Project, user: AbstractBaseUser | None, format: str, options: Any) -> ExportJob:
    """Create a queued export job and enqueue it once the transaction commits."""
    if get_format(format) is None:
        keys = ", ".join(f.key for f in available())
        raise ValidationFailed(f"Unknown export format {format!r}; available: {keys}.", errors={"format": [format]})
    with transaction.atomic():
        job = ExportJob.objects.create(project=project, format=format, options=export_options(options), created_by=user)
        outbox_enqueue(task=RUN_TASK, args=[job.pk])
    return job


def export_zip_path(job: ExportJob) -> Path:
    """Where a finished export's zip lives."""
    return export_dir(job.pk) / ZIP_NAME


def _split_map(snap: ProjectSnap, split: dict[str, Any] | None) -> dict[int, str]:
    if not split:
        return {image.id: "default" for image in snap.images}
    by = split["by"]

    def group(image: Any) -> str:
        if by == "patient":
            return image.patient_ref or f"image-{image.id}"
        return image.site or "unknown" if by == "site" else f"image-{image.id}"

    groups = assign_splits([group(i) for i in snap.images], split, split["seed"])
    return {image.id: groups[group(image)] for image in snap.images}


def export_run(*, job_id: int) -> None:
    """Build the export zip for a queued job; a second delivery finds it taken (or done) and does nothing.

    A job whose worker died is queued again by the reaper, and its re-run rebuilds the same zip.
    """
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        progress=0.0,
        error="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return
    job = ExportJob.objects.get(pk=job_id)
    run = run_of(job, ExportStatus.RUNNING)
    try:
        with heartbeat(model=ExportJob, run=run):
            sha256, size = _build(job)
    except SoftTimeLimitExceeded:
        minutes = settings.ANNOTATOR_EXPORT_TASK_LIMIT // 60
        ExportJob.objects.filter(**run).update(
            status=ExportStatus.FAILED,
            finished_at=timezone.now(),
            error=f"The export took longer than the limit of {minutes} minutes and was stopped.",
        )
        return
    except OperationalError:  # the database went away: hand the job back; the task's autoretry runs it again
        release(ExportJob, run, ExportStatus.QUEUED)
        raise
    except Exception:
        logger.exception("export %s failed", job_id)
        ExportJob.objects.filter(**run).update(
            status=ExportStatus.FAILED,
            finished_at=timezone.now(),
            error="The export failed unexpectedly; try again or ask an administrator to check the logs.",
        )
        raise
    finished = ExportJob.objects.filter(**run).update(
        status=ExportStatus.DONE, progress=1.0, finished_at=timezone.now(), sha256=sha256, size=size
    )
    if not finished and not ExportJob.objects.filter(pk=job_id).exists():  # deleted while we worked
        remove_tree(export_dir(job_id))


def _build(job: ExportJob) -> tuple[str, int]:
    fmt = get_format(job.format)
    assert fmt is not None  # validated at request time
    snap = take_snapshot(
        project_id=job.project_id,
        only_accepted=job.options.get("only_accepted", False),
        dicom_geometry="dicom_geometry" in fmt.needs,
    )
    splits = _split_map(snap, job.options.get("split"))
    folder = ensure_dir(export_dir(job.pk))
    partial = folder / (ZIP_NAME + ".partial")
    out = package.ZipOutput(partial)
    stats = fmt.write(ExportContext(snapshot=snap, options=job.options, splits=splits), out)
    image_files = stats.pop("image_files", [])
    if job.options.get("include_images"):
        _write_images(out, snap, image_files)
    ExportJob.objects.filter(pk=job.pk).update(progress=0.9)
    package.write_card(out, _card(job, snap, splits, stats))
    out.close()
    final = export_zip_path(job)
    partial.replace(final)
    return package.file_digest(final)


def _write_images(out: package.ZipOutput, snap: ProjectSnap, files: list[tuple[str, int, int]]) -> None:
    """Each listed file: the original itself when the format named it with the original's extension, else the
    frame rendered to PNG as it is displayed."""
    by_id = {image.id: image for image in snap.images}
    for name, image_id, frame in files:
        image = by_id[image_id]
        if image.kind != "dicom" and image.frames == 1 and name.endswith(f".{image.original_ext}"):
            out.write_file(name, str(image.original))
        else:
            out.write_bytes(name, frame_png(original=image.original, kind=image.kind, frame=frame))


def _card(job: ExportJob, snap: ProjectSnap, splits: dict[int, str], stats: dict[str, Any]) -> dict[str, Any]:
    """The dataset card; a format's "notes" (its conventions, in sentences) and "details" (e.g. class ids)
    get their own sections, the rest of its stats are counts."""
    stats = dict(stats)
    notes, details = stats.pop("notes", []), stats.pop("details", {})
    split_counts: dict[str, int] = {}
    for name in splits.values():
        split_counts[name] = split_counts.get(name, 0) + 1
    return {
        "export_id": job.pk,
        "format": job.format,
        "options": job.options,
        "exported_at": snap.taken_at,
        "software": {"name": "annotator", "version": annotator.__version__},
        "project": {"id": snap.id, "name": snap.name, "description": snap.description},
        "labels": [{"id": lb.id, "name": lb.name, "kind": lb.kind, "color": lb.color} for lb in snap.labels],
        "counts": {**stats, "images": len(snap.images)},
        "format_notes": list(notes),
        "format_details": details,
        "split_counts": split_counts,
        "images": [
            {"id": i.id, "name": i.name, "patient_ref": i.patient_ref, "site": i.site, "split": splits[i.id]}
            for i in snap.images
        ],
    }
