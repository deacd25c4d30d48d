"""Writes to projects, members and labels."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from annotator.accounts.models import Membership, Role
from annotator.core.errors import Conflict, PermissionDenied, ValidationFailed
from annotator.projects.models import Label, LabelKind, Project

ATTRIBUTE_TYPES = ("text", "number", "bool", "choice")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# Okabe & Ito (2008), colour-blind safe, in the order the viewer uses for labels without a colour of their own.
OKABE_ITO = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000")


@transaction.atomic
def project_create(*, creator: AbstractBaseUser, name: str, description: str = "") -> Project:
    """Create a project; its creator becomes its owner."""
    project = Project.objects.create(name=name, description=description, created_by=creator)
    Membership.objects.create(project=project, user=creator, role=Role.OWNER)
    return project


def member_add(
    *, project: Project, actor: AbstractBaseUser, role: str, username: str | None = None, user_id: int | None = None
) -> Membership:
    """Add a user the actor may add (accounts/selectors.user_addable_by) to a project with a role.

    Unknown users and users the actor may not add get the same answer, so nobody learns which names exist.
    """
    from annotator.accounts.selectors import user_addable_by

    user = user_addable_by(actor=actor, username=username, user_id=user_id)
    if user is None:
        named = repr(username) if username is not None else f"with id {user_id}"
        raise ValidationFailed(
            f"No user {named} that you can add: they must share a project with you (or ask an administrator).",
            code="unknown_user",
            errors={"user" if username is None else "username": ["no user you can add"]},
        )
    if Membership.objects.filter(project=project, user=user).exists():
        raise Conflict(f"{user.get_username()} is already a member of this project.", code="already_member")
    return Membership.objects.create(project=project, user=user, role=role)


def _keeps_an_owner(member: Membership) -> bool:
    others = Membership.objects.filter(project_id=member.project_id, role=Role.OWNER).exclude(pk=member.pk)
    return member.role != Role.OWNER or others.exists()


def member_set_role(*, member: Membership, role: str, actor: AbstractBaseUser) -> Membership:
    """Change a member's role; only owners grant or take away ownership; one owner always stays."""
    from annotator.accounts.selectors import role_in

    if Role.OWNER in (role, member.role) and role_in(actor, member.project_id) != Role.OWNER:
        raise PermissionDenied("Only an owner can grant or take away ownership.")
    if role == Role.OWNER and member.user.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Only a superuser can make a superuser an owner.")
    if role != Role.OWNER and not _keeps_an_owner(member):
        raise Conflict("A project needs at least one owner.", code="last_owner")
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    return member


def member_remove(*, member: Membership, actor: AbstractBaseUser) -> None:
    """Remove a member; the last owner cannot be removed, and only owners remove owners."""
    from annotator.accounts.selectors import role_in

    if member.role == Role.OWNER and role_in(actor, member.project_id) != Role.OWNER:
        raise PermissionDenied("Only an owner can remove an owner.")
    if not _keeps_an_owner(member):
        raise Conflict("A project needs at least one owner.", code="last_owner")
    member.delete()


