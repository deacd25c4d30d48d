"""Writing the audit trail: one insert per event; image views at most once per user, image and window."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from annotator.audit.models import AuditAction, AuditEvent
from annotator.core.addresses import client_address


def audit_record(
    *,
    actor: Any,
    action: str,
    project_id: int | None,
    target_type: str,
    target_id: int | None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor_id=actor.pk if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        action=action,
        project_id=project_id,
        target_type=target_type,
        target_id=target_id,
        detail=detail or {},
        address=client_address(request) if request is not None else "",
    )


def audit_image_view(*, actor: Any, image: Any, request: HttpRequest, what: str) -> None:
    """Record that the actor opened the image, unless they did within ANNOTATOR_AUDIT_VIEW_WINDOW seconds.

    The viewer asks for the descriptor once per opening; a stack viewer asks for many frames: one cache
    `add` decides, so repeated requests cost no insert.
    """
    key = f"audit-view:{actor.pk}:{image.pk}"
    if cache.add(key, 1, timeout=settings.ANNOTATOR_AUDIT_VIEW_WINDOW):
        audit_record(
            actor=actor,
            action=AuditAction.IMAGE_VIEW,
            project_id=image.project_id,
            target_type="image",
            target_id=image.pk,
            request=request,
            detail={"via": what},
        )


def audit_member(*, actor: Any, action: str, member: Any, request: HttpRequest, **detail: str) -> AuditEvent:
    """Record a membership change (added, role changed, removed) of member.user in member.project."""
    return audit_record(
        actor=actor,
        action=action,
        project_id=member.project_id,
        target_type="member",
        target_id=member.user_id,
        request=request,
        detail={"user": member.user.get_username(), **detail},
    )
