"""Projects, their members and their label schema."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.models import Membership, Role
from annotator.accounts.policies import Action
from annotator.annotations.models import Annotation
from annotator.audit.models import AuditAction
from annotator.audit.services import audit_member
from annotator.core.errors import NotFound, PermissionDenied
from annotator.imaging.models import Image
from annotator.projects import services
from annotator.projects.models import Label, LabelKind, Project
from api.access import label_for, project_for
from api.auth import UserBrief
from api.fields import IdField


def _counted(queryset: QuerySet, group: str) -> Coalesce:
    counted = queryset.order_by().values(group).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def projects_with_counts() -> QuerySet[Project]:
    """Projects annotated with image_count and annotation_count (two subqueries, no join fan-out)."""
    return Project.objects.annotate(
        image_count=_counted(Image.objects.filter(project_id=OuterRef("pk")), "project_id"),
        annotation_count=_counted(Annotation.objects.filter(image__project_id=OuterRef("pk")), "image__project_id"),
    )


class ProjectOut(serializers.ModelSerializer):
    image_count = serializers.IntegerField(read_only=True)
    annotation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", "name", "description", "created_at", "image_count", "annotation_count"]


class ProjectIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ProjectListView(ListAPIView):
    """List the projects the caller belongs to; create a project (the caller becomes owner)."""

    serializer_class = ProjectOut

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        qs = projects_with_counts()
        if self.request.user.is_superuser:
            return qs
        return qs.filter(memberships__user=self.request.user)

    @extend_schema(request=ProjectIn, responses={201: ProjectOut})
    def post(self, request: Request) -> Response:
        if settings.ANNOTATOR_PROJECT_CREATE_STAFF_ONLY and not request.user.is_staff:
            raise PermissionDenied("Only staff may create projects on this server.")
        data = ProjectIn(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(creator=request.user, **data.validated_data)
        return Response(ProjectOut(projects_with_counts().get(pk=project.pk)).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(APIView):
    """Read, change or delete one project."""

    @extend_schema(responses=ProjectOut)
    def get(self, request: Request, project_id: int) -> Response:
        project_for(request.user, project_id)
        return Response(ProjectOut(projects_with_counts().get(pk=project_id)).data)

    @extend_schema(request=ProjectIn, responses=ProjectOut)
    def patch(self, request: Request, project_id: int) -> Response:
        project = project_for(request.user, project_id, Action.MANAGE)
        data = ProjectIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(project, name, value)
        project.save()
        return Response(ProjectOut(projects_with_counts().get(pk=project_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: int) -> Response:
        services.project_delete(project=project_for(request.user, project_id, Action.DELETE_PROJECT))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _audit_member(request: Request, action: str, member: Membership, **detail: str) -> None:
    audit_member(actor=request.user, action=action, member=member, request=request._request, **detail)


class MemberOut(serializers.ModelSerializer):
    user = UserBrief(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role"]


class MemberIn(serializers.Serializer):
    username = serializers.CharField(required=False)
    user = IdField(required=False)
    role = serializers.ChoiceField(choices=Role.choices)

    def validate(self, attrs: dict) -> dict:
        if "username" not in attrs and "user" not in attrs:
            raise serializers.ValidationError({"username": ["give username or user"]})
        return attrs


class MemberListView(ListAPIView):
    """List a project's members; add one."""

    serializer_class = MemberOut

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        project_for(self.request.user, self.kwargs["project_id"])
        return Membership.objects.filter(project_id=self.kwargs["project_id"]).select_related("user")

    @extend_schema(request=MemberIn, responses={201: MemberOut})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_for(request.user, project_id, Action.MANAGE)
        data = MemberIn(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_add(
            project=project,
            actor=request.user,
            role=data.validated_data["role"],
            username=data.validated_data.get("username"),
            user_id=data.validated_data.get("user") if "username" not in data.validated_data else None,
        )
        _audit_member(request, AuditAction.MEMBER_ADD, member, role=member.role)
        return Response(MemberOut(member).data, status=status.HTTP_201_CREATED)


class LabelOut(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "color", "kind", "hotkey", "attributes"]


class LabelIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    color = serializers.CharField(required=False, default=None, allow_null=True)
    kind = serializers.ChoiceField(choices=LabelKind.choices)
    hotkey = serializers.CharField(max_length=1, required=False, allow_null=True, allow_blank=True)
    attributes = serializers.JSONField(required=False, default=list)


class LabelListView(ListAPIView):
    """List a project's labels; add one."""

    serializer_class = LabelOut

    def get_queryset(self) -> QuerySet[Label]:
        if getattr(self, "swagger_fake_view", False):
            return Label.objects.none()
        project_for(self.request.user, self.kwargs["project_id"])
        return Label.objects.filter(project_id=self.kwargs["project_id"])

    @extend_schema(request=LabelIn, responses={201: LabelOut})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_for(request.user, project_id, Action.MANAGE)
        data = LabelIn(data=request.data)
        data.is_valid(raise_exception=True)
        label = services.label_create(project=project, **data.validated_data)
        return Response(LabelOut(label).data, status=status.HTTP_201_CREATED)


class LabelDetailView(APIView):
    """Change or delete one label (a label in use cannot be deleted)."""

    @extend_schema(responses=LabelOut)
    def get(self, request: Request, label_id: int) -> Response:
        return Response(LabelOut(label_for(request.user, label_id)).data)

    @extend_schema(request=LabelIn, responses=LabelOut)
    def patch(self, request: Request, label_id: int) -> Response:
        label = label_for(request.user, label_id, Action.MANAGE)
        data = LabelIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(LabelOut(services.label_update(label=label, changes=dict(data.validated_data))).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, label_id: int) -> Response:
        services.label_delete(label=label_for(request.user, label_id, Action.MANAGE))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberPatchIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MemberDetailView(APIView):
    """Change a member's role or remove the member (a project keeps at least one owner)."""

    def _member(self, request: Request, project_id: int, member_id: int) -> Membership:
        project_for(request.user, project_id, Action.MANAGE)
        member = Membership.objects.filter(pk=member_id, project_id=project_id).select_related("user").first()
        if member is None:
            raise NotFound("No member with this id in this project.")
        return member

    @extend_schema(request=MemberPatchIn, responses=MemberOut)
    def patch(self, request: Request, project_id: int, member_id: int) -> Response:
        member = self._member(request, project_id, member_id)
        data = MemberPatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        before = member.role
        services.member_set_role(member=member, role=data.validated_data["role"], actor=request.user)
        _audit_member(request, AuditAction.ROLE_CHANGE, member, role=member.role, previous=before)
        return Response(MemberOut(member).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, project_id: int, member_id: int) -> Response:
        member = self._member(request, project_id, member_id)
        services.member_remove(member=member, actor=request.user)
        _audit_member(request, AuditAction.MEMBER_REMOVE, member, role=member.role)
        return Response(status=status.HTTP_204_NO_CONTENT)
