"""Bulk autosave is all-or-nothing with 412 conflicts listed; history records every change, even bulk ones."""

from annotator.annotations.models import Annotation, Revision


def _bulk(client, image, body):
    return client.post(f"/api/v1/images/{image.pk}/annotations/bulk/", body, format="json")


def test_bulk_create_update_delete_in_one_go(owner, client_for, ready_image, bbox_label) -> None:
    client = client_for(owner)
    first = _bulk(
        client,
        ready_image,
        {
            "create": [
                {"label": bbox_label.pk, "geometry": {"x": 1, "y": 1, "w": 5, "h": 5}},
                {"label": bbox_label.pk, "geometry": {"x": 9, "y": 9, "w": 5, "h": 5}},
            ]
        },
    )
    assert first.status_code == 200, first.content
    a, b = first.json()["created"]
    second = _bulk(
        client,
        ready_image,
        {
            "create": [{"label": bbox_label.pk, "geometry": {"x": 20, "y": 20, "w": 5, "h": 5}}],
            "update": [{"id": a["id"], "version": 1, "geometry": {"x": 2, "y": 2, "w": 5, "h": 5}}],
            "delete": [{"id": b["id"], "version": 1}],
        },
    )
    assert second.status_code == 200, second.content
    body = second.json()
    assert body["updated"][0]["version"] == 2 and body["deleted"] == [b["id"]]
    assert set(Annotation.objects.values_list("id", flat=True)) == {a["id"], body["created"][0]["id"]}
    actions = sorted(Revision.objects.values_list("action", flat=True))
    assert actions == ["create", "create", "create", "delete", "update"]


def test_bulk_with_one_bad_item_stores_nothing(owner, client_for, ready_image, bbox_label) -> None:
    response = _bulk(
        client_for(owner),
        ready_image,
        {
            "create": [
                {"label": bbox_label.pk, "geometry": {"x": 1, "y": 1, "w": 5, "h": 5}},
                {"label": bbox_label.pk, "geometry": {"x": 1, "y": 1, "w": 5000, "h": 5}},
            ]
        },
    )
    assert response.status_code == 400
    assert "create[1].geometry" in response.json()["errors"]
    assert not Annotation.objects.exists() and not Revision.objects.exists()


def test_bulk_stale_version_is_412_listing_conflicts(owner, client_for, ready_image, bbox_label) -> None:
    client = client_for(owner)
    made = _bulk(
        client,
        ready_image,
        {
            "create": [
                {"label": bbox_label.pk, "geometry": {"x": 1, "y": 1, "w": 5, "h": 5}},
                {"label": bbox_label.pk, "geometry": {"x": 9, "y": 9, "w": 5, "h": 5}},
            ]
        },
    ).json()["created"]
    other_edit = client.patch(
        f"/api/v1/annotations/{made[0]['id']}/", {"attributes": {}}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert other_edit.status_code == 200
    response = _bulk(
        client,
        ready_image,
        {
            "update": [{"id": made[0]["id"], "version": 1, "geometry": {"x": 3, "y": 3, "w": 5, "h": 5}}],
            "delete": [{"id": made[1]["id"], "version": 1}],
        },
    )
    assert response.status_code == 412
    assert response.json()["conflicts"] == [{"id": made[0]["id"], "expected": 1, "current": 2}]
    assert Annotation.objects.count() == 2  # the delete did not happen either


def test_bulk_rejects_foreign_ids_and_garbage(owner, client_for, ready_image, bbox_label) -> None:
    client = client_for(owner)
    for body in (
        {"update": [{"id": 424242, "version": 1}]},
        {"delete": ["x"]},
        {"create": [7]},
        {"create": "nope"},
        {"update": [{"id": True, "version": 1}]},
    ):
        response = _bulk(client, ready_image, body)
        assert response.status_code == 400, (body, response.content)


def test_history_lists_every_revision_even_after_delete(owner, client_for, ready_image, bbox_label, make_user) -> None:
    client = client_for(owner)
    made = client.post(
        f"/api/v1/images/{ready_image.pk}/annotations/",
        {"label": bbox_label.pk, "geometry": {"x": 1, "y": 1, "w": 5, "h": 5}},
        format="json",
    ).json()
    url = f"/api/v1/annotations/{made['id']}/"
    client.patch(url, {"geometry": {"x": 4, "y": 1, "w": 5, "h": 5}}, format="json", HTTP_IF_MATCH='"1"')
    client.delete(url, HTTP_IF_MATCH='"2"')
    history = client.get(f"{url}history/")
    assert history.status_code == 200
    rows = history.json()["results"]
    assert [r["action"] for r in rows] == ["create", "update", "delete"]
    assert rows[1]["changed"] == ["geometry"] and rows[1]["before"]["geometry"]["x"] == 1.0
    assert rows[1]["after"]["geometry"]["x"] == 4.0 and rows[0]["actor"]["username"] == "owner"
    assert client_for(make_user("eve")).get(f"{url}history/").status_code == 404
    assert client.get("/api/v1/annotations/987654/history/").status_code == 404
