"""Plain pages: the app shell needs a login, the admin lists render, the health check answers."""

from django.test import Client

from annotator.projects.models import Project


def test_app_shell_redirects_strangers_to_login(db) -> None:
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_login_page_and_health(db) -> None:
    assert Client().get("/accounts/login/").status_code == 200
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_admin_pages_render_for_a_superuser(django_user_model, project: Project, ready_image, bbox_label) -> None:
    admin = django_user_model.objects.create_superuser("root", password="pw-root")
    client = Client()
    client.force_login(admin)
    for path in (
        "/admin/projects/project/",
        f"/admin/projects/project/{project.pk}/change/",
        "/admin/imaging/image/",
        "/admin/imaging/image/?status__exact=ready",
        "/admin/annotations/annotation/",
        "/admin/annotations/revision/",
        "/admin/exports/exportjob/",
        "/admin/accounts/membership/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    listing = client.get("/admin/imaging/image/").content.decode()
    assert f"/api/v1/images/{ready_image.pk}/thumbnail" in listing
    change = client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    assert "Lesion" in change and "owner" in change  # labels and members inline
