"""Reads about membership: a user's role in a project, the projects a user can see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, OuterRef, QuerySet, Subquery

from annotator.accounts.models import Membership, Role

CALLER_ROLE = "caller_role"  # the attribute with_caller_role() adds


def with_caller_role(queryset: QuerySet, user: AbstractBaseUser | AnonymousUser, project_field: str) -> QuerySet:
    """The queryset with each object's caller_role (the user's role in the object's project) in the same query."""
    if not user.is_authenticated or getattr(user, "is_superuser", False):
        return queryset  # role_of() needs no column for these
    member = Membership.objects.filter(user_id=user.pk, project_id=OuterRef(project_field)).values("role")[:1]
    return queryset.annotate(**{CALLER_ROLE: Subquery(member)})


def role_of(user: AbstractBaseUser | AnonymousUser, obj: Model) -> str | None:
    """The caller's role read from an object of with_caller_role(); the same answer as role_in()."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.OWNER
    return getattr(obj, CALLER_ROLE)


def role_in(user: AbstractBaseUser | AnonymousUser, project_id: int) -> str | None:
    """The user's role in the project, or None when not a member (superusers act as owners)."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.OWNER
    return Membership.objects.filter(user_id=user.pk, project_id=project_id).values_list("role", flat=True).first()


def user_addable_by(
    *, actor: AbstractBaseUser, username: str | None = None, user_id: int | None = None
) -> AbstractBaseUser | None:
    """The active user the actor may add to a project, or None (unknown and not addable look the same).

    The rule: staff may add anyone; others may add people they already share a project with. Only a
    superuser may add a superuser.
    """
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if username is not None:
        users = users.filter(username=username)
    elif user_id is not None:
        users = users.filter(pk=user_id)
    else:
        return None
    if not actor.is_superuser:
        users = users.filter(is_superuser=False)
    if not actor.is_staff and not actor.is_superuser:
        shared = Membership.objects.filter(user_id=actor.pk).values("project_id")
        users = users.filter(memberships__project_id__in=shared).distinct()
    return users.first()
