"""Dataset versions: list and freeze a project's labels, read one, compare two."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.policies import Action
from annotator.exports import versions
from annotator.exports.models import DatasetVersion
from api.access import project_for


class VersionOut(serializers.ModelSerializer):
    class Meta:
        model = DatasetVersion
        fields = ["id", "project", "name", "notes", "created_at", "created_by", "counts", "sha256", "size"]


class VersionIn(serializers.Serializer):
    name = serializers.CharField(max_length=versions.NAME_MAX)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class VersionListView(ListAPIView):
    """A project's dataset versions; freeze a new one (who may export may version)."""

    serializer_class = VersionOut

    def get_queryset(self) -> QuerySet[DatasetVersion]:
        if getattr(self, "swagger_fake_view", False):
            return DatasetVersion.objects.none()
        project_for(self.request.user, self.kwargs["project_id"], Action.EXPORT)
        return DatasetVersion.objects.filter(project_id=self.kwargs["project_id"])

    @extend_schema(request=VersionIn, responses={201: VersionOut})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_for(request.user, project_id, Action.EXPORT)
        data = VersionIn(data=request.data)
        data.is_valid(raise_exception=True)
        version = versions.version_create(project=project, user=request.user, **data.validated_data)
        return Response(VersionOut(version).data, status=status.HTTP_201_CREATED)


class VersionDetailView(APIView):
    """One dataset version."""

    @extend_schema(responses=VersionOut)
    def get(self, request: Request, project_id: int, version_id: int) -> Response:
        project_for(request.user, project_id, Action.EXPORT)
        return Response(VersionOut(versions.version_get(project_id=project_id, version_id=version_id)).data)


class VersionDiffView(APIView):
    """Annotations added, changed and removed from version a to version b."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, project_id: int, a: int, b: int) -> Response:
        project_for(request.user, project_id, Action.EXPORT)
        diff: dict[str, Any] = versions.version_diff(project_id=project_id, a=a, b=b)
        return Response(diff)
