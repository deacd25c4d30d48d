"""A project's audit trail, for its owners and managers."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from annotator.accounts.policies import Action
from annotator.audit.models import AuditAction, AuditEvent
from annotator.audit.selectors import audit_events
from api.access import project_for
from api.fields import IdField


class AuditOut(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "action", "target_type", "target_id", "detail", "address"]

    def get_actor(self, event: AuditEvent) -> dict | None:
        return {"id": event.actor_id, "username": event.actor_name} if event.actor_id is not None else None


class AuditFilter(serializers.Serializer):
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    actor = serializers.CharField(required=False, max_length=150, help_text="A user id or a username.")
    target_type = serializers.CharField(required=False, max_length=32)
    target_id = IdField(required=False)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


@extend_schema(parameters=[AuditFilter])
class AuditListView(ListAPIView):
    """Who viewed, downloaded, exported, released and changed roles in the project, oldest first."""

    serializer_class = AuditOut

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        project = project_for(self.request.user, self.kwargs["project_id"], Action.MANAGE)
        filters = AuditFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return audit_events(project_id=project.pk, **filters.validated_data)
