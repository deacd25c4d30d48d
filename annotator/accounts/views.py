"""The browser's login view: Django's, with the failed-login limits and a 429 when locked out."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from annotator.accounts.forms import GuardedAuthenticationForm


class LoginView(auth_views.LoginView):
    authentication_form = GuardedAuthenticationForm

    def form_invalid(self, form: GuardedAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.locked is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.locked.retry_after)
        return response
