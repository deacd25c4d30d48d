"""Annotations of an image: list, create, read, change and delete with If-Match versions."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.policies import Action
from annotator.annotations import selectors, services
from annotator.annotations.models import Annotation, AnnotationSource, Revision
from annotator.core.errors import NotFound, PreconditionRequired, ValidationFailed
from annotator.projects.models import Label
from api.access import annotation_role, image_for, image_role
from api.auth import UserBrief
from api.fields import FrameField, IdField

IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True, description='The ETag, e.g. "3".')


class AnnotationOut(serializers.ModelSerializer):
    class Meta:
        model = Annotation
        fields = [
            "id",
            "image",
            "label",
            "frame",
            "geometry",
            "attributes",
            "author",
            "created_at",
            "updated_at",
            "version",
            "source",
        ]


class AnnotationIn(serializers.Serializer):
    label = IdField()
    frame = FrameField(required=False, default=0)
    geometry = serializers.JSONField(allow_null=True, required=False, default=None)
    attributes = serializers.JSONField(required=False, default=dict)
    source = serializers.ChoiceField(choices=AnnotationSource.choices, required=False, default="human")


def etag(annotation: Annotation) -> str:
    """The ETag of an annotation: its version, quoted."""
    return f'"{annotation.version}"'


def expected_version(request: Request) -> int | None:
    """The version named by If-Match; None for `*` (any current version, RFC 9110); 428 when missing.

    Garbage counts as version -1, which never matches (412).
    """
    raw = request.headers.get("If-Match")
    if not raw:
        raise PreconditionRequired(
            "Send If-Match with the annotation's ETag (its version) so no edit is lost.",
        )
    if raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else -1


def _label(image_project_id: int, label_id: int) -> Label:
    label = Label.objects.filter(pk=label_id, project_id=image_project_id).first()
    if label is None:
        raise ValidationFailed("No such label in this project.", errors={"label": ["not in this project"]})
    return label


def _respond(annotation: Annotation, code: int = status.HTTP_200_OK) -> Response:
    response = Response(selectors.annotation_listed(annotation), status=code)
    response["ETag"] = etag(annotation)
    return response


def _page_response(paginator: CursorPagination, results: str) -> HttpResponse:
    """The paginated list's body with the results' JSON text spliced in as it is (not decoded, not re-encoded)."""
    links = {"next": paginator.get_next_link(), "previous": paginator.get_previous_link()}
    head = ",".join(f"{json.dumps(key)}:{json.dumps(value)}" for key, value in links.items())
    return HttpResponse(f'{{{head},"results":{results}}}', content_type="application/json")


class AnnotationListView(ListAPIView):
    """List an image's annotations; create one."""

    serializer_class = AnnotationOut

    def get_queryset(self) -> QuerySet[Annotation]:
        if getattr(self, "swagger_fake_view", False):
            return Annotation.objects.none()
        image = image_for(self.request.user, self.kwargs["image_id"])
        return Annotation.objects.filter(image=image)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """The cursor paginator picks the page's ids; the selector writes their JSON (AnnotationOut's fields)."""
        if self.paginator is None or not isinstance(request.accepted_renderer, JSONRenderer):
            return super().list(request, *args, **kwargs)  # e.g. the browsable API, which renders serializer data
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values("id"))
        return _page_response(self.paginator, selectors.annotations_json(ids=[row["id"] for row in page]))

    @extend_schema(request=AnnotationIn, responses={201: AnnotationOut})
    def post(self, request: Request, image_id: int) -> Response:
        image, role = image_role(request.user, image_id, Action.ANNOTATE)
        data = AnnotationIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["label"] = _label(image.project_id, fields["label"])
        annotation = services.annotation_create(image=image, author=request.user, role=role, **fields)
        return _respond(annotation, status.HTTP_201_CREATED)


