"""The image admin leaves no stuck image: "Add" opens the upload page, deleting removes the files too."""

from __future__ import annotations

from urllib.parse import quote

from annotator.core.storage import image_dir
from annotator.imaging.models import Image


def _admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root"))
    return client


def test_add_goes_to_the_projects_upload_page(client, django_user_model, project) -> None:
    admin = _admin(client, django_user_model)
    filters = quote(f"project__id__exact={project.pk}")
    response = admin.get(f"/admin/imaging/image/add/?_changelist_filters={filters}")
    assert response.status_code == 302 and response["Location"] == f"/#/projects/{project.pk}/upload"
    assert admin.get("/admin/imaging/image/add/")["Location"] == "/#/"
    # Posting the old add form creates nothing.
    admin.post("/admin/imaging/image/add/", {"name": "x.png", "project": project.pk})
    assert not Image.objects.exists()


def test_deleting_in_the_admin_removes_the_files(
    client, django_user_model, ready_image, django_capture_on_commit_callbacks
) -> None:
    admin = _admin(client, django_user_model)
    folder = image_dir(ready_image.pk)
    assert folder.is_dir()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/admin/imaging/image/",
            {"action": "delete_selected", "_selected_action": [ready_image.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Image.objects.filter(pk=ready_image.pk).exists()
    assert not folder.exists()
