"""Login forms of the browser and the admin, both behind the failed-login limits."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from annotator.accounts.login_guard import LoginLocked, login_authenticate


class _Guarded:
    """AuthenticationForm.clean with the check and the count of login_authenticate."""

    locked: LoginLocked | None = None

    def clean(self) -> dict[str, Any]:
        form: Any = self
        username = form.cleaned_data.get("username")
        password = form.cleaned_data.get("password")
        if username is not None and password:
            try:
                form.user_cache = login_authenticate(request=form.request, username=username, password=password)
            except LoginLocked as locked:
                self.locked = locked
                raise ValidationError(locked.detail, code=locked.code) from None
            if form.user_cache is None:
                raise form.get_invalid_login_error()
            form.confirm_login_allowed(form.user_cache)
        return form.cleaned_data


class GuardedAuthenticationForm(_Guarded, AuthenticationForm):
    """The browser's login form."""


class GuardedAdminAuthenticationForm(_Guarded, AdminAuthenticationForm):
    """The admin's login form (staff only, as Django's)."""
