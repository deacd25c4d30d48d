"""Reads about membership: a user's role in a project, the projects a user can see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from annotator.accounts.models import Membership, Role


def role_in(user: AbstractBaseUser | AnonymousUser, project_id: int) -> str | None:
    """The user's role in the project, or None when not a member (superusers act as owners)."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.OWNER
    return Membership.objects.filter(user_id=user.pk, project_id=project_id).values_list("role", flat=True).first()
