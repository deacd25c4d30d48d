"""API tokens: they expire, and logout, a password change or an admin action revoke them; passwords are validated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def _login(username: str) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": f"pw-{username}"}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def _me(key: str) -> int:
    return APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_a_token_expires_after_its_maximum_age_and_login_issues_a_new_one(make_user, settings) -> None:
    make_user("bob")
    key = _login("bob")
    assert _me(key) == 200
    issued = timezone.now() - timedelta(days=settings.ANNOTATOR_TOKEN_MAX_AGE_DAYS + 1)
    Token.objects.filter(key=key).update(created=issued)
    response = APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    fresh = _login("bob")
    assert fresh != key and _me(fresh) == 200


def test_api_logout_revokes_the_token(make_user) -> None:
    make_user("bob")
    key = _login("bob")
    response = APIClient().post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 204
    assert _me(key) == 401


def test_browser_logout_revokes_the_token(make_user) -> None:
    make_user("bob")
    key = _login("bob")
    browser = Client()
    assert browser.post("/accounts/login/", {"username": "bob", "password": "pw-bob"}).status_code == 302
    assert browser.post("/accounts/logout/").status_code == 302
    assert _me(key) == 401


def test_a_password_change_revokes_the_token(make_user) -> None:
    user = make_user("bob")
    key = _login("bob")
    user.first_name = "Bob"
    user.save()  # other changes keep it
    assert _me(key) == 200
    user.set_password("a-new-long-passphrase")
    user.save()
    assert _me(key) == 401


def test_the_admin_action_revokes_tokens(make_user) -> None:
    make_user("bob")
    key = _login("bob")
    admin = make_user("root", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    bob = Token.objects.get(key=key).user
    response = browser.post(
        "/admin/auth/user/", {"action": "revoke_api_tokens", "_selected_action": [bob.pk]}, follow=True
    )
    assert response.status_code == 200 and b"Revoked 1 API token" in response.content
    assert _me(key) == 401


@pytest.mark.parametrize(
    "password, why",
    [("12345678901234", "numeric"), ("short1", "too short"), ("password123", "common"), ("bob-the-user", "similar")],
)
def test_the_four_password_validators_are_on(password: str, why: str, make_user) -> None:
    user = make_user("bob-the-user")
    user.email = "bob@example.org"
    with pytest.raises(ValidationError):
        password_validation.validate_password(password, user)


def test_the_admin_password_form_applies_the_validators(make_user) -> None:
    admin = make_user("root", is_staff=True, is_superuser=True)
    target = make_user("carol")
    browser = Client()
    browser.force_login(admin)
    response = browser.post(
        f"/admin/auth/user/{target.pk}/password/", {"password1": "1234567890123", "password2": "1234567890123"}
    )
    assert response.status_code == 200 and b"entirely numeric" in response.content
    target.refresh_from_db()
    assert target.check_password("pw-carol")
