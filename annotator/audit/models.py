"""AuditEvent: one append-only row per sensitive act; plain ids, so the trail outlives users and projects."""

from __future__ import annotations

from typing import Any

from django.db import models


class AuditAction(models.TextChoices):
    IMAGE_VIEW = "image_view", "Image viewed"
    EXPORT_REQUEST = "export_request", "Export requested"
    EXPORT_DOWNLOAD = "export_download", "Export downloaded"
    IMPORT_REQUEST = "import_request", "Import requested"
    IMAGE_RELEASE = "image_release", "Held image released"
    MEMBER_ADD = "member_add", "Member added"
    ROLE_CHANGE = "role_change", "Role changed"
    MEMBER_REMOVE = "member_remove", "Member removed"


class AppendOnly(Exception):
    """The audit log is never changed or deleted through the application."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit events cannot be deleted")


class AuditEvent(models.Model):
    """Who (actor id and name at the time) did what (action) to which object, in which project, from where."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    project_id = models.BigIntegerField(null=True)
    target_type = models.CharField(max_length=32)
    target_id = models.BigIntegerField(null=True)
    detail = models.JSONField(default=dict, blank=True)
    address = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["project_id", "id"], name="audit_project_id")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or '-'} {self.action} {self.target_type} {self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit events cannot be deleted")
