"""Token login and the calling user."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from annotator.core.errors import ValidationFailed


class TokenIn(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=TokenIn, responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})})
    def post(self, request: Request) -> Response:
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
        if user is None:
            raise ValidationFailed(
                "Unable to log in with the given username and password.",
                code="invalid_credentials",
                errors={"non_field_errors": ["invalid credentials"]},
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class UserBrief(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class MeView(APIView):
    """The signed-in user."""

    @extend_schema(responses=UserBrief)
    def get(self, request: Request) -> Response:
        return Response(UserBrief(request.user).data)
