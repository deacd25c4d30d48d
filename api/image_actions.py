"""Manager actions on one image: release a held image, re-process an image from its original."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.policies import Action
from annotator.audit.models import AuditAction
from annotator.audit.services import audit_record
from annotator.imaging import services
from annotator.imaging.models import Image
from api.access import image_for
from api.images import ImageOut


class ReleaseView(APIView):
    """A manager or owner found no burned-in identifying text: the held image becomes ready for annotators."""

    @extend_schema(request=None, responses=ImageOut)
    def post(self, request: Request, image_id: int) -> Response:
        image = image_for(request.user, image_id, Action.MANAGE)
        released = services.image_release(image_id=image.pk, user=request.user)
        audit_record(
            actor=request.user,
            action=AuditAction.IMAGE_RELEASE,
            project_id=image.project_id,
            target_type="image",
            target_id=image.pk,
            request=request._request,
        )
        return Response(ImageOut(released, context={"request": request}).data)


class ReprocessView(APIView):
    """Build the image's tiles and thumbnail again from its stored original (answers 202; poll the image)."""

    @extend_schema(request=None, responses={202: ImageOut})
    def post(self, request: Request, image_id: int) -> Response:
        image = image_for(request.user, image_id, Action.MANAGE)
        services.image_reprocess(image_id=image.pk)
        fresh = Image.objects.get(pk=image.pk)
        return Response(ImageOut(fresh, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
