"""Token login and the calling user."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.accounts.login_guard import login_authenticate
from annotator.accounts.tokens import token_issue, token_revoke
from annotator.core.errors import ValidationFailed
from api.throttling import AnonRateThrottle


class TokenIn(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a username and password for an API token (failed logins are limited: 429 when locked)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=TokenIn,
        responses={
            200: inline_serializer("TokenOut", {"token": serializers.CharField()}),
            429: OpenApiResponse(description="Too many failed logins for the account or address; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = login_authenticate(request=request._request, **data.validated_data)
        if user is None:
            raise ValidationFailed(
                "Unable to log in with the given username and password.",
                code="invalid_credentials",
                errors={"non_field_errors": ["invalid credentials"]},
            )
        return Response({"token": token_issue(user=user).key})


class LogoutView(APIView):
    """Revoke the caller's API token and end the browser session, if any."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        token_revoke(user_ids=[request.user.pk])
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserBrief(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class MeView(APIView):
    """The signed-in user."""

    @extend_schema(responses=UserBrief)
    def get(self, request: Request) -> Response:
        return Response(UserBrief(request.user).data)
