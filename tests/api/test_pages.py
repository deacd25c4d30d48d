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


def test_staff_cannot_escalate_to_superuser(django_user_model) -> None:
    from django.contrib.auth.models import Permission

    staff = django_user_model.objects.create_user("staffer", password="pw", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    root = django_user_model.objects.create_superuser("root", password="pw-root")
    client = Client()
    client.force_login(staff)
    page = client.get(f"/admin/auth/user/{staff.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    client.post(
        f"/admin/auth/user/{staff.pk}/change/",
        {
            "username": "staffer",
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    staff.refresh_from_db()
    assert not staff.is_superuser
    root_page = client.get(f"/admin/auth/user/{root.pk}/change/")  # view permission: read-only page
    assert root_page.status_code == 200 and not root_page.context["has_change_permission"]
    assert client.post(
        f"/admin/auth/user/{root.pk}/password/", {"password1": "x" * 12, "password2": "x" * 12}
    ).status_code in (302, 403)
    root.refresh_from_db()
    assert root.check_password("pw-root")


def test_admin_progress_page_and_assign_action(django_user_model, project, ready_image, member) -> None:
    annotator = member("annotator")
    admin = django_user_model.objects.create_superuser("boss", password="pw")
    client = Client()
    client.force_login(admin)
    progress = client.get(f"/admin/projects/project/{project.pk}/progress/")
    assert progress.status_code == 200 and b"annotator-user" in progress.content
    response = client.post(
        "/admin/imaging/image/",
        {
            "action": "assign",
            "_selected_action": [ready_image.pk],
            "assignee": annotator.pk,
            "apply": "Assign",
        },
    )
    assert response.status_code == 302
    ready_image.refresh_from_db()
    assert ready_image.assignee_id == annotator.pk


def test_unknown_api_paths_answer_the_error_body(db) -> None:
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
