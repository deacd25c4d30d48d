"""A frozen, ORM-free picture of a project for export formats to read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from annotator.annotations.models import Annotation
from annotator.core.storage import image_dir
from annotator.imaging.models import Image, ImageStatus, WorkflowState
from annotator.projects.models import Project


@dataclass(frozen=True)
class LabelSnap:
    id: int
    name: str
    kind: str
    color: str


@dataclass(frozen=True)
class AnnotationSnap:
    id: int
    label_id: int
    frame: int
    geometry: Any
    attributes: dict[str, Any]
    version: int
    source: str


@dataclass(frozen=True)
class ImageSnap:
    id: int
    name: str
    kind: str
    width: int
    height: int
    frames: int
    patient_ref: str | None
    site: str
    workflow_state: str
    metadata: dict[str, Any]
    folder: str
    original_ext: str
    annotations: tuple[AnnotationSnap, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ProjectSnap:
    id: int
    name: str
    description: str
    labels: tuple[LabelSnap, ...]
    images: tuple[ImageSnap, ...]
    taken_at: str


def take_snapshot(*, project_id: int, only_accepted: bool = False) -> ProjectSnap:
    """Read a project's ready images, labels and annotations into plain dataclasses (3 queries)."""
    project = Project.objects.get(pk=project_id)
    labels = tuple(
        LabelSnap(id=lb.pk, name=lb.name, kind=lb.kind, color=lb.color) for lb in project.labels.order_by("id")
    )
    images_qs = Image.objects.filter(project_id=project_id, status=ImageStatus.READY).order_by("id")
    if only_accepted:
        images_qs = images_qs.filter(workflow_state=WorkflowState.ACCEPTED)
    by_image: dict[int, list[AnnotationSnap]] = {}
    for ann in Annotation.objects.filter(image__in=images_qs).order_by("image_id", "id"):
        by_image.setdefault(ann.image_id, []).append(
            AnnotationSnap(
                id=ann.pk,
                label_id=ann.label_id,
                frame=ann.frame,
                geometry=ann.geometry,
                attributes=dict(ann.attributes or {}),
                version=ann.version,
                source=ann.source,
            )
        )
    images = tuple(
        ImageSnap(
            id=img.pk,
            name=img.name,
            kind=img.kind,
            width=img.width or 0,
            height=img.height or 0,
            frames=img.frames,
            patient_ref=(img.metadata or {}).get("patient_ref"),
            site=img.site,
            workflow_state=img.workflow_state,
            metadata=dict(img.metadata or {}),
            folder=str(image_dir(img.pk)),
            original_ext=img.original_ext,
            annotations=tuple(by_image.get(img.pk, ())),
        )
        for img in images_qs
    )
    return ProjectSnap(
        id=project.pk,
        name=project.name,
        description=project.description,
        labels=labels,
        images=images,
        taken_at=timezone.now().isoformat(),
    )
