"""Token login, 401 for strangers, and the documented error body."""

from rest_framework.test import APIClient


def test_token_login_then_token_auth(make_user) -> None:
    make_user("bob")
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "bob", "password": "pw-bob"}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/auth/me/").json()["username"] == "bob"


def test_wrong_password_is_a_clear_400(make_user) -> None:
    make_user("bob")
    response = APIClient().post("/api/v1/auth/token/", {"username": "bob", "password": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_credentials" and "username and password" in body["detail"]


def test_unauthenticated_requests_get_401_with_error_body(db) -> None:
    response = APIClient().get("/api/v1/projects/")
    assert response.status_code == 401
    assert set(response.json()) >= {"detail", "code"}
    assert response["WWW-Authenticate"].startswith("Token")


def test_schema_is_served(db) -> None:
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/images/{image_id}/annotations/" in response.content
