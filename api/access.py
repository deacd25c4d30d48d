"""Object-level access for views: unseen objects answer 404, forbidden actions 403."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from annotator.accounts.policies import Action, can, can_see_image
from annotator.accounts.selectors import role_in, role_of, with_caller_role
from annotator.annotations.models import Annotation
from annotator.core.errors import NotFound, PermissionDenied
from annotator.exports.models import ExportJob
from annotator.imaging.models import Image, ImageStatus
from annotator.imports.models import ImportJob
from annotator.projects.models import Label, Project

User = AbstractBaseUser | AnonymousUser


def _decide(role: str | None, action: Action, what: str, *, visible: bool = True) -> str:
    if role is None or not visible:
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
    _decide(role_in(user, project_id), action, "project")
    return _get(Project.objects.all(), project_id, "project")


def project_role(user: User, project_id: int, action: Action = Action.VIEW) -> tuple[Project, str]:
    """The project and the caller's role in it, if the role allows the action."""
    role = _decide(role_in(user, project_id), action, "project")
    return _get(Project.objects.all(), project_id, "project"), role


def _image_visible_role(user: User, image: Image, role: str | None, action: Action, what: str) -> str:
    visible = can_see_image(
        role,
        annotators_see_all=image.project.annotators_see_all,
        is_assignee=image.assignee_id == user.pk,
        held=image.status == ImageStatus.HELD,
    )
    return _decide(role, action, what, visible=visible)


def _image(user: User, image_id: int) -> tuple[Image, str | None]:
    """The image with its project, and the caller's role in it, in one query."""
    images = with_caller_role(Image.objects.select_related("project"), user, "project_id")
    image = _get(images, image_id, "image")
    return image, role_of(user, image)


def image_for(user: User, image_id: int, action: Action = Action.VIEW) -> Image:
    """The image if the user sees it and may take the action on its project."""
    image, role = _image(user, image_id)
    _image_visible_role(user, image, role, action, "image")
    return image


def image_role(user: User, image_id: int, action: Action = Action.VIEW) -> tuple[Image, str]:
    """The image and the caller's role, if the user sees it and may take the action."""
    image, role = _image(user, image_id)
    return image, _image_visible_role(user, image, role, action, "image")


def label_for(user: User, label_id: int, action: Action = Action.VIEW) -> Label:
    """The label if the user may take the action on its project."""
    label = _get(Label.objects.all(), label_id, "label")
    _decide(role_in(user, label.project_id), action, "label")
    return label


def annotation_role(user: User, annotation_id: int, action: Action = Action.VIEW) -> tuple[Annotation, str]:
    """The annotation and the caller's role, if the user sees its image and may take the action."""
    annotations = with_caller_role(
        Annotation.objects.select_related("image__project", "label"), user, "image__project_id"
    )
    annotation = _get(annotations, annotation_id, "annotation")
    role = role_of(user, annotation)
    return annotation, _image_visible_role(user, annotation.image, role, action, "annotation")


def export_for(user: User, export_id: int, action: Action = Action.EXPORT) -> ExportJob:
    """The export job if the user may export from its project."""
    job = _get(ExportJob.objects.all(), export_id, "export")
    _decide(role_in(user, job.project_id), action, "export")
    return job


def import_for(user: User, import_id: int, action: Action = Action.VIEW) -> ImportJob:
    """The import job if the user may take the action on its project (reading it: any member)."""
    job = _get(ImportJob.objects.all(), import_id, "import")
    _decide(role_in(user, job.project_id), action, "import")
    return job
