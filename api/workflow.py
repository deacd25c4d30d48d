"""The review workflow over HTTP: assignments, next image, submit, review, reviews, progress."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.policies import Action
from annotator.annotations import workflow
from annotator.annotations.models import ReviewDecision, ReviewOutcome
from annotator.annotations.selectors import project_progress
from annotator.core.errors import ValidationFailed
from api.access import image_for, image_role, project_for, project_role
from api.auth import UserBrief
from api.fields import MAX_ID, IdField
from api.images import ImageOut


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": True})
class UserRef(serializers.Field):
    """A user given as a username or an id."""

    def to_internal_value(self, data: object) -> str | int:
        if isinstance(data, bool) or not isinstance(data, str | int) or data == "":
            raise serializers.ValidationError("give a username or a user id")
        if isinstance(data, int) and not 0 < data <= MAX_ID:
            raise serializers.ValidationError("not a valid user id")
        return data

    def to_representation(self, value: object) -> object:
        return value


class AssignmentIn(serializers.Serializer):
    images = serializers.ListField(child=IdField(), min_length=1, max_length=10000)
    assignee = UserRef(required=False, allow_null=True)
    reviewer = UserRef(required=False, allow_null=True)


class AssignmentView(APIView):
    """Assign images to an annotator and a reviewer."""

    @extend_schema(
        request=AssignmentIn,
        responses={200: inline_serializer("AssignmentOut", {"images": ImageOut(many=True)})},
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = project_for(request.user, project_id, Action.MANAGE)
        data = AssignmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("assignee") is None and data.validated_data.get("reviewer") is None:
            raise ValidationFailed("Give an assignee, a reviewer or both.", errors={"assignee": ["required"]})
        images = workflow.assignment_set(
            project=project,
            image_ids=data.validated_data["images"],
            assignee=data.validated_data.get("assignee"),
            reviewer=data.validated_data.get("reviewer"),
        )
        return Response({"images": ImageOut(images, many=True, context={"request": request}).data})


class NextView(APIView):
    """The next image for the caller to work on; 204 when there is none."""

    @extend_schema(responses={200: ImageOut, 204: None})
    def get(self, request: Request, project_id: int) -> Response:
        project, role = project_role(request.user, project_id)
        image = workflow.next_image(project=project, user=request.user, role=role)
        if image is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ImageOut(image, context={"request": request}).data)


class SubmitView(APIView):
    """The annotator hands the image in for review."""

    @extend_schema(request=None, responses=ImageOut)
    def post(self, request: Request, image_id: int) -> Response:
        image, role = image_role(request.user, image_id, Action.ANNOTATE)
        image = workflow.image_submit(image_id=image.pk, user=request.user, role=role)
        return Response(ImageOut(image, context={"request": request}).data)


class ReviewIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewOutcome.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class ReviewOut(serializers.ModelSerializer):
    reviewer = UserBrief(allow_null=True)

    class Meta:
        model = ReviewDecision
        fields = ["id", "image", "reviewer", "decision", "comment", "at"]


class ReviewView(APIView):
    """Accept or reject a submitted image; a rejection carries a comment back to the annotator."""

    @extend_schema(request=ReviewIn, responses={201: ReviewOut})
    def post(self, request: Request, image_id: int) -> Response:
        image, role = image_role(request.user, image_id, Action.REVIEW)
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        decision = workflow.image_review(image_id=image.pk, user=request.user, role=role, **data.validated_data)
        return Response(ReviewOut(decision).data, status=status.HTTP_201_CREATED)


class ReviewListView(ListAPIView):
    """The review decisions on an image, oldest first (the comments the annotator reads)."""

    serializer_class = ReviewOut

    def get_queryset(self) -> QuerySet[ReviewDecision]:
        if getattr(self, "swagger_fake_view", False):
            return ReviewDecision.objects.none()
        image = image_for(self.request.user, self.kwargs["image_id"])
        return ReviewDecision.objects.filter(image=image).select_related("reviewer")


class ProgressView(APIView):
    """Images by workflow state, and each member's assigned work and annotation count."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "Progress",
                {
                    "images": serializers.DictField(child=serializers.IntegerField()),
                    "done_fraction": serializers.FloatField(),
                    "annotations": serializers.IntegerField(),
                    "members": serializers.ListField(child=serializers.DictField()),
                },
            )
        }
    )
    def get(self, request: Request, project_id: int) -> Response:
        return Response(project_progress(project=project_for(request.user, project_id)))