def validate_label_attributes(raw: Any) -> list[dict[str, Any]]:
    """Check a label's attribute schema: a list of {name, type, choices?, required}."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationFailed("Attributes must be a list.", errors={"attributes": ["must be a list"]})
    seen: set[str] = set()
    clean: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        where = f"attribute {index}"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise ValidationFailed(f"{where} needs a name.", errors={"attributes": [f"{where}: name missing"]})
        if item.get("type") not in ATTRIBUTE_TYPES:
            raise ValidationFailed(
                f"{where} type must be one of {', '.join(ATTRIBUTE_TYPES)}.", errors={"attributes": [f"{where}: type"]}
            )
        if item["name"] in seen:
            raise ValidationFailed(f"Attribute {item['name']!r} is listed twice.", errors={"attributes": ["duplicate"]})
        seen.add(item["name"])
        entry: dict[str, Any] = {"name": item["name"], "type": item["type"], "required": bool(item.get("required"))}
        if item["type"] == "choice":
            choices = item.get("choices")
            if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
                raise ValidationFailed(
                    f"{where} of type choice needs a non-empty list of string choices.",
                    errors={"attributes": [f"{where}: choices"]},
                )
            entry["choices"] = choices
        clean.append(entry)
    return clean


def label_create(
    *,
    project: Project,
    name: str,
    kind: str,
    color: str | None = None,
    hotkey: str | None = None,
    attributes: Any = None,
) -> Label:
    """Add a label to a project's schema (no colour given: the next of the Okabe–Ito palette)."""
    if kind not in LabelKind.values:
        raise ValidationFailed(f"Unknown label kind {kind!r}.", errors={"kind": ["invalid choice"]})
    if color is None:
        color = OKABE_ITO[project.labels.count() % len(OKABE_ITO)]
    if not COLOR_RE.match(color):
        raise ValidationFailed("Colour must look like #rrggbb.", errors={"color": ["expected #rrggbb"]})
    if project.labels.filter(name=name).exists():
        raise Conflict(f"This project already has a label named {name!r}.", code="duplicate_label")
    return Label.objects.create(
        project=project,
        name=name,
        kind=kind,
        color=color.lower(),
        hotkey=hotkey or None,
        attributes=validate_label_attributes(attributes),
    )


def label_update(*, label: Label, changes: dict[str, Any]) -> Label:
    """Change a label's name, colour, kind (only while unused), hotkey or attribute schema."""
    if "kind" in changes and changes["kind"] != label.kind and label.annotations.exists():
        raise ValidationFailed("The kind of a label in use cannot change.", errors={"kind": ["label in use"]})
    if "attributes" in changes:
        changes["attributes"] = validate_label_attributes(changes["attributes"])
    if "color" in changes and not COLOR_RE.match(changes["color"] or ""):
        raise ValidationFailed("Colour must look like #rrggbb.", errors={"color": ["expected #rrggbb"]})
    duplicate = Conflict(f"This project already has a label named {changes.get('name')!r}.", code="duplicate_label")
    if (
        "name" in changes
        and Label.objects.filter(project_id=label.project_id, name=changes["name"]).exclude(pk=label.pk).exists()
    ):
        raise duplicate
    for name, value in changes.items():
        setattr(label, name, value or None if name == "hotkey" else value)
    try:
        with transaction.atomic():
            label.save()
    except IntegrityError:  # renamed concurrently to the same name
        raise duplicate from None
    return label


def label_delete(*, label: Label) -> None:
    """Delete a label that no annotation uses."""
    if label.annotations.exists():
        raise Conflict(
            f"Label {label.name!r} is used by {label.annotations.count()} annotations and cannot be deleted.",
            code="label_in_use",
        )
    label.delete()


@transaction.atomic
def project_delete(*, project: Project) -> None:
    """Delete a project with its images, annotations, labels and exports, then its files."""
    from annotator.annotations.models import Annotation
    from annotator.core.storage import export_dir, image_dir, import_dir, remove_part, store, upload_part, version_dir

    folders = [image_dir(pk) for pk in project.images.values_list("pk", flat=True)]
    folders += [export_dir(pk) for pk in project.exports.values_list("pk", flat=True)]
    folders += [version_dir(pk) for pk in project.dataset_versions.values_list("pk", flat=True)]
    folders += [import_dir(pk) for pk in project.imports.values_list("pk", flat=True)]
    parts = [upload_part(pk) for pk in project.uploads.values_list("pk", flat=True)]  # resumable uploads' bytes
    # Labels protect their annotations from silent loss; a project delete removes both on purpose.
    Annotation.objects.filter(image__project=project).delete()
    project.delete()

    def remove_files() -> None:
        for folder in folders:
            store().delete(folder)
        for part in parts:
            remove_part(part)

    transaction.on_commit(remove_files)
