"""Dataset versions: frozen, listed with counts and checksums, exported byte for byte after every change, diffed."""

from __future__ import annotations

import pytest

from annotator.annotations.services import annotation_create
from annotator.exports.models import DatasetVersion
from annotator.imaging.models import Image
from annotator.projects.services import label_create, project_create

from .test_exports import _run_export

BOX = {"x": 1, "y": 2, "w": 5, "h": 4}


def _images(project, count: int) -> list[Image]:
    return [
        Image.objects.create(
            project=project,
            name=f"scan{n}.png",
            kind="raster",
            status="ready",
            width=64,
            height=48,
            original_ext="png",
            metadata={"patient_ref": f"p{n}"},
        )
        for n in range(count)
    ]


def _edit(client, annotation_id: int, method: str, body=None) -> None:
    current = client.get(f"/api/v1/annotations/{annotation_id}/").json()
    response = getattr(client, method)(
        f"/api/v1/annotations/{annotation_id}/", body, format="json", HTTP_IF_MATCH=f'"{current["version"]}"'
    )
    assert response.status_code in (200, 204), response.content


@pytest.mark.worker
def test_version_exports_the_same_bytes_after_every_change(worker, project, owner, client_for, bbox_label) -> None:
    client = client_for(owner)
    first, second = _images(project, 2)
    kept = annotation_create(image=first, author=owner, label=bbox_label, geometry=BOX)
    dropped = annotation_create(image=second, author=owner, label=bbox_label, geometry=BOX)

    created = client.post(f"/api/v1/projects/{project.pk}/versions/", {"name": "v1", "notes": "first"}, format="json")
    assert created.status_code == 201, created.content
    v1 = created.json()
    assert v1["counts"]["images"] == 2 and v1["counts"]["annotations"] == 2 and v1["counts"]["patients"] == 2
    assert len(v1["sha256"]) == 64 and v1["created_by"] == owner.pk and v1["notes"] == "first"

    body = {"format": "coco", "options": {"version": v1["id"]}}
    before = _run_export(client, project, body)
    assert before["status"] == "done", before["error"]

    # Every label changes: one moved, one deleted, one added, the label renamed, an image sent to re-processing.
    _edit(client, kept.pk, "patch", {"geometry": {**BOX, "x": 9}})
    _edit(client, dropped.pk, "delete")
    added = client.post(
        f"/api/v1/images/{first.pk}/annotations/", {"label": bbox_label.pk, "geometry": BOX}, format="json"
    )
    assert added.status_code == 201
    assert client.patch(f"/api/v1/labels/{bbox_label.pk}/", {"name": "Renamed"}, format="json").status_code == 200
    assert client.post(f"/api/v1/images/{second.pk}/reprocess/").status_code == 202

    after = _run_export(client, project, body)
    assert after["status"] == "done" and after["sha256"] == before["sha256"]
    live = _run_export(client, project, {"format": "coco"})
    assert live["status"] == "done" and live["sha256"] != before["sha256"]

    v2 = client.post(f"/api/v1/projects/{project.pk}/versions/", {"name": "v2"}, format="json").json()
    listed = client.get(f"/api/v1/projects/{project.pk}/versions/").json()["results"]
    assert [v["name"] for v in listed] == ["v1", "v2"] and listed[0]["sha256"] == v1["sha256"]
    assert listed[1]["sha256"] != v1["sha256"]

    diff = client.get(f"/api/v1/projects/{project.pk}/versions/{v1['id']}/diff/{v2['id']}/").json()
    assert [a["id"] for a in diff["added"]] == [added.json()["id"]]
    assert [a["id"] for a in diff["removed"]] == [dropped.pk]
    assert [c["id"] for c in diff["changed"]] == [kept.pk]
    assert diff["changed"][0]["before"]["geometry"]["x"] == 1 and diff["changed"][0]["after"]["geometry"]["x"] == 9
    assert diff["counts"] == {"added": 1, "changed": 1, "removed": 1}
    pictures = _run_export(
        client, project, {"format": "coco", "options": {"version": v1["id"], "include_images": True}}
    )
    assert pictures["status"] == "done", pictures["error"]  # these rows have no stored files: listed, not fatal

    same = client.get(f"/api/v1/projects/{project.pk}/versions/{v2['id']}/diff/{v2['id']}/").json()
    assert same["counts"] == {"added": 0, "changed": 0, "removed": 0}


def test_bad_versions_are_refused(project, owner, client_for, bbox_label) -> None:
    client = client_for(owner)
    _images(project, 1)
    url = f"/api/v1/projects/{project.pk}/versions/"
    blank = client.post(url, {"name": " "}, format="json")
    assert blank.status_code == 400 and "name" in blank.json()["errors"]
    assert client.post(url, {"name": "v1"}, format="json").status_code == 201
    taken = client.post(url, {"name": "v1"}, format="json")
    assert taken.status_code == 400 and taken.json()["errors"] == {"name": ["taken"]}
    assert DatasetVersion.objects.count() == 1

    version = DatasetVersion.objects.get()
    detail = f"{url}{version.pk}/"
    assert client.get(detail).json()["name"] == "v1"
    assert client.patch(detail, {"name": "x"}, format="json").status_code == 405  # immutable
    assert client.delete(detail).status_code == 405

    other = project_create(creator=owner, name="Other")
    label_create(project=other, name="Box", kind="bbox")
    for bad in ({"version": version.pk}, {"version": "1"}, {"version": 99999}):
        response = client.post(
            f"/api/v1/projects/{other.pk}/exports/", {"format": "coco", "options": bad}, format="json"
        )
        assert response.status_code == 400 and response.json()["errors"] == {"options": ["version"]}, bad
    missing = client.get(f"/api/v1/projects/{project.pk}/versions/{version.pk}/diff/99999/")
    assert missing.status_code == 404
