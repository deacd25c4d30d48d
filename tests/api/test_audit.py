"""The audit log: views (once per opening, not per tile), downloads, exports, releases and role changes."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from annotator.accounts.models import Membership
from annotator.audit.models import AppendOnly, AuditEvent
from annotator.imaging.models import Image
from annotator.projects.services import project_create


def _audit(client, project, query: str = "") -> list[dict]:
    response = client.get(f"/api/v1/projects/{project.pk}/audit/{query}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_an_image_opening_is_one_view_however_many_tiles(project, owner, member, client_for, ready_image) -> None:
    annotator = member("annotator")
    client = client_for(annotator)
    base = f"/api/v1/images/{ready_image.pk}"
    assert client.get(f"{base}/dzi").status_code == 200
    for _ in range(5):
        assert client.get(f"{base}/tiles/0/0_0.{ready_image.tile_format}").status_code == 200
    assert client.get(f"{base}/frames/0").status_code == 200
    assert client.get(f"{base}/dzi").status_code == 200
    views = _audit(client_for(owner), project, "?action=image_view")
    assert len(views) == 1
    assert views[0]["actor"] == {"id": annotator.pk, "username": "annotator-user"}
    assert views[0]["target_type"] == "image" and views[0]["target_id"] == ready_image.pk
    assert views[0]["address"] == "127.0.0.1"


def test_exports_releases_and_role_changes_are_recorded_and_filterable(project, owner, make_user, client_for) -> None:
    client = client_for(owner)
    colleague = make_user("colleague")
    Membership.objects.create(project=project_create(creator=colleague, name="Other"), user=owner, role="viewer")
    added = client.post(f"/api/v1/projects/{project.pk}/members/", {"username": "colleague", "role": "viewer"})
    member_id = added.json()["id"]
    client.patch(f"/api/v1/projects/{project.pk}/members/{member_id}/", {"role": "manager"}, format="json")
    held = Image.objects.create(project=project, name="h.png", kind="raster", status="held", width=9, height=9)
    assert client.post(f"/api/v1/images/{held.pk}/release/").status_code == 200
    export = client.post(f"/api/v1/projects/{project.pk}/exports/", {"format": "csv"}, format="json").json()
    client.delete(f"/api/v1/projects/{project.pk}/members/{member_id}/")

    actions = [event["action"] for event in _audit(client, project)]
    assert actions == ["member_add", "role_change", "image_release", "export_request", "member_remove"]
    change = _audit(client, project, "?action=role_change")[0]
    assert change["detail"] == {"user": "colleague", "role": "manager", "previous": "viewer"}
    assert change["target_id"] == colleague.pk
    assert _audit(client, project, f"?target_type=export&target_id={export['id']}")[0]["detail"]["format"] == "csv"
    assert len(_audit(client, project, f"?actor={owner.pk}")) == 5 == len(_audit(client, project, "?actor=owner"))
    assert _audit(client, project, "?actor=colleague") == []
    assert _audit(client, project, "?since=2999-01-01T00:00:00Z") == []
    bad = client.get(f"/api/v1/projects/{project.pk}/audit/?action=dance")
    assert bad.status_code == 400 and "action" in bad.json()["errors"]


def test_export_download_is_recorded(project, owner, client_for, worker) -> None:
    from tests.conftest import wait_for

    client = client_for(owner)
    job = client.post(f"/api/v1/projects/{project.pk}/exports/", {"format": "csv"}, format="json").json()
    wait_for(lambda: client.get(f"/api/v1/exports/{job['id']}/").json()["status"] == "done", what="the export")
    assert client.get(f"/api/v1/exports/{job['id']}/download").status_code == 200
    download = _audit(client, project, "?action=export_download")
    assert len(download) == 1 and download[0]["target_id"] == job["id"] and download[0]["detail"]["sha256"]


def test_the_log_is_append_only(project, owner, client_for) -> None:
    client_for(owner).post(f"/api/v1/projects/{project.pk}/exports/", {"format": "csv"}, format="json")
    event = AuditEvent.objects.get()
    event.actor_name = "someone else"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(actor_name="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    if connection.vendor == "postgresql":  # the database refuses too, whatever the client
        for sql in ("UPDATE audit_auditevent SET actor_name = 'x'", "DELETE FROM audit_auditevent"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql)
    assert AuditEvent.objects.get().actor_name == "owner"


def test_the_admin_lists_events_read_only(project, owner, make_user, client_for) -> None:
    client_for(owner).post(f"/api/v1/projects/{project.pk}/exports/", {"format": "csv"}, format="json")
    event = AuditEvent.objects.get()
    browser = Client()
    browser.force_login(make_user("root", is_staff=True, is_superuser=True))
    listing = browser.get("/admin/audit/auditevent/?action__exact=export_request")
    assert listing.status_code == 200 and b"export_request" in listing.content
    assert browser.get("/admin/audit/auditevent/add/").status_code == 403
    assert browser.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert browser.post(f"/admin/audit/auditevent/{event.pk}/change/", {"actor_name": "x"}).status_code == 403
    assert AuditEvent.objects.get().actor_name == "owner"
