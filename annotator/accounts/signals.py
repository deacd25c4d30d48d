"""Revoke a user's API token when they log out of the browser or their password changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from annotator.accounts.tokens import token_revoke


@receiver(user_logged_out)
def _revoke_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        token_revoke(user_ids=[user.pk])


@receiver(post_save, sender=get_user_model())
def _revoke_on_password_change(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    # set_password() keeps the new raw password in _password until save() has run password_changed();
    # every path that sets a password (forms, admin, changepassword, code) goes through it.
    if not created and getattr(instance, "_password", None) is not None:
        token_revoke(user_ids=[instance.pk])
