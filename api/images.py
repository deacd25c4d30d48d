"""Images: upload, list, read, change, delete; thumbnail, Deep Zoom descriptor, tiles and whole frames."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import django_filters
import pyvips
from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.policies import Action, sees_held, sees_only_assigned
from annotator.audit.services import audit_image_view
from annotator.core.errors import NotFound, ValidationFailed
from annotator.core.storage import StoreError, store
from annotator.imaging import render, services
from annotator.imaging.models import Image, ImageKind, ImageStatus, WorkflowState
from annotator.imaging.processing import original_path, thumbnail_path
from annotator.imaging.tiles import container, deepzoom
from api.access import image_for, project_for, project_role
from api.fields import MAX_ID
from api.parsers import ReportingMultiPartParser, refused_files

METADATA_KEYS = (
    "modality",
    "study_uid",
    "series_uid",
    "patient_ref",
    "pixel_spacing",
    "slice_thickness",
    "window_center",
    "window_width",
    "bits_stored",
    "photometric",
)
TILE_CACHE = "private, max-age=86400"
VERSIONED_CACHE = "private, max-age=31536000, immutable"
VERSION = OpenApiParameter(
    "v",
    int,
    description="The derivatives version the image's URLs carry (changes when the image is re-processed); "
    "with the current one the answer may be cached for a year.",
)


class ImageMetadata(serializers.Serializer):
    modality = serializers.CharField(allow_null=True)
    study_uid = serializers.CharField(allow_null=True)
    series_uid = serializers.CharField(allow_null=True)
    patient_ref = serializers.CharField(allow_null=True, help_text="A pseudonym, never the PatientID.")
    pixel_spacing = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    slice_thickness = serializers.FloatField(allow_null=True)
    window_center = serializers.FloatField(allow_null=True)
    window_width = serializers.FloatField(allow_null=True)
    bits_stored = serializers.IntegerField(allow_null=True)
    photometric = serializers.CharField(allow_null=True)


class ImageOut(serializers.ModelSerializer):
    thumbnail_url = serializers.SerializerMethodField()
    dzi_url = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()

    class Meta:
        model = Image
        fields = [
            "id",
            "project",
            "name",
            "kind",
            "status",
            "error",
            "width",
            "height",
            "frames",
            "created_at",
            "thumbnail_url",
            "dzi_url",
            "metadata",
            "site",
            "workflow_state",
            "assignee",
            "reviewer",
        ]

    def _url(self, image: Image, suffix: str) -> str | None:
        if image.status not in (ImageStatus.READY, ImageStatus.HELD):
            return None
        path = f"/api/v1/images/{image.pk}/{suffix}?v={derivatives_version(image)}"  # new URL after re-processing
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_thumbnail_url(self, image: Image) -> str | None:
        return self._url(image, "thumbnail")

    def get_dzi_url(self, image: Image) -> str | None:
        return self._url(image, "dzi")

    @extend_schema_field(ImageMetadata)
    def get_metadata(self, image: Image) -> dict[str, Any]:
        stored = image.metadata or {}
        return {key: stored.get(key) for key in METADATA_KEYS}


class UploadOut(serializers.Serializer):
    images = ImageOut(many=True)
    rejected = inline_serializer(
        "Rejected",
        {"filename": serializers.CharField(), "detail": serializers.CharField(), "code": serializers.CharField()},
        many=True,
    )


class ImageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ImageStatus.choices)
    kind = django_filters.ChoiceFilter(choices=ImageKind.choices)
    workflow_state = django_filters.ChoiceFilter(choices=WorkflowState.choices)
    assignee = django_filters.NumberFilter(field_name="assignee_id", min_value=1, max_value=MAX_ID)
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Image
        fields = ["status", "kind", "workflow_state", "assignee", "search"]


class ImageListView(ListAPIView):
    """List a project's images; upload new ones (multipart, field `file`, repeatable)."""

    serializer_class = ImageOut
    filterset_class = ImageFilter

    def get_parsers(self) -> list:
        if self.request is not None and self.request.method == "POST":
            return [ReportingMultiPartParser()]
        return super().get_parsers()

    def get_queryset(self) -> QuerySet[Image]:
        if getattr(self, "swagger_fake_view", False):
            return Image.objects.none()
        project, role = project_role(self.request.user, self.kwargs["project_id"])
        images = Image.objects.filter(project=project)
        if sees_only_assigned(role, annotators_see_all=project.annotators_see_all):
            images = images.filter(assignee=self.request.user)
        if not sees_held(role):
            images = images.exclude(status=ImageStatus.HELD)
        return images

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ImageUpload",
                {
                    "file": serializers.ListField(child=serializers.FileField()),
                    "site": serializers.CharField(required=False),
                },
            )
        },
        responses={201: UploadOut},
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = project_for(request.user, project_id, Action.UPLOAD)
        files = request.FILES.getlist("file")
        refused = refused_files(request.data)  # parts whose very name was unusable
        if not files and not refused:
            raise ValidationFailed("Attach at least one file in the form field 'file'.", errors={"file": ["required"]})
        site = str(request.data.get("site", "") or "")
        result = services.image_upload(project=project, user=request.user, files=files, site=site)
        result.rejected[:0] = refused
        fresh = Image.objects.filter(pk__in=[i.pk for i in result.images]).order_by("id")
        body = {"images": ImageOut(fresh, many=True, context={"request": request}).data, "rejected": result.rejected}
        return Response(body, status=status.HTTP_201_CREATED)


