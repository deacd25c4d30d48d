"""Smaller findings of the outside test: duplicate label rename, history of foreign ids, If-Match: *."""

from __future__ import annotations

from annotator.accounts.models import Membership
from annotator.annotations.services import annotation_create
from annotator.projects.services import label_create, project_create

BOX = {"x": 1, "y": 1, "w": 5, "h": 5}


def test_renaming_a_label_to_an_existing_name_is_a_409(project, owner, client_for, bbox_label) -> None:
    other = label_create(project=project, name="Nodule", kind="point")
    response = client_for(owner).patch(f"/api/v1/labels/{other.pk}/", {"name": "Lesion"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "duplicate_label"
    assert "Lesion" in response.json()["detail"]
    other.refresh_from_db()
    assert other.name == "Nodule"
    same = client_for(owner).patch(f"/api/v1/labels/{other.pk}/", {"name": "Nodule", "color": "#00ff00"}, format="json")
    assert same.status_code == 200


def test_history_of_a_foreign_annotation_looks_like_a_missing_one(owner, client_for, make_user) -> None:
    outsider = make_user("outsider")
    theirs = project_create(creator=outsider, name="Theirs")
    label = label_create(project=theirs, name="Box", kind="bbox")
    from annotator.imaging.models import Image

    image = Image.objects.create(project=theirs, name="x.png", kind="raster", status="ready", width=50, height=50)
    foreign = annotation_create(image=image, author=outsider, label=label, geometry=BOX)
    client = client_for(owner)
    hidden = client.get(f"/api/v1/annotations/{foreign.pk}/history/")
    missing = client.get(f"/api/v1/annotations/{foreign.pk + 10_000}/history/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    Membership.objects.create(project=theirs, user=owner, role="viewer")
    assert client.get(f"/api/v1/annotations/{foreign.pk}/history/").status_code == 200


def test_if_match_star_matches_any_current_version(owner, client_for, ready_image, bbox_label) -> None:
    annotation = annotation_create(image=ready_image, author=owner, label=bbox_label, geometry=BOX)
    client = client_for(owner)
    url = f"/api/v1/annotations/{annotation.pk}/"
    moved = {"geometry": {"x": 2, "y": 2, "w": 5, "h": 5}}
    assert client.patch(url, moved, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    starred = client.patch(url, {"geometry": BOX}, format="json", HTTP_IF_MATCH="*")
    assert starred.status_code == 200 and starred.json()["version"] == 3
    assert client.patch(url, moved, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    assert client.patch(url, moved, format="json").status_code == 428
    assert client.delete(url, HTTP_IF_MATCH="*").status_code == 204
