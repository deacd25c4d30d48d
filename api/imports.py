"""Import jobs: upload a COCO or native file as pre-labels (202), poll the job, list a project's imports."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.policies import Action
from annotator.audit.models import AuditAction
from annotator.audit.services import audit_record
from annotator.core.errors import ValidationFailed
from annotator.imports import services
from annotator.imports.models import ImportJob
from api.access import import_for, project_for


class SkippedOut(serializers.Serializer):
    item = serializers.CharField()
    reason = serializers.CharField()


class ReportOut(serializers.Serializer):
    format = serializers.CharField(required=False)
    total = serializers.IntegerField(required=False)
    processed = serializers.IntegerField(required=False)
    imported = serializers.IntegerField(required=False)
    already_present = serializers.IntegerField(required=False)
    skipped_count = serializers.IntegerField(required=False)
    skipped = SkippedOut(many=True, required=False)


class ImportOut(serializers.ModelSerializer):
    report = ReportOut()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "project",
            "filename",
            "mapping",
            "status",
            "progress",
            "report",
            "error",
            "created_by",
            "created_at",
            "finished_at",
        ]


class ImportListView(ListAPIView):
    """A project's import jobs (members who see the project); start one (managers and owners)."""

    serializer_class = ImportOut
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> QuerySet[ImportJob]:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        project_for(self.request.user, self.kwargs["project_id"], Action.VIEW)
        return ImportJob.objects.filter(project_id=self.kwargs["project_id"])

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ImportUpload",
                {
                    "file": serializers.FileField(help_text="COCO instances JSON, annotator.json, or a zip of either"),
                    "mapping": serializers.JSONField(
                        required=False, help_text="JSON object {category name: label id of this project}"
                    ),
                },
            )
        },
        responses={202: ImportOut},
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = project_for(request.user, project_id, Action.MANAGE)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed("Attach the file to import in the form field 'file'.", errors={"file": ["required"]})
        job = services.import_request(
            project=project,
            user=request.user,
            file=upload,
            filename=upload.name or "",
            mapping=request.data.get("mapping"),
        )
        audit_record(
            actor=request.user,
            action=AuditAction.IMPORT_REQUEST,
            project_id=job.project_id,
            target_type="import",
            target_id=job.pk,
            request=request._request,
            detail={"filename": job.filename, "mapping": job.mapping},
        )
        job.refresh_from_db()
        return Response(ImportOut(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    """One import job: its state, progress and report."""

    @extend_schema(responses=ImportOut)
    def get(self, request: Request, import_id: int) -> Response:
        return Response(ImportOut(import_for(request.user, import_id)).data)