class ImagePatchIn(serializers.Serializer):
    name = serializers.CharField(max_length=255, required=False)
    site = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ImageDetailView(APIView):
    """Read, rename/re-tag, or delete one image."""

    @extend_schema(responses=ImageOut)
    def get(self, request: Request, image_id: int) -> Response:
        return Response(ImageOut(image_for(request.user, image_id), context={"request": request}).data)

    @extend_schema(request=ImagePatchIn, responses=ImageOut)
    def patch(self, request: Request, image_id: int) -> Response:
        image = image_for(request.user, image_id, Action.MANAGE)
        data = ImagePatchIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(image, name, value)
        image.save()
        return Response(ImageOut(image, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, image_id: int) -> Response:
        services.image_delete(image=image_for(request.user, image_id, Action.MANAGE))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _ready(request: Request, image_id: int) -> Image:
    image = image_for(request.user, image_id)
    if image.status not in (ImageStatus.READY, ImageStatus.HELD):
        raise NotFound(f"The image is {image.status}; its tiles are not available.", code="not_ready")
    return image


def derivatives_version(image: Image) -> int:
    """Which processing produced the image's tiles and thumbnail (ms since the epoch; 0 before any)."""
    return int(image.processed_at.timestamp() * 1000) if image.processed_at else 0


def _cached(request: Request, etag: str, make: Callable[[], HttpResponse], image: Image) -> HttpResponse:
    """304 when the client holds this version, else the response `make` builds; both carry ETag and cache headers.

    A URL naming the current version (`?v=`, as the image's URLs and the viewer's tile URLs do) cannot
    change content, so browsers may keep it for a year without asking; other URLs are revalidated daily.
    """
    response = HttpResponseNotModified() if request.headers.get("If-None-Match") == etag else make()
    response["ETag"] = etag
    versioned = request.query_params.get("v") == str(derivatives_version(image))
    response["Cache-Control"] = VERSIONED_CACHE if versioned else TILE_CACHE
    return response


def _bytes(data: bytes, content_type: str) -> HttpResponse:
    """A streamed response over bytes already in memory (with Content-Length), like a file response."""
    return FileResponse(io.BytesIO(data), content_type=content_type)


def _etag(image: Image, *parts: object) -> str:
    return '"' + "-".join(str(p) for p in (image.pk, derivatives_version(image), *parts)) + '"'


def _frame_param(image: Image, raw: str | None) -> int:
    value = raw if raw is not None else "0"
    if not value.isdigit() or len(value) > 9 or int(value) >= image.frames:
        raise ValidationFailed(
            f"frame must be an integer from 0 to {image.frames - 1}.", errors={"frame": ["out of range"]}
        )
    return int(value)


def _pyramid(image: Image, frame: int) -> container.Pyramid:
    try:
        return render.frame_pyramid(image, frame)
    except container.ContainerError as exc:
        raise NotFound("The tile pyramid is missing; re-process the image.", code="missing_file") from exc
    except pyvips.Error as exc:
        raise NotFound(f"Frame {frame} cannot be rendered; re-process the image.", code="render_failed") from exc


class ThumbnailView(APIView):
    """The image's thumbnail (longest side ≤ 256 px)."""

    @extend_schema(parameters=[VERSION], responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request: Request, image_id: int) -> HttpResponse:
        image = _ready(request, image_id)
        path = thumbnail_path(image)
        kind = "image/png" if path.suffix == ".png" else "image/jpeg"
        files = store()
        if files.remote and settings.ANNOTATOR_PRESIGNED_REDIRECTS:
            url = files.url(path, expires=settings.ANNOTATOR_PRESIGNED_SECONDS, content_type=kind)
            if url:
                return HttpResponseRedirect(url)

        def read() -> HttpResponse:
            try:
                return _bytes(files.read(path), kind)
            except StoreError as exc:
                raise NotFound("The thumbnail is missing; re-process the image.", code="missing_file") from exc

        return _cached(request, _etag(image, "thumb"), read, image)


class DziView(APIView):
    """The Deep Zoom descriptor (XML); every frame shares it, tiles take ?frame=N."""

    @extend_schema(parameters=[VERSION], responses={(200, "application/xml"): OpenApiTypes.STR})
    def get(self, request: Request, image_id: int) -> HttpResponse:
        image = _ready(request, image_id)
        audit_image_view(actor=request.user, image=image, request=request._request, what="dzi")
        pyramid = _pyramid(image, 0)
        body = deepzoom.dzi_xml(pyramid.grid, pyramid.tile_format)
        return _cached(request, _etag(image, "dzi"), lambda: _bytes(body, "application/xml"), image)


class TileView(APIView):
    """One Deep Zoom tile of a frame (frame 0 unless ?frame=N); other frames are tiled on first request."""

    @extend_schema(
        parameters=[OpenApiParameter("frame", int, description="Frame number, from 0."), VERSION],
        responses={(200, "image/*"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, image_id: int, level: int, col: int, row: int, fmt: str) -> HttpResponse:
        image = _ready(request, image_id)
        frame = _frame_param(image, request.query_params.get("frame"))
        if fmt != image.tile_format:
            raise NotFound(f"This image's tiles are {image.tile_format}.", code="wrong_format")
        etag = _etag(image, frame, level, col, row)
        if request.headers.get("If-None-Match") == etag:
            return _cached(request, etag, HttpResponseNotModified, image)
        try:
            data = container.read_tile(_pyramid(image, frame), level, col, row)
        except container.ContainerError as exc:
            raise NotFound("The tile pyramid is missing; re-process the image.", code="missing_file") from exc
        if data is None:
            raise NotFound("No such tile.", code="no_tile")
        return _cached(request, etag, lambda: _bytes(data, f"image/{fmt}"), image)


class FramesView(APIView):
    """One whole frame: the displayed PNG, or with ?raw=1 its values for client-side window/level.

    Raw frames are little-endian, row-major bytes; X-Frame-Dtype and X-Frame-Shape say how to read them,
    X-Rescale-* how stored values became the values sent, X-Window-* the default window.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("raw", bool, description="1 for the values instead of the rendered PNG."),
            VERSION,
        ],
        responses={(200, "image/png"): OpenApiTypes.BINARY, (200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, image_id: int, frame: int) -> HttpResponse:
        image = _ready(request, image_id)
        if frame >= image.frames:
            raise NotFound(f"The image has {image.frames} frame(s), numbered from 0.", code="no_frame")
        raw = request.query_params.get("raw", "0") in ("1", "true")
        audit_image_view(actor=request.user, image=image, request=request._request, what="frame")
        etag = _etag(image, "frame", frame, "raw" if raw else "png")
        return _cached(request, etag, lambda: _frame_response(image, frame, raw=raw), image)


def _frame_response(image: Image, frame: int, *, raw: bool) -> HttpResponse:
    try:
        if not raw:
            png = render.frame_png(original=original_path(image), kind=image.kind, frame=frame, stored=image.metadata)
            return _bytes(png, "image/png")
        values = render.frame_raw(image, frame)
    except pyvips.Error as exc:
        raise NotFound(f"Frame {frame} cannot be rendered; re-process the image.", code="render_failed") from exc
    response = _bytes(values.little_endian_bytes(), "application/octet-stream")
    for name, value in values.headers.items():
        response[name] = value
    response["Access-Control-Expose-Headers"] = ", ".join(values.headers)
    return response
