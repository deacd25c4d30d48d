"""Annotations: validated geometry, nothing stored on error, If-Match versions, revision trail."""

from annotator.annotations.models import Annotation, Revision


def _create(client, image, label, geometry):
    return client.post(
        f"/api/v1/images/{image.pk}/annotations/", {"label": label.pk, "geometry": geometry}, format="json"
    )


def test_create_list_and_etag(owner, client_for, ready_image, bbox_label) -> None:
    client = client_for(owner)
    response = _create(client, ready_image, bbox_label, {"x": 10, "y": 20, "w": 30, "h": 40})
    assert response.status_code == 201
    body = response.json()
    assert body["geometry"] == {"x": 10.0, "y": 20.0, "w": 30.0, "h": 40.0}
    assert body["version"] == 1 and body["author"] == owner.pk and body["source"] == "human"
    assert response["ETag"] == '"1"'
    listed = client.get(f"/api/v1/images/{ready_image.pk}/annotations/").json()["results"]
    assert [a["id"] for a in listed] == [body["id"]]


def test_out_of_bounds_box_is_400_and_nothing_is_stored(owner, client_for, ready_image, bbox_label) -> None:
    response = _create(client_for(owner), ready_image, bbox_label, {"x": 290, "y": 0, "w": 20, "h": 10})
    assert response.status_code == 400
    assert "geometry" in response.json()["errors"]
    assert not Annotation.objects.exists() and not Revision.objects.exists()


def test_if_match_missing_428_stale_412_fresh_200(owner, client_for, ready_image, bbox_label) -> None:
    client = client_for(owner)
    ann = _create(client, ready_image, bbox_label, {"x": 1, "y": 1, "w": 5, "h": 5}).json()
    url = f"/api/v1/annotations/{ann['id']}/"
    change = {"geometry": {"x": 2, "y": 2, "w": 5, "h": 5}}
    assert client.patch(url, change, format="json").status_code == 428
    ok = client.patch(url, change, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok["ETag"] == '"2"'
    stale = client.patch(url, {"geometry": {"x": 3, "y": 3, "w": 5, "h": 5}}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["code"] == "stale_version"
    assert Annotation.objects.get(pk=ann["id"]).geometry["x"] == 2.0  # the stale edit changed nothing
    assert client.delete(url, HTTP_IF_MATCH='"1"').status_code == 412
    assert client.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    actions = list(Revision.objects.filter(annotation_id=ann["id"]).values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]


def test_foreign_label_and_foreign_image(owner, client_for, ready_image, bbox_label, make_user) -> None:
    from annotator.projects.services import label_create, project_create

    other = project_create(creator=make_user("zed"), name="Other")
    foreign_label = label_create(project=other, name="X", kind="bbox")
    response = _create(client_for(owner), ready_image, foreign_label, {"x": 1, "y": 1, "w": 2, "h": 2})
    assert response.status_code == 400 and "label" in response.json()["errors"]
    stranger = client_for(make_user("eve"))
    assert stranger.get(f"/api/v1/images/{ready_image.pk}/annotations/").status_code == 404
    assert _create(stranger, ready_image, bbox_label, {"x": 1, "y": 1, "w": 2, "h": 2}).status_code == 404


def test_viewer_cannot_annotate(member, client_for, ready_image, bbox_label) -> None:
    response = _create(client_for(member("viewer")), ready_image, bbox_label, {"x": 1, "y": 1, "w": 2, "h": 2})
    assert response.status_code == 403


def test_an_edit_on_what_the_view_loaded_checks_the_locked_row(owner, ready_image, bbox_label) -> None:
    import pytest

    from annotator.annotations.services import annotation_create, annotation_delete, annotation_update
    from annotator.core.errors import NotFound, PreconditionFailed

    box = {"x": 1, "y": 1, "w": 5, "h": 5}
    made = annotation_create(image=ready_image, author=owner, label=bbox_label, geometry=box)
    loaded = Annotation.objects.select_related("image", "label").get(pk=made.pk)  # as the access check reads it
    annotation_update(annotation_id=made.pk, actor=owner, expected_version=1, changes={"attributes": {}})
    with pytest.raises(PreconditionFailed) as stale:  # someone saved version 2 after the view loaded version 1
        annotation_update(annotation_id=made.pk, actor=owner, expected_version=1, changes={}, loaded=loaded)
    assert stale.value.extra["conflicts"] == [{"id": made.pk, "expected": 1, "current": 2}]
    fresh = annotation_update(
        annotation_id=made.pk, actor=owner, expected_version=2, changes={"frame": 0}, loaded=loaded
    )  # the client knew version 2: the row is read again under the lock, and the edit applies
    assert fresh.version == 3 and Annotation.objects.get(pk=made.pk).version == 3
    Annotation.objects.filter(pk=made.pk).delete()
    with pytest.raises(NotFound):  # deleted between the access check and the lock
        annotation_delete(annotation_id=made.pk, actor=owner, expected_version=3, loaded=fresh)
