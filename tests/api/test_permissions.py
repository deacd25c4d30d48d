"""Authorization, generated from the permission table: every endpoint × role × own/foreign object."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from annotator.accounts.models import Membership
from annotator.annotations.services import annotation_create
from annotator.core.storage import ensure_dir, export_dir, image_dir
from annotator.exports.models import ExportJob, ExportStatus
from annotator.exports.services import export_zip_path
from annotator.exports.versions import version_create
from annotator.imaging.models import Image, WorkflowState
from annotator.imaging.processing import image_process
from annotator.imaging.services import image_upload
from annotator.imports.models import ImportJob
from annotator.projects.services import label_create, project_create
from annotator.uploads.services import upload_open
from tests.api.permission_table import ALL, TABLE, Row
from tests.conftest import png_bytes

ROLES = sorted(ALL)


@pytest.fixture(scope="session")
def tiled_template(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any) -> Path:
    """One processed image's files, copied into each test's images (tiling once keeps the matrix fast)."""
    from django.conf import settings

    with django_db_blocker.unblock():
        owner = get_user_model().objects.create_user("template-owner")
        project = project_create(creator=owner, name="template")
        image = image_upload(project=project, user=owner, files=[SimpleUploadedFile("t.png", png_bytes(300, 200))])
        image = image.images[0]
        image_process(image_id=image.pk)
        target = tmp_path_factory.mktemp("template") / "image"
        shutil.copytree(Path(settings.MEDIA_ROOT) / "images" / str(image.pk), target)
        project.delete()
        owner.delete()
    return target


def _world(tag: str, owner: Any, template: Path) -> dict[str, Any]:
    project = project_create(creator=owner, name=f"project {tag}")
    label = label_create(project=project, name="Box", kind="bbox")
    spare = label_create(project=project, name="Spare", kind="bbox")
    worker = get_user_model().objects.create_user(f"worker-{tag}")
    membership = Membership.objects.create(project=project, user=worker, role="annotator")
    common = {
        "project": project,
        "kind": "raster",
        "status": "ready",
        "width": 300,
        "height": 200,
        "tile_format": "jpeg",
        "original_ext": "png",
    }
    image = Image.objects.create(name="a.png", **common)
    submitted = Image.objects.create(name="b.png", assignee=worker, workflow_state=WorkflowState.SUBMITTED, **common)
    held = Image.objects.create(name="c.png", **{**common, "status": "held"})
    for each in (image, submitted, held):
        shutil.copytree(template, image_dir(each.pk), dirs_exist_ok=True)
    annotation = annotation_create(image=image, author=owner, label=label, geometry={"x": 1, "y": 1, "w": 5, "h": 5})
    upload = upload_open(project=project, user=owner, filename="big.tif", size=10)
    export = ExportJob.objects.create(project=project, format="coco", status=ExportStatus.DONE)
    ensure_dir(export_dir(export.pk))
    export_zip_path(export).write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    version = version_create(project=project, user=owner, name="v1")
    imported = ImportJob.objects.create(project=project, created_by=owner)
    return {
        "import": imported.pk,
        "project": project.pk,
        "label": label.pk,
        "spare_label": spare.pk,
        "membership": membership.pk,
        "image": image.pk,
        "submitted_image": submitted.pk,
        "annotation": annotation.pk,
        "export": export.pk,
        "annotator_id": worker.pk,
        "top_level": 9,
        "tile_format": "jpeg",
        "upload": upload.pk,
        "held_image": held.pk,
        "version": version.pk,
    }


@pytest.fixture
def worlds(db: None, tiled_template: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The caller's project with a member of every role, and a foreign project none of them belongs to."""
    users = get_user_model().objects
    owner = users.create_user("role-owner")
    own = _world("own", owner, tiled_template)
    callers = {"owner": owner}
    for role in ROLES:
        if role != "owner":
            callers[role] = users.create_user(f"role-{role}")
            Membership.objects.create(project_id=own["project"], user=callers[role], role=role)
    # Who may be added: someone the callers already share a project with.
    lobby = project_create(creator=users.create_user("newbie"), name="lobby")
    Membership.objects.bulk_create(Membership(project=lobby, user=user, role="viewer") for user in callers.values())
    foreign = _world("foreign", users.create_user("outsider"), tiled_template)
    return own, foreign, callers


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(client: APIClient, row: Row, ids: dict[str, Any]) -> int:
    path = row.path.format(**ids)
    if row.body == "upload":
        handle = io.BytesIO(png_bytes(40, 30))
        handle.name = "new.png"
        return client.post(path, {"file": [handle]}, format="multipart", **row.headers).status_code
    if row.body == "import":
        handle = io.BytesIO(json.dumps({"images": [], "annotations": [], "categories": []}).encode())
        handle.name = "instances.json"
        return client.post(path, {"file": handle}, format="multipart", **row.headers).status_code
    if row.body == "chunk":
        return client.patch(
            path, data=b"0123", content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET="0"
        ).status_code
    body = _fill(row.body, ids)
    method = getattr(client, row.method.lower())
    kwargs: dict[str, Any] = dict(row.headers)
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return method(path, **kwargs).status_code


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", TABLE, ids=lambda r: r.name)
def test_own_project(row: Row, role: str, worlds: tuple) -> None:
    own, _, callers = worlds
    assert _call(_client(callers[role]), row, own) == row.expected(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", [r for r in TABLE if r.foreign], ids=lambda r: r.name)
def test_foreign_project_is_invisible(row: Row, role: str, worlds: tuple) -> None:
    _, foreign, callers = worlds
    assert _call(_client(callers[role]), row, foreign) == 404


@pytest.mark.parametrize("row", TABLE, ids=lambda r: r.name)
def test_anonymous_is_401(row: Row, worlds: tuple) -> None:
    own, _, _ = worlds
    assert _call(APIClient(), row, own) == 401


def test_every_api_route_is_in_the_table() -> None:
    from django.urls import resolve

    from api import urls

    sample = {
        name: 1
        for name in (
            "project",
            "label",
            "spare_label",
            "membership",
            "image",
            "submitted_image",
            "annotation",
            "export",
            "annotator_id",
            "top_level",
            "upload",
            "held_image",
            "version",
            "import",
        )
    } | {"tile_format": "jpeg"}
    covered = {resolve(row.path.format(**sample)).route for row in TABLE}
    routes = {"api/v1/" + str(pattern.pattern) for pattern in urls.urlpatterns} - {"api/v1/auth/token/"}
    assert routes - covered == set()
