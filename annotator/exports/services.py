"""Export jobs: request one, run one (snapshot → format → zip with card and checksums)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError, transaction
from django.utils import timezone

import annotator
from annotator.core.errors import Conflict, NotFound, ValidationFailed
from annotator.core.jobs import claim, heartbeat, release, run_of
from annotator.core.outbox import outbox_enqueue
from annotator.core.storage import ensure_dir, export_dir, image_dir, store
from annotator.exports import package
from annotator.exports.cohort import ImageFacts, Shared, image_facts, splits_summary
from annotator.exports.models import ExportJob, ExportStatus
from annotator.exports.registry import ExportContext, available, get_format
from annotator.exports.snapshot import (
    ImageSnap,
    ImageSource,
    ProjectSnap,
    take_snapshot,
    with_dicom_geometry,
    without_shapes,
)
from annotator.exports.splits import SplitItem, SplitPlan, most_common, plan_splits, validate_split
from annotator.exports.versions import version_get, version_snapshot
from annotator.imaging.render import frame_png
from annotator.projects.models import Project

logger = logging.getLogger(__name__)
ZIP_NAME = "export.zip"
RUN_TASK = "annotator.exports.tasks.run_export"
_OPTION_KEYS = {"only_accepted", "include_images", "split", "version", "frames"}
FRAMES = ("all", "annotated")


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
        options["split"] = validate_split(split)
    if raw.get("frames") is not None:
        if raw["frames"] not in FRAMES:
            raise ValidationFailed("Option 'frames' must be all or annotated.", errors={"options": ["frames"]})
        options["frames"] = raw["frames"]
    if raw.get("version") is not None:
        if isinstance(raw["version"], bool) or not isinstance(raw["version"], int):
            raise ValidationFailed("Option 'version' must be a version id.", errors={"options": ["version"]})
        options["version"] = raw["version"]
    return options


def export_request(*, project: Project, user: AbstractBaseUser | None, format: str, options: Any) -> ExportJob:
    """Create a queued export job and enqueue it once the transaction commits."""
    if get_format(format) is None:
        keys = ", ".join(f.key for f in available())
        raise ValidationFailed(f"Unknown export format {format!r}; available: {keys}.", errors={"format": [format]})
    options = export_options(options)
    if "version" in options:
        try:
            version_get(project_id=project.pk, version_id=options["version"])
        except NotFound as exc:
            raise ValidationFailed(exc.detail, errors={"options": ["version"]}) from exc
    with transaction.atomic():
        job = ExportJob.objects.create(project=project, format=format, options=options, created_by=user)
        outbox_enqueue(task=RUN_TASK, args=[job.pk])
    return job


def export_zip_path(job: ExportJob) -> Path:
    """Where a finished export's zip lives."""
    return export_dir(job.pk) / ZIP_NAME


@dataclass(frozen=True)
class Survey:
    """One pass over the snapshot: what the split and the card need of each image (in snapshot order), compact:
    memory per image is a few hundred bytes, not the image and its annotations."""

    items: list[SplitItem]
    facts: list[ImageFacts]


def survey(snap: ProjectSnap) -> Survey:
    """In one pass: what the split needs of each image (patient, site, its most frequent label as the stratum)
    and the card's facts of it and its annotations."""
    items, facts = [], []
    shared = Shared()
    for image in without_shapes(snap.images):
        fact = image_facts(image, shared)
        facts.append(fact)
        top = most_common(ann.label_id for ann in image.annotations)
        stratum = shared(f"label-{top}") if top else ""
        items.append(SplitItem(image_id=image.id, patient=fact.patient_ref, site=fact.site, stratum=stratum))
    return Survey(items=items, facts=facts)


def export_cancel(*, job: ExportJob) -> ExportJob:
    """Stop a queued or running export: it ends `cancelled`, and a run still at work finishes nothing."""
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job.pk)
        if current.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            raise Conflict(f"The export is {current.status}; only a queued or running one can be cancelled.")
        current.status, current.finished_at = ExportStatus.CANCELLED, timezone.now()
        current.save(update_fields=["status", "finished_at"])
    return current


def export_run(*, job_id: int) -> None:
    """Build the export zip for a queued job; a second delivery finds it taken (or done) and does nothing.

    A job whose worker died is queued again by the reaper, and its re-run rebuilds the same zip.
    """
    if not claim(ExportJob, job_id, queued=ExportStatus.QUEUED, running=ExportStatus.RUNNING):
        return
    job = ExportJob.objects.get(pk=job_id)
    run = run_of(job, ExportStatus.RUNNING)
    try:
        with heartbeat(model=ExportJob, run=run), fewer_collections():
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
    live = ExportJob.objects.filter(pk=job_id).exclude(status=ExportStatus.CANCELLED)
    if not finished and not live.exists():  # deleted or cancelled while we worked: keep no zip
        store().delete(export_dir(job_id))


