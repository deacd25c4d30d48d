"""Admin for users and project memberships; staff cannot grant themselves more power."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from annotator.accounts.models import Membership
from annotator.accounts.tokens import token_revoke
from annotator.audit.models import AuditAction
from annotator.audit.services import audit_member

User = get_user_model()
# Fields only a superuser may change: flipping any of them is a privilege escalation.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "project", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user", "project"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self._audit(request, AuditAction.MEMBER_ADD, obj, role=obj.role)
        elif "role" in form.changed_data:
            self._audit(request, AuditAction.ROLE_CHANGE, obj, role=obj.role, previous=form.initial.get("role", ""))

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        super().delete_model(request, obj)
        self._audit(request, AuditAction.MEMBER_REMOVE, obj, role=obj.role)

    def _audit(self, request: HttpRequest, action: str, obj: Membership, **detail: str) -> None:
        audit_member(actor=request.user, action=action, member=obj, request=request, via="admin", **detail)


class GuardedUserAdmin(UserAdmin):
    """The stock user admin, with privilege fields read-only for anyone but a superuser."""

    actions = ["revoke_api_tokens"]

    @admin.action(description="Revoke the API tokens of the selected users", permissions=["change"])
    def revoke_api_tokens(self, request: HttpRequest, queryset: Any) -> None:
        count = token_revoke(user_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"Revoked {count} API token(s).", messages.SUCCESS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return fields + PRIVILEGE_FIELDS

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A staff member may not edit a superuser (e.g. to reset their password and log in as them).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(User)
admin.site.register(User, GuardedUserAdmin)
