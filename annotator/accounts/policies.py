"""Who may do what: pure functions over a role, driven by one table."""

from __future__ import annotations

from enum import StrEnum

from annotator.accounts.models import Role


class Action(StrEnum):
    VIEW = "view"
    ANNOTATE = "annotate"
    REVIEW = "review"
    UPLOAD = "upload"
    EXPORT = "export"
    MANAGE = "manage"  # project settings, labels, members, assignments
    DELETE_PROJECT = "delete_project"


# The permission table: role -> actions it may take in its project.
_ALLOWED: dict[str, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.MANAGER: frozenset(Action) - {Action.DELETE_PROJECT},
    Role.REVIEWER: frozenset({Action.VIEW, Action.ANNOTATE, Action.REVIEW, Action.EXPORT}),
    Role.ANNOTATOR: frozenset({Action.VIEW, Action.ANNOTATE}),
    Role.VIEWER: frozenset({Action.VIEW}),
}


def can(role: str | None, action: Action) -> bool:
    """True when a member with this role may take this action (None: not a member)."""
    if role is None:
        return False
    return action in _ALLOWED.get(role, frozenset())


def sees_only_assigned(role: str | None, *, annotators_see_all: bool) -> bool:
    """True when this role sees only the images assigned to it (annotators, when the project says so)."""
    return role == Role.ANNOTATOR and not annotators_see_all


def sees_held(role: str | None) -> bool:
    """Held images (possible burned-in text) are shown only to those who may release them."""
    return can(role, Action.MANAGE)


def can_see_image(role: str | None, *, annotators_see_all: bool, is_assignee: bool, held: bool = False) -> bool:
    """Whether a member with this role sees one image of the project."""
    if role is None or (held and not sees_held(role)):
        return False
    return is_assignee or not sees_only_assigned(role, annotators_see_all=annotators_see_all)
