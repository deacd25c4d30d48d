"""API tokens that expire, and their revocation (logout, password change, an admin action)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expired(token: Token) -> bool:
    """A token is valid for ANNOTATOR_TOKEN_MAX_AGE_DAYS after it was issued (0: forever)."""
    days = settings.ANNOTATOR_TOKEN_MAX_AGE_DAYS
    return days > 0 and token.created < timezone.now() - timedelta(days=days)


@transaction.atomic
def token_issue(*, user: AbstractBaseUser) -> Token:
    """The user's current token, or a new one when there is none or it expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def token_revoke(*, user_ids: Any) -> int:
    """Delete the API tokens of these users; returns how many there were."""
    deleted, _ = Token.objects.filter(user_id__in=list(user_ids)).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens past their maximum age."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed("Token expired: ask for a new one at /api/v1/auth/token/.")
        return user, token
