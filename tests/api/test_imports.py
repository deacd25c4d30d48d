"""Import as pre-labels through the real worker: an export of one project imported into another holding the same
files gives the same annotations (source "import"), twice gives no duplicates, and what cannot be placed is
skipped with its reason."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from annotator.annotations import rle
from annotator.annotations.models import Annotation
from annotator.audit.models import AuditEvent
from annotator.core.storage import import_dir, store
from annotator.exports.models import ExportJob
from annotator.imaging.models import Image
from annotator.imports.models import ImportJob
from annotator.projects.services import label_create, project_create
from tests.annotator.exports.dicom_files import write_series
from tests.conftest import png_bytes, wait_for

pytestmark = pytest.mark.storage

KINDS = {"Lesion": "bbox", "Organ": "polygon", "Brush": "mask", "Seed": "point", "Line": "polyline", "Normal": "tag"}
SERIES_SLICES = 3


def _upload(client: Any, project_id: int, series_zip: bytes) -> dict[str, int]:
    files = []
    for index in range(2):
        handle = io.BytesIO(png_bytes(64, 48))
        handle.name = f"img{index}.png"
        files.append(handle)
    archive = io.BytesIO(series_zip)
    archive.name = "ct.zip"
    files.append(archive)
    answer = client.post(f"/api/v1/projects/{project_id}/images/", {"file": files}, format="multipart")
    assert answer.status_code == 201, answer.content
    ids = [i["id"] for i in answer.json()["images"]]
    wait_for(lambda: Image.objects.filter(pk__in=ids, status="ready").count() == len(ids), what="images ready")
    return {image.name: image.pk for image in Image.objects.filter(pk__in=ids)}


def _series_zip(tmp_path: Path) -> bytes:
    write_series(tmp_path, SERIES_SLICES)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for path in sorted((tmp_path / "series").iterdir()):
            zipped.write(path, f"series/{path.name}")
    return buffer.getvalue()


def _labels(project: Any, names: dict[str, str] = KINDS) -> dict[str, int]:
    labels = {}
    for name, kind in names.items():
        attributes = [{"name": "note", "type": "text", "required": False}] if kind == "bbox" else []
        labels[name] = label_create(project=project, name=name, kind=kind, attributes=attributes).pk
    return labels


def _mask(x: int, y: int, w: int, h: int) -> dict[str, Any]:
    import numpy as np

    return {"x": x, "y": y, "w": w, "h": h, "rle": rle.encode(np.ones((h, w), dtype=np.uint8))}


def _annotate(client: Any, images: dict[str, int], labels: dict[str, int]) -> None:
    series = next(pk for name, pk in images.items() if not name.endswith(".png"))
    drawn = [
        (images["img0.png"], "Lesion", 0, {"x": 3.25, "y": 4.5, "w": 20, "h": 10}, {"note": "first"}),
        (images["img1.png"], "Organ", 0, {"points": [[1, 1], [30, 2], [15, 40]]}, {}),
        (images["img0.png"], "Brush", 0, _mask(10, 12, 5, 4), {}),
        (images["img0.png"], "Seed", 0, {"x": 7, "y": 8}, {}),
        (images["img1.png"], "Line", 0, {"points": [[2, 2], [9, 9], [20, 3]]}, {}),
        (images["img1.png"], "Normal", 0, None, {}),
        (series, "Lesion", 2, {"x": 1, "y": 2, "w": 6, "h": 5}, {}),
        (series, "Organ", 1, {"points": [[0, 0], [10, 0], [5, 8]]}, {}),
    ]
    for image_id, label, frame, geometry, attributes in drawn:
        body = {"label": labels[label], "frame": frame, "geometry": geometry, "attributes": attributes}
        answer = client.post(f"/api/v1/images/{image_id}/annotations/", body, format="json")
        assert answer.status_code == 201, answer.content


def _export(client: Any, project_id: int, fmt: str) -> bytes:
    answer = client.post(f"/api/v1/projects/{project_id}/exports/", {"format": fmt}, format="json")
    assert answer.status_code == 202, answer.content
    job_id = answer.json()["id"]
    wait_for(lambda: ExportJob.objects.get(pk=job_id).status in ("done", "failed"), what=f"{fmt} export")
    download = client.get(f"/api/v1/exports/{job_id}/download")
    assert download.status_code == 200
    return b"".join(download.streaming_content) if download.streaming else download.content


def _start(client: Any, project_id: int, data: bytes, name: str, mapping: dict | None = None) -> dict[str, Any]:
    handle = io.BytesIO(data)
    handle.name = name
    form: dict[str, Any] = {"file": handle}
    if mapping is not None:
        form["mapping"] = json.dumps(mapping)
    answer = client.post(f"/api/v1/projects/{project_id}/imports/", form, format="multipart")
    assert answer.status_code == 202, answer.content
    job = answer.json()
    assert set(job) >= {"id", "status", "progress", "report"}
    wait_for(lambda: ImportJob.objects.get(pk=job["id"]).status in ("done", "failed"), what="import")
    assert not import_dir(job["id"]).exists()  # an ended job keeps no copy of the file: not here, ...
    assert not store().files_below(import_dir(job["id"]))  # ... nor in the store (the bucket with S3)
    return client.get(f"/api/v1/imports/{job['id']}/").json()


def _import(client: Any, project_id: int, data: bytes, name: str, mapping: dict | None = None) -> dict[str, Any]:
    job = _start(client, project_id, data, name, mapping)
    assert job["status"] == "done", job
    assert job["progress"] == 1.0
    return job["report"]


def _rounded(value: Any) -> Any:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return round(float(value), 3)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _shapes(project_id: int) -> list[tuple]:
    rows = Annotation.objects.filter(image__project_id=project_id).select_related("image", "label")
    return sorted(
        (
            a.image.name,
            a.frame,
            a.label.name,
            json.dumps(_rounded(a.geometry), sort_keys=True),
            json.dumps(a.attributes),
        )
        for a in rows
    )


@pytest.mark.worker
def test_export_of_one_project_imports_into_another(worker, owner, client_for, tmp_path) -> None:
    client = client_for(owner)
    series_zip = _series_zip(tmp_path)
    source = project_create(creator=owner, name="source")
    images = _upload(client, source.pk, series_zip)
    assert len(images) == 3
    _annotate(client, images, _labels(source))
    coco, native = _export(client, source.pk, "coco"), _export(client, source.pk, "native")

    target = project_create(creator=owner, name="target")
    _upload(client, target.pk, series_zip)
    _labels(target)
    first = _import(client, target.pk, coco, "coco.zip")
    assert first["format"] == "coco"
    assert first["imported"] == 5  # COCO carries the boxes, polygons and masks (points, lines and tags it cannot)
    assert first["skipped"] == [] and first["already_present"] == 0
    again = _import(client, target.pk, coco, "coco.zip")
    assert again["imported"] == 0 and again["already_present"] == 5
    full = _import(client, target.pk, native, "native.zip")
    assert full["format"] == "native"
    assert full["imported"] == 3 and full["already_present"] == 5  # the same shapes, whichever format brought them
    assert _shapes(target.pk) == _shapes(source.pk)
    imported = Annotation.objects.filter(image__project=target)
    assert imported.count() == 8
    assert set(imported.values_list("source", flat=True)) == {"import"}
    assert set(imported.values_list("author", flat=True)) == {owner.pk}
    assert _import(client, target.pk, native, "native.zip")["imported"] == 0
    assert Annotation.objects.filter(image__project=target).count() == 8


@pytest.mark.worker
def test_mapping_and_every_reason_to_skip(worker, owner, client_for, tmp_path) -> None:
    client = client_for(owner)
    project = project_create(creator=owner, name="mapped")
    uploaded = []
    for name in ("img0.png", "img1.png", "dup.png", "dup.png"):
        handle = io.BytesIO(png_bytes(64, 48))
        handle.name = name
        answer = client.post(f"/api/v1/projects/{project.pk}/images/", {"file": [handle]}, format="multipart")
        uploaded.append(answer.json()["images"][0]["id"])
    wait_for(lambda: Image.objects.filter(project=project, status="ready").count() == 4, what="images ready")
    box = label_create(project=project, name="Box", kind="bbox")
    line = label_create(project=project, name="Line", kind="polyline")
    brush = label_create(project=project, name="Brush", kind="mask")
    doc = {
        "images": [
            {"id": 1, "file_name": "images/1.png", "original_name": "img0.png", "frame": 0, "width": 64, "height": 48},
            {"id": 2, "file_name": "img1.png", "width": 64, "height": 48},
            {"id": 3, "file_name": "missing.png", "width": 64, "height": 48},
            {"id": 4, "file_name": "img0.png", "frame": 7, "width": 64, "height": 48},
            {"id": 5, "file_name": "dup.png"},
            {"id": 6, "file_name": "images/9.png", "original_name": "dup.png", "annotator_image_id": uploaded[3]},
        ],
        "categories": [
            {"id": 1, "name": "Lesion"},
            {"id": 2, "name": "Organ"},
            {"id": 3, "name": "Unmapped"},
            {"id": 4, "name": "Brush"},
        ],
        "annotations": [
            {"id": 10, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 8]},  # mapped Lesion -> Box
            {"id": 11, "image_id": 2, "category_id": 1, "bbox": [60, 40, 10, 10]},  # leaves the image
            {"id": 12, "image_id": 3, "category_id": 1, "bbox": [1, 1, 2, 2]},  # no such image
            {"id": 13, "image_id": 4, "category_id": 1, "bbox": [1, 1, 2, 2]},  # frame 7 of a 1-frame image
            {"id": 14, "image_id": 2, "category_id": 2, "segmentation": [[1, 1, 9, 1, 5, 7]]},  # polygon -> line
            {"id": 15, "image_id": 2, "category_id": 3, "bbox": [1, 1, 2, 2]},  # no label of that name
            {"id": 16, "image_id": 2, "category_id": 4, "segmentation": {"size": [48, 64], "counts": [48, 96, 2928]}},
            {"id": 17, "image_id": 5, "category_id": 1, "bbox": [1, 1, 2, 2]},  # two images named dup.png
            {"id": 18, "image_id": 6, "category_id": 1, "bbox": [1, 1, 2, 2]},  # the one this project exported
        ],
    }
    report = _import(
        client, project.pk, json.dumps(doc).encode(), "hand.json", mapping={"Lesion": box.pk, "Organ": line.pk}
    )
    assert report["imported"] == 3  # 10 (Lesion mapped to Box), 16 (an uncompressed RLE, by name) and 18
    reasons = {entry["item"].split(" in ")[0]: entry["reason"] for entry in report["skipped"]}
    assert "outside the image" in reasons["annotation 11"]
    assert "no image of this project is named 'missing.png'" in reasons["annotation 12"]
    assert "frame 7 is out of range" in reasons["annotation 13"]
    assert "is a polyline label but the item holds polygon" in reasons["annotation 14"]
    assert "category 'Unmapped' matches no label name" in reasons["annotation 15"]
    assert "2 images of this project are named 'dup.png'" in reasons["annotation 17"]
    assert report["skipped_count"] == 6
    created = Annotation.objects.filter(image__project=project).order_by("id")
    assert [(a.label_id, a.source) for a in created] == [(box.pk, "import"), (brush.pk, "import"), (box.pk, "import")]
    assert created[2].image_id == uploaded[3]
    assert created[0].geometry == {"x": 1.0, "y": 2.0, "w": 10.0, "h": 8.0}
    event = AuditEvent.objects.get(project_id=project.pk, action="import_request")
    assert event.detail == {"filename": "hand.json", "mapping": {"Lesion": box.pk, "Organ": line.pk}}
    mask = created[1].geometry  # columns 1 and 2 of the image fully set (column-major runs)
    assert (mask["x"], mask["y"], mask["w"], mask["h"]) == (1, 0, 2, 48)
    assert rle.decode(mask["rle"]).all()


@pytest.mark.worker
def test_a_file_found_unreadable_fails_the_job_with_a_sentence(worker, owner, client_for) -> None:
    project = project_create(creator=owner, name="broken")
    job = _start(client_for(owner), project.pk, b'{"images": [', "cut.json")
    assert job["status"] == "failed" and "not valid JSON" in job["error"], job
    job = _start(client_for(owner), project.pk, b'{"labels": []}', "other.json")
    assert job["status"] == "failed" and "neither COCO instances" in job["error"], job


def test_refusals_answer_400_and_store_nothing(project, owner, client_for, bbox_label) -> None:
    client = client_for(owner)
    other = project_create(creator=owner, name="other")
    foreign = label_create(project=other, name="Elsewhere", kind="bbox")
    url = f"/api/v1/projects/{project.pk}/imports/"

    def post(data: bytes, name: str, **form: Any) -> Any:
        handle = io.BytesIO(data)
        handle.name = name
        return client.post(url, {"file": handle, **form}, format="multipart")

    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as zipped:
        zipped.writestr("../../evil.json", "{}")
    answer = post(hostile.getvalue(), "evil.zip")
    assert answer.status_code == 400
    assert "leaves the archive" in answer.json()["detail"] and "evil.json" in answer.json()["detail"]

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("instances.json", b" " * (64 * 1024 * 1024))
    answer = post(bomb.getvalue(), "bomb.zip")
    assert answer.status_code == 400 and "zip bomb" in answer.json()["detail"]

    answer = post(b"PK\x03\x04 not really", "broken.zip")
    assert answer.status_code == 400 and "zip" in answer.json()["detail"]
    answer = post(b"\x89PNG....", "picture.png")
    assert answer.status_code == 400 and "neither JSON" in answer.json()["detail"]
    answer = post(b"{}", "coco.json", mapping=json.dumps({"Lesion": foreign.pk}))
    assert answer.status_code == 400
    assert str(foreign.pk) in answer.json()["detail"] and "mapping" in answer.json()["errors"]
    answer = client.post(url, {}, format="multipart")
    assert answer.status_code == 400 and answer.json()["errors"] == {"file": ["required"]}
    assert not ImportJob.objects.exists()


def test_roles(project, owner, member, client_for, make_user) -> None:
    url = f"/api/v1/projects/{project.pk}/imports/"
    for role in ("annotator", "viewer", "reviewer"):
        handle = io.BytesIO(b"{}")
        handle.name = "a.json"
        assert client_for(member(role)).post(url, {"file": handle}, format="multipart").status_code == 403
    handle = io.BytesIO(b"{}")
    handle.name = "a.json"
    assert client_for(make_user("outsider")).post(url, {"file": handle}, format="multipart").status_code == 404
