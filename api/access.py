"""Object-level access for views: unseen objects answer 404, forbidden actions 403."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from annotator.accounts.policies import Action, can
from annotator.accounts.selectors import role_in
from annotator.annotations.models import Annotation
from annotator.core.errors import NotFound, PermissionDenied
from annotator.exports.models import ExportJob
from annotator.imaging.models import Image
from annotator.projects.models import Label, Project

User = AbstractBaseUser | AnonymousUser


def _authorize(user: User, project_id: int, action: Action, what: str) -> str:
    role = role_in(user, project_id)
    if role is None:
        raise NotFound(f"No {what} with this id.")
    if not can(role, action):
        raise PermissionDenied(f"Your role ({role}) in this project does not allow this ({action}).")
    return role


def _get(queryset: QuerySet, pk: int, what: str):  # type: ignore[no-untyped-def]
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"No {what} with this id.")
    return obj


def project_for(user: User, project_id: int, action: Action = Action.VIEW) -> Project:
    """The project if the user may take the action on it."""
    _authorize(user, project_id, action, "project")
    return _get(Project.objects.all(), project_id, "project")


def image_for(user: User, image_id: int, action: Action = Action.VIEW) -> Image:
    """The image if the user may take the action on its project."""
    image = _get(Image.objects.select_related("project"), image_id, "image")
    _authorize(user, image.project_id, action, "image")
    return image


def label_for(user: User, label_id: int, action: Action = Action.VIEW) -> Label:
    """The label if the user may take the action on its project."""
    label = _get(Label.objects.all(), label_id, "label")
    _authorize(user, label.project_id, action, "label")
    return label


def annotation_for(user: User, annotation_id: int, action: Action = Action.VIEW) -> Annotation:
    """The annotation if the user may take the action on its project."""
    annotation = _get(Annotation.objects.select_related("image", "label"), annotation_id, "annotation")
    _authorize(user, annotation.image.project_id, action, "annotation")
    return annotation


def export_for(user: User, export_id: int, action: Action = Action.EXPORT) -> ExportJob:
    """The export job if the user may export from its project."""
    job = _get(ExportJob.objects.all(), export_id, "export")
    _authorize(user, job.project_id, action, "export")
    return job
