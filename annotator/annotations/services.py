"""Writes to annotations: create, update, delete and bulk, each with revisions and version checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from annotator.annotations import workflow
from annotator.annotations.attributes import validate_attributes
from annotator.annotations.geometry import validate_geometry
from annotator.annotations.models import Annotation, AnnotationSource, Revision, RevisionAction
from annotator.core.errors import NotFound, PreconditionFailed, ValidationFailed
from annotator.imaging.models import Image, ImageStatus
from annotator.projects.models import Label

EDITABLE = ("label", "frame", "geometry", "attributes")
MAX_ID = 2**63  # ids and versions are 64-bit in every database we run on


def annotation_state(annotation: Annotation) -> dict[str, Any]:
    """The fields a revision records."""
    return {
        "label": annotation.label_id,
        "frame": annotation.frame,
        "geometry": annotation.geometry,
        "attributes": annotation.attributes,
        "version": annotation.version,
    }


def _checked(image: Image, label: Label, frame: Any, geometry: Any, attributes: Any) -> dict[str, Any]:
    if label.project_id != image.project_id:
        raise ValidationFailed("The label belongs to another project.", errors={"label": ["not in this project"]})
    if image.status != ImageStatus.READY or image.width is None or image.height is None:
        raise ValidationFailed(
            f"The image is {image.status}, not ready for annotation.",
            code="image_not_ready",
            errors={"image": [f"status is {image.status}"]},
        )
    if isinstance(frame, bool) or not isinstance(frame, int) or not 0 <= frame < image.frames:
        raise ValidationFailed(
            f"Frame must be an integer from 0 to {image.frames - 1}.", errors={"frame": ["out of range"]}
        )
    return {
        "label": label,
        "frame": frame,
        "geometry": validate_geometry(label.kind, geometry, width=image.width, height=image.height),
        "attributes": validate_attributes(label.attributes, attributes),
    }


def annotation_check(image: Image, label: Label, frame: Any, geometry: Any, attributes: Any) -> dict[str, Any]:
    """The checks a drawn annotation passes (label of the image's project, image ready, frame, geometry,
    attributes): the fields normalised, or ValidationFailed naming what is wrong. Imports use it too."""
    return _checked(image, label, frame, geometry, attributes)


def _revision(
    annotation: Annotation, *, action: str, actor: AbstractBaseUser | None, before: Any, after: Any
) -> Revision:
    return Revision(
        annotation_id=annotation.pk,
        image_id=annotation.image_id,
        action=action,
        actor=actor,
        version=annotation.version,
        before=before,
        after=after,
    )


@transaction.atomic
def annotation_create(
    *,
    image: Image,
    author: AbstractBaseUser | None,
    label: Label,
    frame: int = 0,
    geometry: Any = None,
    attributes: Any = None,
    source: str = AnnotationSource.HUMAN,
    role: str | None = None,
) -> Annotation:
    """Validate and store a new annotation."""
    fields = _checked(image, label, frame, geometry, attributes)
    workflow.note_edit(image, role)
    annotation = Annotation.objects.create(image=image, author=author, source=source, **fields)
    _revision(
        annotation, action=RevisionAction.CREATE, actor=author, before=None, after=annotation_state(annotation)
    ).save()
    return annotation


def _stale(current: Annotation, expected_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"The annotation changed since you loaded it (version {current.version}, you sent "
        f"{expected_version}); reload it and apply your change again.",
        extra={"conflicts": [{"id": current.pk, "expected": expected_version, "current": current.version}]},
    )


def _lock(annotation_id: int, expected_version: int | None, loaded: Annotation | None = None) -> Annotation:
    """The annotation, its row locked until commit, if its version is the expected one (else 412).

    `loaded` (with image and label, as the view's access check read it) is used as it is when the
    locked row still has its version, which saves reading the row and its joins again.
    """
    if loaded is not None:
        locked = Annotation.objects.select_for_update().filter(pk=annotation_id).values_list("version", flat=True)
        version = locked.first()
        if version is None:
            raise NotFound("No annotation with this id.")
        if version == loaded.version:  # nobody changed it since it was loaded: it is current
            if expected_version is not None and version != expected_version:
                raise _stale(loaded, expected_version)
            return loaded
    # of=("self",): lock only the annotation, not its image and label rows (which serialised all writers)
    current = (
        Annotation.objects.select_for_update(of=("self",)).select_related("image", "label").filter(pk=annotation_id)
    ).first()
    if current is None:
        raise NotFound("No annotation with this id.")
    if expected_version is not None and current.version != expected_version:
        raise _stale(current, expected_version)
    return current


def _apply(current: Annotation, changes: dict[str, Any]) -> dict[str, Any]:
    before = annotation_state(current)
    fields = _checked(
        current.image,
        changes.get("label", current.label),
        changes.get("frame", current.frame),
        changes.get("geometry", current.geometry),
        changes.get("attributes", current.attributes),
    )
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.updated_at = timezone.now()
    return before


@transaction.atomic
def annotation_update(
    *,
    annotation_id: int,
    actor: AbstractBaseUser | None,
    expected_version: int | None,
    changes: dict[str, Any],
    role: str | None = None,
    loaded: Annotation | None = None,
) -> Annotation:
    """Apply changes to an annotation if its version is still the expected one."""
    current = _lock(annotation_id, expected_version, loaded)
    before = _apply(current, changes)
    workflow.note_edit(current.image, role)
    current.save(update_fields=[*EDITABLE, "version", "updated_at"])
    _revision(current, action=RevisionAction.UPDATE, actor=actor, before=before, after=annotation_state(current)).save()
    return current


@transaction.atomic
def annotation_delete(
    *,
    annotation_id: int,
    actor: AbstractBaseUser | None,
    expected_version: int | None,
    role: str | None = None,
    loaded: Annotation | None = None,
) -> None:
    """Delete an annotation if its version is still the expected one; the revision trail keeps it."""
    current = _lock(annotation_id, expected_version, loaded)
    workflow.note_edit(current.image, role)
    _revision(current, action=RevisionAction.DELETE, actor=actor, before=annotation_state(current), after=None).save()
    current.delete()


@dataclass
class BulkResult:
    created: list[Annotation] = field(default_factory=list)
    updated: list[Annotation] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)


def _keyed(prefix: str, exc: ValidationFailed) -> ValidationFailed:
    errors = {f"{prefix}.{name}": problems for name, problems in (exc.errors or {}).items()}
    return ValidationFailed(f"{prefix}: {exc.detail}", code=exc.code, errors=errors or {prefix: [exc.detail]})


def _version_of(item: Any, prefix: str) -> tuple[int, int]:
    if not isinstance(item, dict):
        raise ValidationFailed(f"{prefix} must be an object.", errors={prefix: ["must be an object"]})
    ident, version = item.get("id"), item.get("version")
    for name, value in (("id", ident), ("version", version)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_ID:
            raise ValidationFailed(
                f"{prefix}.{name} must be a positive integer.", errors={f"{prefix}.{name}": ["invalid"]}
            )
    return ident, version  # type: ignore[return-value]


@transaction.atomic
def annotations_bulk(
    *,
    image: Image,
    actor: AbstractBaseUser | None,
    role: str | None,
    create: list[dict[str, Any]],
    update: list[dict[str, Any]],
    delete: list[dict[str, Any]],
) -> BulkResult:
    """Apply many changes to one image's annotations at once: all of them or, on any error, none."""
    image = Image.objects.select_for_update().get(pk=image.pk)
    labels = {label.pk: label for label in Label.objects.filter(project_id=image.project_id)}
    wanted = {f"update[{i}]": _version_of(item, f"update[{i}]") for i, item in enumerate(update)}
    wanted |= {f"delete[{i}]": _version_of(item, f"delete[{i}]") for i, item in enumerate(delete)}
    ids = [ident for ident, _ in wanted.values()]
    if len(ids) != len(set(ids)):
        raise ValidationFailed(
            "An annotation may appear only once per bulk request.", errors={"update": ["duplicate id"]}
        )
    current = {a.pk: a for a in Annotation.objects.select_for_update().filter(image=image, pk__in=ids)}
    for prefix, (ident, _) in wanted.items():
        if ident not in current:
            raise ValidationFailed(
                f"{prefix}: no annotation {ident} on this image.", errors={f"{prefix}.id": ["not found"]}
            )
    conflicts = [
        {"id": ident, "expected": version, "current": current[ident].version}
        for ident, version in wanted.values()
        if current[ident].version != version
    ]
    if conflicts:
        raise PreconditionFailed(
            f"{len(conflicts)} annotation(s) changed since you loaded them; nothing was saved.",
            extra={"conflicts": conflicts},
        )
    workflow.note_edit(image, role)
    result = BulkResult()
    revisions: list[Revision] = []
    for index, item in enumerate(create):
        result.created.append(_bulk_new(image, labels, item, f"create[{index}]", actor))
    for index, item in enumerate(update):
        annotation = current[item["id"]]
        annotation.image = image
        changes = {k: v for k, v in item.items() if k in EDITABLE}
        if "label" in changes:
            changes["label"] = _label(labels, changes["label"], f"update[{index}]")
        try:
            before = _apply(annotation, changes)
        except ValidationFailed as exc:
            raise _keyed(f"update[{index}]", exc) from exc
        revisions.append(
            _revision(
                annotation, action=RevisionAction.UPDATE, actor=actor, before=before, after=annotation_state(annotation)
            )
        )
        result.updated.append(annotation)
    for item in delete:
        annotation = current[item["id"]]
        revisions.append(
            _revision(
                annotation, action=RevisionAction.DELETE, actor=actor, before=annotation_state(annotation), after=None
            )
        )
        result.deleted.append(annotation.pk)
    Annotation.objects.bulk_create(result.created)
    revisions += [
        _revision(a, action=RevisionAction.CREATE, actor=actor, before=None, after=annotation_state(a))
        for a in result.created
    ]
    Annotation.objects.bulk_update(result.updated, [*EDITABLE, "version", "updated_at"])
    Annotation.objects.filter(pk__in=result.deleted).delete()
    Revision.objects.bulk_create(revisions)
    return result


def _label(labels: dict[int, Label], label_id: Any, prefix: str) -> Label:
    label = labels.get(label_id) if isinstance(label_id, int) and not isinstance(label_id, bool) else None
    if label is None:
        raise ValidationFailed(f"{prefix}: no such label in this project.", errors={f"{prefix}.label": ["not found"]})
    return label


def _bulk_new(
    image: Image, labels: dict[int, Label], item: dict[str, Any], prefix: str, actor: AbstractBaseUser | None
) -> Annotation:
    if not isinstance(item, dict):
        raise ValidationFailed(f"{prefix} must be an object.", errors={prefix: ["must be an object"]})
    label = _label(labels, item.get("label"), prefix)
    source = item.get("source", AnnotationSource.HUMAN)
    if source not in AnnotationSource.values:
        raise ValidationFailed(f"{prefix}.source is not valid.", errors={f"{prefix}.source": ["invalid choice"]})
    try:
        fields = _checked(image, label, item.get("frame", 0), item.get("geometry"), item.get("attributes"))
    except ValidationFailed as exc:
        raise _keyed(prefix, exc) from exc
    now = timezone.now()
    return Annotation(image=image, author=actor, source=source, created_at=now, updated_at=now, **fields)
