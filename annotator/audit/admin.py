"""The audit log in the admin: readable and filterable, never added to, changed or deleted."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from annotator.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "project_id", "target_type", "target_id", "address"]
    list_filter = ["action", "target_type", "at"]
    search_fields = ["actor_name", "=project_id", "=target_id", "address"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
