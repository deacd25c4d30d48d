"""Writes to annotations: create, update, delete, each with a revision and a version check."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from annotator.annotations.attributes import validate_attributes
from annotator.annotations.geometry import validate_geometry
from annotator.annotations.models import Annotation, AnnotationSource, Revision, RevisionAction
from annotator.core.errors import PreconditionFailed, ValidationFailed
from annotator.imaging.models import Image, ImageStatus
from annotator.projects.models import Label


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


def _revise(annotation: Annotation, *, action: str, actor: AbstractBaseUser | None, before: Any, after: Any) -> None:
    Revision.objects.create(
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
) -> Annotation:
    """Validate and store a new annotation."""
    fields = _checked(image, label, frame, geometry, attributes)
    annotation = Annotation.objects.create(image=image, author=author, source=source, **fields)
    _revise(annotation, action=RevisionAction.CREATE, actor=author, before=None, after=annotation_state(annotation))
    return annotation


def _lock(annotation_id: int, expected_version: int) -> Annotation:
    current = Annotation.objects.select_for_update().select_related("image", "label").get(pk=annotation_id)
    if current.version != expected_version:
        raise PreconditionFailed(
            f"The annotation changed since you loaded it (version {current.version}, you sent "
            f"{expected_version}); reload it and apply your change again.",
        )
    return current


@transaction.atomic
def annotation_update(
    *, annotation_id: int, actor: AbstractBaseUser | None, expected_version: int, changes: dict[str, Any]
) -> Annotation:
    """Apply changes to an annotation if its version is still the expected one."""
    current = _lock(annotation_id, expected_version)
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
    current.save()
    _revise(current, action=RevisionAction.UPDATE, actor=actor, before=before, after=annotation_state(current))
    return current


@transaction.atomic
def annotation_delete(*, annotation_id: int, actor: AbstractBaseUser | None, expected_version: int) -> None:
    """Delete an annotation if its version is still the expected one; the revision trail keeps it."""
    current = _lock(annotation_id, expected_version)
    _revise(current, action=RevisionAction.DELETE, actor=actor, before=annotation_state(current), after=None)
    current.delete()