GC_THRESHOLD = 10_000  # allocations between young collections while an export runs (Python's default: 700)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """While an export runs, the objects already alive (Django, the app) are frozen out of the garbage
    collector's full passes and young collections run less often: the export's own objects (per row, per image)
    made the collector's passes ~14% of an export's time, growing with the project. Restored after."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _build(job: ExportJob) -> tuple[str, int]:
    fmt = get_format(job.format)
    assert fmt is not None  # validated at request time
    if fmt.needs or job.options.get("include_images"):
        _fetch_originals(job.project_id)
    snap = _snapshot(job)
    seen = survey(snap)
    plan = plan_splits(seen.items, job.options.get("split"))
    seen.items.clear()  # planned: what is left per image is its split and the card's facts
    folder = ensure_dir(export_dir(job.pk))
    partial = folder / (ZIP_NAME + ".partial")
    out = package.ZipOutput(partial)
    source = with_dicom_geometry(snap) if "dicom_geometry" in fmt.needs else snap
    stats = fmt.write(ExportContext(snapshot=source, options=job.options, splits=plan.splits, folds=plan.folds), out)
    image_files = stats.pop("image_files", [])
    if job.options.get("include_images"):
        missing = _write_images(out, snap.images, image_files)
        if missing:  # a version can name images deleted since
            stats["notes"] = [*stats.get("notes", []), f"Image files missing from storage, not written: {missing}."]
    ExportJob.objects.filter(pk=job.pk).update(progress=0.9)
    package.write_card(out, _card(job, snap, seen, plan, stats))
    out.close()
    final = export_zip_path(job)
    partial.replace(final)
    digest = package.file_digest(final)
    _store_zip(job)
    return digest


def _fetch_originals(project_id: int) -> None:
    """With an object store, bring the project's originals into this worker's scratch for formats that read them."""
    from annotator.imaging.models import Image
    from annotator.imaging.processing import original_path

    if store().remote:
        for image in Image.objects.filter(project_id=project_id).only("pk", "original_ext").iterator():
            store().fetch(original_path(image))


def _store_zip(job: ExportJob) -> None:
    """Put the finished zip in the store and drop this worker's scratch copies (a no-op with local files)."""
    files = store()
    if not files.remote:
        return
    files.publish(export_zip_path(job))
    files.release(export_dir(job.pk))
    for image_id in job.project.images.values_list("pk", flat=True).iterator():
        files.release(image_dir(image_id))


def _snapshot(job: ExportJob) -> ProjectSnap:
    """The project as it is now, or as a named version froze it (its images streamed either way)."""
    only_accepted = job.options.get("only_accepted", False)
    if "version" not in job.options:
        return take_snapshot(project_id=job.project_id, only_accepted=only_accepted)
    version = version_get(project_id=job.project_id, version_id=job.options["version"])
    return version_snapshot(version=version, only_accepted=only_accepted)


def _images_of(images: ImageSource, files: list[tuple[str, int, int]]) -> Iterator[ImageSnap]:
    """The image of each listed file, in the list's order, from one more pass over the snapshot (without
    annotations): walked beside the list when it is in image order (as the formats write it), else looked up."""
    ids = [image_id for _, image_id, _ in files]
    if ids != sorted(ids):
        wanted = set(ids)
        by_id = {i.id: replace(i, annotations=()) for i in without_shapes(images) if i.id in wanted}
        yield from (by_id[image_id] for image_id in ids)
        return
    stream = iter(without_shapes(images))
    image: ImageSnap | None = None
    for image_id in ids:
        while image is None or image.id != image_id:
            image = next(stream)
        yield image


def _write_images(out: package.ZipOutput, images: ImageSource, files: list[tuple[str, int, int]]) -> list[int]:
    """Each listed file: the original itself when the format named it with the original's extension, else the
    frame rendered to PNG as it is displayed. Returns the ids of images whose original is gone."""
    missing: list[int] = []
    for (name, image_id, frame), image in zip(files, _images_of(images, files), strict=True):
        if not image.original.exists():
            if image_id not in missing:
                missing.append(image_id)
            continue
        if image.kind != "dicom" and image.frames == 1 and name.endswith(f".{image.original_ext}"):
            out.write_file(name, str(image.original))
        else:
            out.write_bytes(name, frame_png(original=image.original, kind=image.kind, frame=frame))
    return missing


def _version_facts(job: ExportJob) -> dict[str, Any] | None:
    if "version" not in job.options:
        return None
    version = version_get(project_id=job.project_id, version_id=job.options["version"])
    return {"id": version.pk, "name": version.name, "sha256": version.sha256}


def _card(job: ExportJob, snap: ProjectSnap, seen: Survey, plan: SplitPlan, stats: dict[str, Any]) -> dict[str, Any]:
    """The dataset card; a format's "notes" (its conventions, in sentences) and "details" (e.g. class ids)
    get their own sections, the rest of its stats are counts."""
    stats = dict(stats)
    notes, details = stats.pop("notes", []), stats.pop("details", {})
    splits = plan.splits
    split_counts: dict[str, int] = {}
    for name in splits.values():
        split_counts[name] = split_counts.get(name, 0) + 1
    return {
        "format": job.format,
        "options": job.options,
        "data_changed_at": snap.changed_at,
        "software": {"name": "annotator", "version": annotator.__version__},
        "project": {"id": snap.id, "name": snap.name, "description": snap.description},
        "labels": [{"id": lb.id, "name": lb.name, "kind": lb.kind, "color": lb.color} for lb in snap.labels],
        "counts": {**stats, "images": len(seen.facts)},
        "format_notes": list(notes),
        "split_notes": list(plan.notes),
        "splits": splits_summary(snap, splits, seen.facts),
        "dataset_version": _version_facts(job),
        "format_details": details,
        "split_counts": split_counts,
        "images": (  # streamed into dataset.json, one entry at a time
            {
                "id": i.id,
                "name": i.name,
                "patient_ref": i.patient_ref,
                "site": i.site,
                "split": splits[i.id],
                "fold": plan.folds.get(i.id),
            }
            for i in seen.facts
        ),
    }
