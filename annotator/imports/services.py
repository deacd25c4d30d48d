"""Import jobs: request one (the file stored, the mapping checked), run one (match, validate, create in batches).

A run commits one transaction per batch, holding the project's row locked so two imports into one
project never interleave. Each created annotation gets a content key (hash of image, frame, label,
geometry and attributes); a key already present is counted, not created again, so importing the
same file twice — or again after a failed run — adds only what is missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError, transaction
from django.utils import timezone

from annotator.annotations.models import Annotation, AnnotationSource, Revision, RevisionAction
from annotator.annotations.services import annotation_check, annotation_state
from annotator.core.errors import ValidationFailed
from annotator.core.jobs import claim, heartbeat, release, run_of
from annotator.core.outbox import outbox_enqueue
from annotator.core.storage import ensure_dir, import_dir, store
from annotator.imaging.models import Image, ImageStatus
from annotator.imports.models import ImportJob, ImportKey, ImportStatus
from annotator.imports.parsing import ImportFileError, Item, check_upload, read_upload
from annotator.projects.models import Label, Project

logger = logging.getLogger(__name__)
RUN_TASK = "annotator.imports.tasks.run_import"
UPLOAD_NAME = "upload"
BATCH = 1000
MAX_LISTED = 1000  # skipped items listed in the report; the count covers all of them
COPY_CHUNK = 1024 * 1024


def import_upload_path(job: ImportJob) -> Path:
    """Where an import job's uploaded file is kept (named by id only)."""
    return import_dir(job.pk) / UPLOAD_NAME


def import_mapping(*, project: Project, raw: Any) -> dict[str, int]:
    """Check a mapping {category name: label id}: every id a label of this project (else 400 naming it)."""
    if raw in (None, "", {}):
        return {}
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationFailed("mapping must be a JSON object.", errors={"mapping": ["not JSON"]}) from exc
    if not isinstance(raw, dict):
        raise ValidationFailed("mapping must be an object {category name: label id}.", errors={"mapping": ["object"]})
    mapping: dict[str, int] = {}
    for name, label_id in raw.items():
        if isinstance(label_id, bool) or not isinstance(label_id, int):
            raise ValidationFailed(
                f"mapping[{name!r}] must be a label id.", errors={"mapping": [f"{name}: not a label id"]}
            )
        mapping[str(name)] = label_id
    known = set(Label.objects.filter(project=project, pk__in=mapping.values()).values_list("pk", flat=True))
    foreign = sorted({v for v in mapping.values() if v not in known})
    if foreign:
        raise ValidationFailed(
            f"mapping names label ids that are not labels of this project: {foreign}.",
            code="unknown_label",
            errors={"mapping": [f"label {v} is not in this project" for v in foreign]},
        )
    return mapping


def import_request(
    *, project: Project, user: AbstractBaseUser | None, file: IO[bytes], filename: str, mapping: Any
) -> ImportJob:
    """Check the file and mapping, store the file under the job's id, and queue the job once committed."""
    checked = import_mapping(project=project, raw=mapping)
    size = getattr(file, "size", None)
    if size is not None and size > settings.ANNOTATOR_IMPORT_MAX_BYTES:
        raise ValidationFailed(
            f"The file is {size} bytes, above the import limit of {settings.ANNOTATOR_IMPORT_MAX_BYTES}.",
            code="too_large",
            errors={"file": ["too large"]},
        )
    try:
        check_upload(file)
    except ImportFileError as exc:
        raise ValidationFailed(exc.detail, code=exc.code, errors={"file": [exc.detail]}) from exc
    with transaction.atomic():
        job = ImportJob.objects.create(project=project, created_by=user, filename=filename[:255], mapping=checked)
        target = import_upload_path(job)
        ensure_dir(target.parent)
        with target.open("wb") as out:
            shutil.copyfileobj(file, out, COPY_CHUNK)
        store().publish(target)
        store().release(target.parent)  # with an object store the worker fetches its own copy; keep none here
        outbox_enqueue(task=RUN_TASK, args=[job.pk])
    return job


