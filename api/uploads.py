"""Resumable uploads over HTTP: open, send chunks with Upload-Offset, check progress, complete, abort."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.policies import Action
from annotator.core.errors import NotFound, TooLarge, ValidationFailed
from annotator.uploads import services
from annotator.uploads.models import Upload
from api.access import project_for
from api.images import ImageOut, UploadOut

OFFSET = OpenApiParameter(
    "Upload-Offset",
    int,
    OpenApiParameter.HEADER,
    required=True,
    description="The number of bytes the server has; the chunk is written there.",
)


class UploadStatusOut(serializers.ModelSerializer):
    upload_url = serializers.SerializerMethodField()
    chunk_size = serializers.SerializerMethodField(help_text="The largest chunk the server takes in one PATCH.")

    class Meta:
        model = Upload
        fields = [
            "id",
            "project",
            "filename",
            "size",
            "offset",
            "sha256",
            "site",
            "status",
            "error",
            "result",
            "created_at",
            "expires_at",
            "upload_url",
            "chunk_size",
        ]

    def get_chunk_size(self, upload: Upload) -> int:
        return settings.ANNOTATOR_UPLOAD_CHUNK_BYTES

    def get_upload_url(self, upload: Upload) -> str:
        path = f"/api/v1/uploads/{upload.pk}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class UploadIn(serializers.Serializer):
    filename = serializers.CharField(max_length=1000)
    size = serializers.IntegerField(min_value=1, max_value=2**62)
    sha256 = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    site = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class OctetStreamParser(BaseParser):
    """Accepts chunk bodies; the view streams request.stream itself and never parses them."""

    media_type = "application/offset+octet-stream"


def _own_upload(request: Request, upload_id: int) -> Upload:
    upload = Upload.objects.filter(pk=upload_id, user_id=request.user.pk).select_related("project").first()
    if upload is None:  # another person's upload does not exist for you
        raise NotFound("No upload with this id.")
    project_for(request.user, upload.project_id, Action.UPLOAD)
    return upload


class UploadListView(APIView):
    """Open a resumable upload in a project; its size is checked against the limits before any byte."""

    @extend_schema(request=UploadIn, responses={201: UploadStatusOut})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_for(request.user, project_id, Action.UPLOAD)
        data = UploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = services.upload_open(project=project, user=request.user, **data.validated_data)
        response = Response(UploadStatusOut(upload, context={"request": request}).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/uploads/{upload.pk}/"
        response["Upload-Offset"] = "0"
        return response


class UploadDetailView(APIView):
    """Progress of one upload (GET), a chunk (PATCH with Upload-Offset), or abort (DELETE)."""

    parser_classes = [OctetStreamParser]

    @extend_schema(responses=UploadStatusOut)
    def get(self, request: Request, upload_id: int) -> Response:
        upload = _own_upload(request, upload_id)
        response = Response(UploadStatusOut(upload, context={"request": request}).data)
        response["Upload-Offset"] = str(upload.offset)
        return response

    @extend_schema(
        request={"application/offset+octet-stream": OpenApiTypes.BINARY},
        parameters=[OFFSET],
        responses={204: None},
    )
    def patch(self, request: Request, upload_id: int) -> Response:
        upload = _own_upload(request, upload_id)
        raw_offset = request.headers.get("Upload-Offset", "")
        if not raw_offset.isdigit() or len(raw_offset) > 18:
            raise ValidationFailed(
                "Send Upload-Offset: the byte offset this chunk starts at.", errors={"Upload-Offset": ["required"]}
            )
        raw_length = request.headers.get("Content-Length", "")
        length = int(raw_length) if raw_length.isdigit() and len(raw_length) <= 18 else None
        if length is not None and length > settings.ANNOTATOR_UPLOAD_CHUNK_BYTES:  # refuse before reading a byte
            raise TooLarge(f"A chunk may hold at most {settings.ANNOTATOR_UPLOAD_CHUNK_BYTES} bytes.")
        upload = services.upload_append(
            upload_id=upload.pk, offset=int(raw_offset), length=length, stream=request._request
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response["Upload-Offset"] = str(upload.offset)
        return response

    @extend_schema(responses={204: None})
    def delete(self, request: Request, upload_id: int) -> Response:
        services.upload_abort(upload_id=_own_upload(request, upload_id).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UploadCompleteView(APIView):
    """All bytes are in: verify the checksum and ingest the file (zips and DICOM series as in multipart)."""

    @extend_schema(request=None, responses={201: UploadOut})
    def post(self, request: Request, upload_id: int) -> Response:
        upload = _own_upload(request, upload_id)
        result = services.upload_complete(upload_id=upload.pk)
        body = {
            "images": ImageOut(result.images, many=True, context={"request": request}).data,
            "rejected": result.rejected,
        }
        return Response(body, status=status.HTTP_201_CREATED)
