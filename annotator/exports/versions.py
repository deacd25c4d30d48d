"""Dataset versions: freeze a project's labels now (services), read a version back and compare two (selectors)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from annotator.core.errors import NotFound, ValidationFailed
from annotator.core.storage import ensure_dir, store, version_dir
from annotator.exports import frozen
from annotator.exports.models import DatasetVersion
from annotator.exports.package import file_digest
from annotator.exports.snapshot import ProjectSnap, take_snapshot
from annotator.projects.models import Project

SNAPSHOT_NAME = "snapshot.jsonl.gz"
NAME_MAX = 200
# What makes two states of one annotation differ (its id and version number aside).
_CONTENT = ("label_id", "frame", "geometry", "attributes", "source")


def version_path(version: DatasetVersion) -> Path:
    """Where a version's frozen snapshot lives."""
    return version_dir(version.pk) / SNAPSHOT_NAME


def snapshot_counts(snap: ProjectSnap) -> dict[str, Any]:
    """Counts shown beside a version: images, frames, patients, labels, annotations (and per label)."""
    per_label: dict[str, int] = {}
    names = {label.id: label.name for label in snap.labels}
    images = frames = 0
    patients: set[str] = set()
    for image in snap.images:  # one pass: the images may be streamed
        images, frames = images + 1, frames + max(image.frames, 1)
        patients.add(image.patient_ref or f"image-{image.id}")
        for ann in image.annotations:
            per_label[names[ann.label_id]] = per_label.get(names[ann.label_id], 0) + 1
    return {
        "images": images,
        "frames": frames,
        "patients": len(patients),
        "labels": len(snap.labels),
        "annotations": sum(per_label.values()),
        "annotations_by_label": dict(sorted(per_label.items())),
    }


def _clean(name: Any, notes: Any) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = ["a version needs a name"]
    elif len(name.strip()) > NAME_MAX:
        errors["name"] = [f"at most {NAME_MAX} characters"]
    if notes is not None and not isinstance(notes, str):
        errors["notes"] = ["must be text"]
    if errors:
        raise ValidationFailed("The version is not valid: " + "; ".join(errors) + ".", errors=errors)
    return name.strip(), notes or ""


def version_create(*, project: Project, user: AbstractBaseUser | None, name: Any, notes: Any = "") -> DatasetVersion:
    """Freeze the project's ready images, labels and annotations as they are now into a new version."""
    name, notes = _clean(name, notes)
    if DatasetVersion.objects.filter(project=project, name=name).exists():
        raise ValidationFailed(f"The project already has a version named {name!r}.", errors={"name": ["taken"]})
    snap = take_snapshot(project_id=project.pk)
    try:
        with transaction.atomic():
            version = DatasetVersion.objects.create(
                project=project, name=name, notes=notes, created_by=user, counts=snapshot_counts(snap)
            )
            path = ensure_dir(version_dir(version.pk)) / SNAPSHOT_NAME
            frozen.freeze(snap, path)
            version.sha256, version.size = file_digest(path)
            version.save(update_fields=["sha256", "size"])
            store().publish(path)  # with an object store: kept in the bucket, this copy dropped
            store().release(path)
    except IntegrityError as exc:  # the same name created at the same moment by someone else
        raise ValidationFailed(
            f"The project already has a version named {name!r}.", errors={"name": ["taken"]}
        ) from exc
    return version


def version_get(*, project_id: int, version_id: Any) -> DatasetVersion:
    """A version of this project, or NotFound (also for a version of another project)."""
    if isinstance(version_id, bool) or not isinstance(version_id, int):
        raise ValidationFailed("Option 'version' must be a version id.", errors={"options": ["version"]})
    version = DatasetVersion.objects.filter(pk=version_id, project_id=project_id).first()
    if version is None:
        raise NotFound(f"The project has no version {version_id}.", code="version_not_found")
    return version


def version_snapshot(*, version: DatasetVersion, only_accepted: bool = False) -> ProjectSnap:
    """The version's frozen snapshot, read back."""
    return frozen.thaw(store().fetch(version_path(version)), only_accepted=only_accepted)


def _annotation_rows(snap: ProjectSnap) -> dict[int, dict[str, Any]]:
    return {
        ann.id: {"image": image.id, "image_name": image.name, **asdict(ann)}
        for image in snap.images
        for ann in image.annotations
    }


def snapshot_diff(before: ProjectSnap, after: ProjectSnap) -> dict[str, Any]:
    """Annotations added, changed (label, frame, geometry, attributes or source) and removed between two
    snapshots; an annotation on an image that left or joined the snapshot counts as removed or added."""
    old, new = _annotation_rows(before), _annotation_rows(after)
    added = [new[i] for i in sorted(new.keys() - old.keys())]
    removed = [old[i] for i in sorted(old.keys() - new.keys())]
    changed = [
        {"id": i, "image": new[i]["image"], "before": old[i], "after": new[i]}
        for i in sorted(old.keys() & new.keys())
        if any(old[i][key] != new[i][key] for key in _CONTENT)
    ]
    return {
        "added": added,
        "changed": changed,
        "removed": removed,
        "counts": {"added": len(added), "changed": len(changed), "removed": len(removed)},
    }


def version_diff(*, project_id: int, a: int, b: int) -> dict[str, Any]:
    """What changed from version a to version b of a project."""
    first, second = version_get(project_id=project_id, version_id=a), version_get(project_id=project_id, version_id=b)
    diff = snapshot_diff(version_snapshot(version=first), version_snapshot(version=second))
    return {"from": first.pk, "to": second.pk, **diff}
