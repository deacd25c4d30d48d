"""Projects, members and labels: creation, visibility (404) and role limits (403)."""

from annotator.accounts.models import Membership
from annotator.projects.models import Project
from annotator.projects.services import project_create


def test_create_project_makes_the_creator_owner(make_user, client_for) -> None:
    user = make_user("carol")
    response = client_for(user).post("/api/v1/projects/", {"name": "Liver MR", "description": "d"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Liver MR" and body["image_count"] == 0 and body["annotation_count"] == 0
    assert Membership.objects.get(project_id=body["id"], user=user).role == "owner"


def test_foreign_projects_are_invisible(project: Project, make_user, client_for) -> None:
    stranger = client_for(make_user("mallory"))
    assert stranger.get("/api/v1/projects/").json()["results"] == []
    for path in (
        f"/api/v1/projects/{project.pk}/",
        f"/api/v1/projects/{project.pk}/labels/",
        f"/api/v1/projects/{project.pk}/images/",
        f"/api/v1/projects/{project.pk}/members/",
    ):
        response = stranger.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_viewer_sees_but_cannot_change(project: Project, member, client_for) -> None:
    viewer = client_for(member("viewer"))
    assert viewer.get(f"/api/v1/projects/{project.pk}/").status_code == 200
    response = viewer.post(f"/api/v1/projects/{project.pk}/labels/", {"name": "x", "kind": "bbox"}, format="json")
    assert response.status_code == 403
    assert viewer.delete(f"/api/v1/projects/{project.pk}/").status_code == 403


def test_label_validation_and_in_use_conflict(project: Project, owner, client_for, ready_image, bbox_label) -> None:
    client = client_for(owner)
    bad = client.post(
        f"/api/v1/projects/{project.pk}/labels/", {"name": "T", "kind": "bbox", "color": "red"}, format="json"
    )
    assert bad.status_code == 400 and "color" in bad.json()["errors"]
    bad_kind = client.post(f"/api/v1/projects/{project.pk}/labels/", {"name": "T", "kind": "circle"}, format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["errors"]
    attrs = [{"name": "grade", "type": "choice", "choices": ["1", "2"], "required": True}]
    good = client.post(
        f"/api/v1/projects/{project.pk}/labels/",
        {"name": "Tumour", "kind": "polygon", "color": "#00FF00", "attributes": attrs},
        format="json",
    )
    assert good.status_code == 201 and good.json()["color"] == "#00ff00"
    client.post(
        f"/api/v1/images/{ready_image.pk}/annotations/",
        {"label": bbox_label.pk, "geometry": {"x": 1, "y": 1, "w": 5, "h": 5}},
        format="json",
    )
    conflict = client.delete(f"/api/v1/labels/{bbox_label.pk}/")
    assert conflict.status_code == 409 and conflict.json()["code"] == "label_in_use"


def test_members_add_change_and_last_owner_stays(project: Project, owner, make_user, client_for) -> None:
    client = client_for(owner)
    dave = make_user("dave")
    elsewhere = project_create(creator=dave, name="Elsewhere")
    Membership.objects.create(project=elsewhere, user=owner, role="viewer")
    added = client.post(
        f"/api/v1/projects/{project.pk}/members/", {"username": "dave", "role": "annotator"}, format="json"
    )
    assert added.status_code == 201 and added.json()["user"]["username"] == "dave"
    own = Membership.objects.get(project=project, user=owner)
    demote = client.patch(f"/api/v1/projects/{project.pk}/members/{own.pk}/", {"role": "viewer"}, format="json")
    assert demote.status_code == 409 and demote.json()["code"] == "last_owner"
    unknown = client.post(
        f"/api/v1/projects/{project.pk}/members/", {"username": "nobody", "role": "viewer"}, format="json"
    )
    assert unknown.status_code == 400 and "username" in unknown.json()["errors"]


def test_deleting_a_project_removes_annotations_and_files(
    project, owner, client_for, ready_image, bbox_label, django_capture_on_commit_callbacks
) -> None:
    from annotator.annotations.models import Annotation
    from annotator.core.storage import image_dir

    client = client_for(owner)
    client.post(
        f"/api/v1/images/{ready_image.pk}/annotations/",
        {"label": bbox_label.pk, "geometry": {"x": 1, "y": 1, "w": 5, "h": 5}},
        format="json",
    )
    assert image_dir(ready_image.pk).is_dir()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/projects/{project.pk}/").status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists() and not Annotation.objects.exists()
    assert not image_dir(ready_image.pk).exists()


def test_labels_without_a_colour_get_the_okabe_ito_palette_in_order(project: Project, owner, client_for) -> None:
    client = client_for(owner)
    url = f"/api/v1/projects/{project.pk}/labels/"
    made = [client.post(url, {"name": f"L{i}", "kind": "polygon"}, format="json").json() for i in range(3)]
    assert [m["color"] for m in made] == ["#e69f00", "#56b4e9", "#009e73"]  # orange, sky blue, bluish green
    own = client.post(url, {"name": "Own", "kind": "bbox", "color": "#123ABC"}, format="json").json()
    assert own["color"] == "#123abc"
    patched = client.patch(f"/api/v1/labels/{own['id']}/", {"color": None}, format="json")
    assert patched.status_code == 400 and "color" in patched.json()["errors"]