class AnnotationPatchIn(serializers.Serializer):
    label = IdField(required=False)
    frame = FrameField(required=False)
    geometry = serializers.JSONField(allow_null=True, required=False)
    attributes = serializers.JSONField(required=False)


class AnnotationDetailView(APIView):
    """Read, change or delete one annotation (changes need If-Match)."""

    @extend_schema(responses=AnnotationOut)
    def get(self, request: Request, annotation_id: int) -> Response:
        return _respond(annotation_role(request.user, annotation_id)[0])

    @extend_schema(request=AnnotationPatchIn, responses=AnnotationOut, parameters=[IF_MATCH])
    def patch(self, request: Request, annotation_id: int) -> Response:
        annotation, role = annotation_role(request.user, annotation_id, Action.ANNOTATE)
        version = expected_version(request)
        data = AnnotationPatchIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "label" in changes:
            changes["label"] = _label(annotation.image.project_id, changes["label"])
        updated = services.annotation_update(
            annotation_id=annotation.pk,
            actor=request.user,
            expected_version=version,
            changes=changes,
            role=role,
            loaded=annotation,
        )
        return _respond(updated)

    @extend_schema(responses={204: None}, parameters=[IF_MATCH])
    def delete(self, request: Request, annotation_id: int) -> Response:
        annotation, role = annotation_role(request.user, annotation_id, Action.ANNOTATE)
        services.annotation_delete(
            annotation_id=annotation.pk,
            actor=request.user,
            expected_version=expected_version(request),
            role=role,
            loaded=annotation,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BulkIn(serializers.Serializer):
    create = serializers.ListField(child=serializers.JSONField(), required=False, default=list, max_length=5000)
    update = serializers.ListField(child=serializers.JSONField(), required=False, default=list, max_length=5000)
    delete = serializers.ListField(child=serializers.JSONField(), required=False, default=list, max_length=5000)


class BulkOut(serializers.Serializer):
    created = AnnotationOut(many=True)
    updated = AnnotationOut(many=True)
    deleted = serializers.ListField(child=serializers.IntegerField())


class AnnotationBulkView(APIView):
    """Create, update and delete many annotations of one image in one transaction (the UI's autosave)."""

    @extend_schema(request=BulkIn, responses={200: BulkOut})
    def post(self, request: Request, image_id: int) -> Response:
        image, role = image_role(request.user, image_id, Action.ANNOTATE)
        data = BulkIn(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.annotations_bulk(image=image, actor=request.user, role=role, **data.validated_data)
        return Response(
            {
                "created": [selectors.annotation_listed(a) for a in result.created],
                "updated": [selectors.annotation_listed(a) for a in result.updated],
                "deleted": result.deleted,
            }
        )


class RevisionOut(serializers.ModelSerializer):
    actor = UserBrief(allow_null=True)
    changed = serializers.SerializerMethodField()

    class Meta:
        model = Revision
        fields = ["id", "annotation_id", "action", "actor", "at", "version", "before", "after", "changed"]

    def get_changed(self, revision: Revision) -> list[str]:
        before, after = revision.before or {}, revision.after or {}
        return sorted(k for k in set(before) | set(after) if k != "version" and before.get(k) != after.get(k))


class AnnotationHistoryView(ListAPIView):
    """Every revision of an annotation (also after it was deleted): who, when, what changed."""

    serializer_class = RevisionOut

    def get_queryset(self) -> QuerySet[Revision]:
        if getattr(self, "swagger_fake_view", False):
            return Revision.objects.none()
        annotation_id = self.kwargs["annotation_id"]
        first = Revision.objects.filter(annotation_id=annotation_id).order_by("id").first()
        if first is None:
            raise NotFound("No annotation with this id.")
        try:
            image_for(self.request.user, first.image_id)
        except NotFound:  # the same answer as for an id that never existed
            raise NotFound("No annotation with this id.") from None
        return Revision.objects.filter(annotation_id=annotation_id).select_related("actor")
