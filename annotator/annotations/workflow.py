"""The review workflow: assignments, the next-image queue, hand-in, review, and edit locks."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When

from annotator.accounts.models import Membership
from annotator.accounts.policies import Action, can, sees_only_assigned
from annotator.annotations.models import ReviewDecision, ReviewOutcome
from annotator.core.errors import Conflict, PermissionDenied, ValidationFailed
from annotator.imaging.models import Image, ImageStatus, WorkflowState
from annotator.projects.models import Project

OPEN_STATES = (WorkflowState.NEW, WorkflowState.IN_PROGRESS, WorkflowState.REJECTED)
LOCKED_STATES = (WorkflowState.SUBMITTED, WorkflowState.ACCEPTED)


def _member(project: Project, ref: str | int, field: str, action: Action) -> AbstractBaseUser:
    users = get_user_model().objects
    user = users.filter(pk=ref).first() if isinstance(ref, int) else users.filter(username=ref).first()
    membership = Membership.objects.filter(project=project, user=user).first() if user else None
    if membership is None:
        raise ValidationFailed(f"{ref!r} is not a member of this project.", errors={field: ["not a member"]})
    if not can(membership.role, action):
        raise ValidationFailed(
            f"{user.get_username()} is a {membership.role}, who cannot {action} in this project.",
            errors={field: [f"role {membership.role} cannot {action}"]},
        )
    return user


@transaction.atomic
def assignment_set(
    *, project: Project, image_ids: list[int], assignee: str | int | None, reviewer: str | int | None
) -> list[Image]:
    """Give images an annotator and a reviewer (both members with fitting roles; never the same person)."""
    images = list(Image.objects.select_for_update().filter(project=project, pk__in=image_ids).order_by("id"))
    missing = sorted(set(image_ids) - {image.pk for image in images})
    if missing:
        raise ValidationFailed(
            f"Images {missing} are not in this project.", errors={"images": [str(m) for m in missing]}
        )
    annotator = _member(project, assignee, "assignee", Action.ANNOTATE) if assignee is not None else None
    checker = _member(project, reviewer, "reviewer", Action.REVIEW) if reviewer is not None else None
    if annotator is not None and checker is not None and annotator.pk == checker.pk:
        raise ValidationFailed("The reviewer must be someone other than the assignee.", errors={"reviewer": ["same"]})
    for image in images:
        if annotator is not None:
            image.assignee = annotator
        if checker is not None:
            image.reviewer = checker
    Image.objects.bulk_update(images, ["assignee", "reviewer"])
    return images


def next_image(*, project: Project, user: AbstractBaseUser, role: str) -> Image | None:
    """The image the user should work on next: own rework first, then reviews, then unclaimed work."""
    ready = Image.objects.filter(project=project, status=ImageStatus.READY)
    queue = Q(pk__in=[])
    if can(role, Action.ANNOTATE):
        queue |= Q(assignee=user, workflow_state__in=OPEN_STATES)
        if not sees_only_assigned(role, annotators_see_all=project.annotators_see_all):
            queue |= Q(assignee__isnull=True, workflow_state=WorkflowState.NEW)
    if can(role, Action.REVIEW):
        queue |= Q(workflow_state=WorkflowState.SUBMITTED) & (Q(reviewer=user) | Q(reviewer__isnull=True))
        queue &= ~Q(workflow_state=WorkflowState.SUBMITTED, assignee=user, reviewer__isnull=True)
    priority = Case(
        When(assignee=user, workflow_state=WorkflowState.REJECTED, then=Value(0)),
        When(assignee=user, workflow_state=WorkflowState.IN_PROGRESS, then=Value(1)),
        When(assignee=user, workflow_state=WorkflowState.NEW, then=Value(2)),
        When(workflow_state=WorkflowState.SUBMITTED, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    return ready.filter(queue).annotate(priority=priority).order_by("priority", "id").first()


@transaction.atomic
def image_submit(*, image_id: int, user: AbstractBaseUser, role: str) -> Image:
    """The annotator hands the image in for review."""
    image = Image.objects.select_for_update().get(pk=image_id)
    if image.workflow_state not in OPEN_STATES:
        raise Conflict(
            f"The image is {image.workflow_state}; only new, in-progress or rejected images can be submitted.",
            code="invalid_state",
        )
    if image.assignee_id not in (None, user.pk) and not can(role, Action.MANAGE):
        raise PermissionDenied("Only the image's assignee (or a manager) can submit it.")
    if image.assignee_id is None:
        image.assignee = user
    image.workflow_state = WorkflowState.SUBMITTED
    image.save(update_fields=["assignee", "workflow_state", "updated_at"])
    return image


@transaction.atomic
def image_review(
    *, image_id: int, user: AbstractBaseUser, role: str, decision: str, comment: str = ""
) -> ReviewDecision:
    """Accept or reject a submitted image; a rejection goes back to its annotator with the comment."""
    image = Image.objects.select_for_update().get(pk=image_id)
    if image.workflow_state != WorkflowState.SUBMITTED:
        raise Conflict(
            f"The image is {image.workflow_state}; only submitted images can be reviewed.", code="invalid_state"
        )
    manager = can(role, Action.MANAGE)
    if image.reviewer_id not in (None, user.pk) and not manager:
        raise PermissionDenied("This image is assigned to another reviewer.")
    if image.assignee_id == user.pk and not manager:
        raise PermissionDenied("You cannot review your own work.")
    if decision == ReviewOutcome.REJECT and not comment.strip():
        raise ValidationFailed("Say what to fix: a rejection needs a comment.", errors={"comment": ["required"]})
    image.workflow_state = WorkflowState.ACCEPTED if decision == ReviewOutcome.ACCEPT else WorkflowState.REJECTED
    if image.reviewer_id is None:
        image.reviewer = user
    image.save(update_fields=["workflow_state", "reviewer", "updated_at"])
    return ReviewDecision.objects.create(image=image, reviewer=user, decision=decision, comment=comment.strip())


def note_edit(image: Image, role: str | None) -> None:
    """Called inside an annotation write: refuse edits on locked images, move open ones to in_progress."""
    if role is None:  # system writes (imports, models) are not bound to the workflow
        return
    if image.workflow_state in LOCKED_STATES and not can(role, Action.REVIEW):
        raise Conflict(
            f"The image is {image.workflow_state}; its annotations are locked until it is reviewed or reopened.",
            code="image_locked",
        )
    if image.workflow_state in (WorkflowState.NEW, WorkflowState.REJECTED):
        Image.objects.filter(pk=image.pk).update(workflow_state=WorkflowState.IN_PROGRESS)
        image.workflow_state = WorkflowState.IN_PROGRESS
