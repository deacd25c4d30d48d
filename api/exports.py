"""Export jobs: request one (202), poll it, download its zip."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.policies import Action
from annotator.audit.models import AuditAction
from annotator.audit.services import audit_record
from annotator.core.errors import Conflict
from annotator.core.storage import store
from annotator.exports import services
from annotator.exports.models import ExportJob, ExportStatus
from api.access import export_for, project_for


class ExportOut(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "project",
            "format",
            "options",
            "status",
            "progress",
            "error",
            "created_at",
            "finished_at",
            "download_url",
            "sha256",
            "size",
        ]

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportStatus.DONE:
            return None
        path = f"/api/v1/exports/{job.pk}/download"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ExportIn(serializers.Serializer):
    format = serializers.CharField()
    options = serializers.JSONField(required=False, default=dict)


def _audit_export(request: Request, action: str, job: ExportJob, detail: dict) -> None:
    audit_record(
        actor=request.user,
        action=action,
        project_id=job.project_id,
        target_type="export",
        target_id=job.pk,
        request=request._request,
        detail=detail,
    )


class ExportListView(ListAPIView):
    """A project's export jobs; request a new one."""

    serializer_class = ExportOut

    def get_queryset(self) -> QuerySet[ExportJob]:
        if getattr(self, "swagger_fake_view", False):
            return ExportJob.objects.none()
        project_for(self.request.user, self.kwargs["project_id"], Action.EXPORT)
        return ExportJob.objects.filter(project_id=self.kwargs["project_id"])

    @extend_schema(request=ExportIn, responses={202: ExportOut})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_for(request.user, project_id, Action.EXPORT)
        data = ExportIn(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.export_request(project=project, user=request.user, **data.validated_data)
        _audit_export(request, AuditAction.EXPORT_REQUEST, job, {"format": job.format, "options": job.options})
        job.refresh_from_db()
        return Response(ExportOut(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(APIView):
    """One export job's state."""

    @extend_schema(responses=ExportOut)
    def get(self, request: Request, export_id: int) -> Response:
        return Response(ExportOut(export_for(request.user, export_id), context={"request": request}).data)


class ExportCancelView(APIView):
    """Cancel a queued or running export (409 once it has ended)."""

    @extend_schema(request=None, responses=ExportOut)
    def post(self, request: Request, export_id: int) -> Response:
        job = services.export_cancel(job=export_for(request.user, export_id))
        return Response(ExportOut(job, context={"request": request}).data)


class ExportDownloadView(APIView):
    """The export's zip, streamed (or, with an object store and presigned redirects on, a redirect to it)."""

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY, 302: None})
    def get(self, request: Request, export_id: int) -> HttpResponseBase:
        job = export_for(request.user, export_id)
        path = services.export_zip_path(job)
        files = store()
        if job.status != ExportStatus.DONE or not files.exists(path):
            raise Conflict(f"The export is {job.status}; nothing to download yet.", code="export_not_ready")
        filename = f"project{job.project_id}-{job.format}-export{job.pk}.zip"
        if files.remote and settings.ANNOTATOR_PRESIGNED_REDIRECTS:
            url = files.url(path, expires=settings.ANNOTATOR_PRESIGNED_SECONDS, filename=filename)
            if url:
                return HttpResponseRedirect(url)
        if files.remote:
            response: HttpResponseBase = StreamingHttpResponse(files.iter_chunks(path), content_type="application/zip")
            response["Content-Length"] = str(files.size(path))
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        else:
            response = FileResponse(
                open(path, "rb"),  # noqa: SIM115 (Django closes it after streaming)
                as_attachment=True,
                filename=filename,
                content_type="application/zip",
            )
        response["Digest"] = f"sha-256={job.sha256}"
        _audit_export(request, AuditAction.EXPORT_DOWNLOAD, job, {"sha256": job.sha256})
        return response
