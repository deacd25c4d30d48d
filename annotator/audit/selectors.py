"""Reading the audit trail: a project's events, filtered."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from annotator.audit.models import AuditEvent


def audit_events(
    *,
    project_id: int,
    action: str | None = None,
    actor: str | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The project's events matching every filter given (actor: a user id or a username)."""
    events = AuditEvent.objects.filter(project_id=project_id)
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_id=int(actor)) if actor.isdigit() else events.filter(actor_name=actor)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id is not None:
        events = events.filter(target_id=target_id)
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    return events