@dataclass
class Report:
    """What a run did: created, found already present, and each skipped item with its reason."""

    total: int = 0
    imported: int = 0
    already_present: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    skipped_count: int = 0
    format: str = ""

    def skip(self, item: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_LISTED:
            self.skipped.append({"item": item, "reason": reason})

    def as_dict(self, processed: int) -> dict[str, Any]:
        return {
            "format": self.format,
            "total": self.total,
            "processed": processed,
            "imported": self.imported,
            "already_present": self.already_present,
            "skipped_count": self.skipped_count,
            "skipped": self.skipped,
        }


@dataclass
class Target:
    """The project's side of matching: its images by name and its labels by name and id."""

    images: dict[str, list[Image]]
    labels_by_name: dict[str, Label]
    labels_by_id: dict[int, Label]
    mapping: dict[str, int]

    def label(self, category: str) -> Label | None:
        if category in self.mapping:
            return self.labels_by_id.get(self.mapping[category])
        return self.labels_by_name.get(category)

    def image(self, names: Iterable[str], image_id: Any = None) -> tuple[Image | None, str]:
        """The one image a name matches (first name that matches any), or None and why. Of several images
        with that name, the one whose id the file recorded (a file exported from this very project)."""
        names = list(names)
        for name in names:
            found = self.images.get(name)
            same = [image for image in found or [] if image.pk == image_id]
            if same:
                return same[0], ""
            if found and len(found) > 1:
                return None, f"{len(found)} images of this project are named {name!r}; rename them to import"
            if found:
                return found[0], ""
        return None, f"no image of this project is named {' or '.join(repr(n) for n in names) or '(no name)'}"


def _target(project: Project, mapping: dict[str, int]) -> Target:
    images: dict[str, list[Image]] = {}
    for image in Image.objects.filter(project=project).only("pk", "name", "status", "width", "height", "frames"):
        images.setdefault(image.name, []).append(image)
    labels = list(Label.objects.filter(project=project))
    return Target(
        images=images,
        labels_by_name={lb.name: lb for lb in labels},
        labels_by_id={lb.pk: lb for lb in labels},
        mapping=mapping,
    )


def content_key(image_id: int, frame: int, label_id: int, geometry: Any, attributes: Any) -> str:
    """Hash of what makes two annotations the same (coordinates rounded to 1/1000 pixel)."""

    def canonical(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 3) + 0.0
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, list | tuple):
            return [canonical(v) for v in value]
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in value.items()}
        return value

    text = json.dumps([image_id, frame, label_id, canonical(geometry), attributes], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Ready:
    """An item that passed every check, ready to store."""

    key: str
    annotation: Annotation


def _prepare(item: Item, target: Target, user: AbstractBaseUser | None, report: Report) -> Ready | None:
    label = target.label(item.category)
    if label is None:
        how = "mapped to no label" if item.category in target.mapping else "matches no label name of this project"
        report.skip(item.ref, f"category {item.category!r} {how}; map it with mapping")
        return None
    image, why = target.image(item.names, item.image_id)
    if image is None:
        report.skip(item.ref, why)
        return None
    if image.status != ImageStatus.READY:
        report.skip(item.ref, f"image {image.name!r} is {image.status}, not ready")
        return None
    if label.kind not in item.shapes:
        held = ", ".join(sorted(item.shapes)) or "no shape"
        report.skip(item.ref, f"label {label.name!r} is a {label.kind} label but the item holds {held}")
        return None
    frame = item.frame
    if isinstance(frame, bool) or not isinstance(frame, int) or not 0 <= frame < image.frames:
        report.skip(item.ref, f"frame {frame!r} is out of range: image {image.name!r} has {image.frames} frame(s)")
        return None
    try:
        fields = annotation_check(image, label, frame, item.shapes[label.kind], item.attributes)
    except ValidationFailed as exc:
        report.skip(item.ref, exc.detail)
        return None
    key = content_key(image.pk, frame, label.pk, fields["geometry"], fields["attributes"])
    now = timezone.now()
    annotation = Annotation(
        image=image, author=user, source=AnnotationSource.IMPORT, created_at=now, updated_at=now, **fields
    )
    return Ready(key=key, annotation=annotation)


def _store_batch(project_id: int, user: AbstractBaseUser | None, batch: list[Ready], report: Report) -> None:
    """Create a batch's new annotations (with their keys and revisions) in one transaction."""
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project_id).values("pk").first()  # one import at a time
        present = set(
            ImportKey.objects.filter(project_id=project_id, key__in=[r.key for r in batch]).values_list(
                "key", flat=True
            )
        )
        fresh: dict[str, Annotation] = {}
        for ready in batch:
            if ready.key in present or ready.key in fresh:
                report.already_present += 1
            else:
                fresh[ready.key] = ready.annotation
        created = Annotation.objects.bulk_create(list(fresh.values()))
        ImportKey.objects.bulk_create(
            ImportKey(project_id=project_id, key=key, annotation=ann) for key, ann in zip(fresh, created, strict=True)
        )
        Revision.objects.bulk_create(
            Revision(
                annotation_id=ann.pk,
                image_id=ann.image_id,
                action=RevisionAction.CREATE,
                actor=user,
                version=ann.version,
                before=None,
                after=annotation_state(ann),
            )
            for ann in created
        )
        report.imported += len(created)


