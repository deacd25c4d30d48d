"""Reads about annotation work: per-project and per-annotator progress."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from annotator.accounts.models import Membership
from annotator.annotations.models import Annotation
from annotator.imaging.models import Image, WorkflowState
from annotator.projects.models import Project


def project_progress(*, project: Project) -> dict[str, Any]:
    """Image counts by workflow state, and per member: assigned images by state and annotations authored."""
    states = {state: 0 for state in WorkflowState.values}
    for row in Image.objects.filter(project=project).values("workflow_state").annotate(n=Count("id")):
        states[row["workflow_state"]] = row["n"]
    per_user: dict[int, dict[str, Any]] = {}
    members = Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    for member in members:
        per_user[member.user_id] = {
            "user": {"id": member.user_id, "username": member.user.get_username()},
            "role": member.role,
            "assigned": 0,
            "annotations": 0,
            **{state: 0 for state in WorkflowState.values},
        }
    assigned = Image.objects.filter(project=project, assignee__isnull=False)
    for row in assigned.values("assignee_id", "workflow_state").annotate(n=Count("id")):
        entry = per_user.get(row["assignee_id"])
        if entry is not None:
            entry[row["workflow_state"]] += row["n"]
            entry["assigned"] += row["n"]
    authored = Annotation.objects.filter(image__project=project, author__isnull=False)
    for row in authored.values("author_id").annotate(n=Count("id")):
        if row["author_id"] in per_user:
            per_user[row["author_id"]]["annotations"] = row["n"]
    total = sum(states.values())
    return {
        "images": {"total": total, **states},
        "done_fraction": round(states[WorkflowState.ACCEPTED] / total, 4) if total else 0.0,
        "annotations": Annotation.objects.filter(image__project=project).count(),
        "members": list(per_user.values()),
    }