def _import(job: ImportJob, run: dict[str, Any]) -> Report:
    path = store().fetch(import_upload_path(job))
    report = Report()
    try:
        parsed = read_upload(path, max_bytes=settings.ANNOTATOR_IMPORT_MAX_BYTES)
    except ImportFileError as exc:
        raise _Refused(exc.detail) from exc
    report.format, report.total = parsed.format, len(parsed.items) + len(parsed.problems)
    for ref, reason in parsed.problems:
        report.skip(ref, reason)
    target = _target(job.project, job.mapping)
    user = job.created_by
    batch: list[Ready] = []
    done = len(parsed.problems)
    for index, item in enumerate(parsed.items, start=1):
        ready = _prepare(item, target, user, report)
        if ready is not None:
            batch.append(ready)
        if len(batch) >= BATCH or index == len(parsed.items):
            if batch:
                _store_batch(job.project_id, user, batch, report)
            done = len(parsed.problems) + index
            batch = []
            ImportJob.objects.filter(**run).update(progress=done / max(report.total, 1), report=report.as_dict(done))
    job.report = report.as_dict(done)
    return report


class _Refused(Exception):
    """The stored file turned out unreadable: the job fails with this sentence."""


def import_run(*, job_id: int) -> None:
    """Run a queued import; a second delivery finds it taken (or done) and does nothing."""
    if not claim(ImportJob, job_id, queued=ImportStatus.QUEUED, running=ImportStatus.RUNNING):
        return
    job = ImportJob.objects.select_related("project", "created_by").get(pk=job_id)
    run = run_of(job, ImportStatus.RUNNING)
    try:
        with heartbeat(model=ImportJob, run=run):
            report = _import(job, run)
    except _Refused as exc:
        _end(run, error=str(exc))
        return
    except SoftTimeLimitExceeded:
        _end(run, error="The import took longer than its time limit and was stopped; the batches before stay imported.")
        return
    except OperationalError:  # the database went away: hand the job back; the task's autoretry runs it again
        release(ImportJob, run, ImportStatus.QUEUED)
        raise
    except Exception:
        logger.exception("import %s failed", job_id)
        _end(
            run,
            error="The import failed unexpectedly; the batches before stay imported and importing the same file "
            "again adds only what is missing.",
        )
        raise
    _end(run, report=job.report)
    logger.info("import %s: %s imported, %s skipped", job_id, report.imported, report.skipped_count)


def _end(run: dict[str, Any], *, error: str = "", report: dict[str, Any] | None = None) -> None:
    """Record how the run ended (done with its report, or failed with a sentence) and drop the stored file: an
    ended job is never run again (importing again is a new upload)."""
    fields: dict[str, Any] = {"status": ImportStatus.FAILED, "error": error} if error else {}
    if report is not None:
        fields = {"status": ImportStatus.DONE, "progress": 1.0, "report": report}
    if ImportJob.objects.filter(**run).update(finished_at=timezone.now(), **fields):
        store().delete(import_dir(run["pk"]))
