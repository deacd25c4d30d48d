"""The Python client against the live test server and a real worker: upload, annotate, export, verify, iterate."""

from __future__ import annotations

import io

import annotator_client.files
import numpy as np
import pytest
import requests
from annotator_client import ApiError, Client
from annotator_client.cli import main
from annotator_client.datasets import CocoDataset, decathlon_datalist, rle_decode
from annotator_client.errors import ChecksumError
from annotator_client.files import check_sums
from django.contrib.auth import get_user_model
from PIL import Image as PILImage
from pycocotools import mask as coco_mask

from annotator.projects.services import label_create, project_create
from annotator.uploads.models import Upload
from tests.conftest import png_bytes
from tests.e2e.test_upload_export import _dicom_folder

try:
    import torch
except ImportError:
    torch = None


@pytest.fixture
def researcher(transactional_db):
    user = get_user_model().objects.create_user(username="rhea", password="pw-rhea")
    project = project_create(creator=user, name="Client demo")
    label = label_create(project=project, name="Nodule", kind="bbox", color="#30a46c")
    return user, project, label


@pytest.fixture(autouse=True)
def _own_state(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_CLIENT_STATE", str(tmp_path / "state.json"))


def test_upload_annotate_export_and_iterate(worker, live_server, researcher, tmp_path) -> None:
    _, project, label = researcher
    client = Client(live_server.url, username="rhea", password="pw-rhea", progress=False)
    _dicom_folder(tmp_path / "ct")
    (tmp_path / "scan.png").write_bytes(png_bytes(120, 80))
    (tmp_path / "notes.txt").write_text("not an image")
    images = client.upload(project.pk, [tmp_path / "ct", tmp_path / "scan.png", tmp_path / "notes.txt"], site="site-a")
    assert sorted((i["kind"], i["status"], i["frames"], i["site"]) for i in images) == [
        ("dicom", "ready", 3, "site-a"),
        ("raster", "ready", 1, "site-a"),
    ]
    assert [r["filename"] for r in client.last_rejected] == ["notes.txt"]

    png = next(i for i in images if i["kind"] == "raster")
    png_annotation_geometry = {"x": 10.0, "y": 5.0, "w": 30.0, "h": 20.0}
    client.create_annotation(png["id"], label.pk, png_annotation_geometry)
    folder = client.export(project.pk, "coco", tmp_path / "out", include_images=True)
    assert (folder / "README.md").is_file() and "annotations/instances_default.json" in set(check_sums(folder))

    dataset = CocoDataset(folder, split="default")
    assert len(dataset) == 4  # every frame of the CT stack is a (negative) sample too, beside the PNG
    samples = [dataset[n] for n in range(len(dataset))]
    negatives = [target for _, target in samples if len(target["labels"]) == 0]
    assert len(negatives) == 3 and all(tuple(t["boxes"].shape) == (0, 4) for t in negatives)
    image, target = next((img, t) for img, t in samples if len(t["labels"]) == 1)
    assert tuple(image.shape) == (3, 80, 120)
    assert tuple(target["boxes"].shape) == (1, 4) and tuple(target["masks"].shape) == (1, 80, 120)
    assert [float(v) for v in target["boxes"][0]] == [10.0, 5.0, 40.0, 25.0]
    assert [int(v) for v in target["labels"]] == [label.pk]
    assert int(target["masks"][0].sum()) == 30 * 20
    if torch is not None:
        assert isinstance(image, torch.Tensor) and image.dtype == torch.float32
    else:
        assert isinstance(image, np.ndarray)
    with pytest.raises(FileNotFoundError, match="default"):
        CocoDataset(folder, split="train")

    # The export's COCO file imported into a second project holding the same PNG, under another label name.
    second = client.create_project("Second site")
    box = client.create_label(second["id"], "Box", "bbox")
    client.upload(second["id"], [tmp_path / "scan.png"])
    job = client.import_annotations(second["id"], folder / "annotations/instances_default.json", {"Nodule": box["id"]})
    assert job["report"]["imported"] == 1 and job["report"]["skipped"] == []
    (copy,) = client.annotations(client.images(second["id"])[0]["id"])
    assert (copy["source"], copy["label"], copy["geometry"]) == ("import", box["id"], png_annotation_geometry)


def test_resumable_upload_survives_a_dropped_connection(
    worker, live_server, researcher, tmp_path, settings, monkeypatch
) -> None:
    _, project, _ = researcher
    settings.ANNOTATOR_UPLOAD_CHUNK_BYTES = 16 * 1024
    monkeypatch.setattr(annotator_client.files, "RESUMABLE_BYTES", 1000)
    noise = np.random.default_rng(1).integers(0, 255, (90, 100, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    PILImage.fromarray(noise).save(buffer, format="PNG")
    (tmp_path / "noisy.png").write_bytes(buffer.getvalue())
    client = Client(live_server.url, username="rhea", password="pw-rhea", progress=False)
    real = client.session.request
    patches = []

    def flaky(method, url, **kwargs):
        if method == "PATCH":
            patches.append(url)
            if len(patches) == 2:  # the second chunk never arrives
                raise requests.ConnectionError("network dropped")
        return real(method, url, **kwargs)

    monkeypatch.setattr(client.session, "request", flaky)
    [image] = client.upload(project.pk, [tmp_path / "noisy.png"])
    assert image["status"] == "ready" and (image["width"], image["height"]) == (100, 90)
    chunks = -(-len(buffer.getvalue()) // (16 * 1024))
    assert chunks >= 2 and len(patches) == chunks + 1  # every chunk once, the dropped one twice
    assert Upload.objects.get(project=project).status == "complete"


def test_errors_carry_the_api_code_and_detail(live_server, researcher) -> None:
    client = Client(live_server.url, username="rhea", password="pw-rhea", progress=False)
    with pytest.raises(ApiError) as caught:
        client.project(999_999)
    assert caught.value.status == 404 and caught.value.code == "not_found" and caught.value.detail
    with pytest.raises(ApiError) as caught:
        Client(live_server.url, username="rhea", password="wrong")
    assert caught.value.code == "invalid_credentials"


def test_command_line_exports(worker, live_server, researcher, tmp_path, capsys) -> None:
    _, project, _ = researcher
    client = Client(live_server.url, username="rhea", password="pw-rhea", progress=False)
    assert (
        main(["--url", live_server.url, "--token", client.token, "export", str(project.pk), "csv", str(tmp_path)]) == 0
    )
    folder = capsys.readouterr().out.strip().splitlines()[-1]
    assert (tmp_path / folder.split("/")[-1] / "SHA256SUMS").is_file()
    assert main(["--url", live_server.url, "--token", "nope", "export", str(project.pk), "csv", str(tmp_path)]) == 1
    assert "HTTP 401" in capsys.readouterr().err


def test_a_tampered_file_fails_the_check(tmp_path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "SHA256SUMS").write_text("0" * 64 + "  a.txt\n")
    with pytest.raises(ChecksumError, match=r"a\.txt"):
        list(check_sums(tmp_path))


def test_rle_decode_matches_pycocotools() -> None:
    mask = (np.random.default_rng(2).random((37, 53)) > 0.6).astype(np.uint8)
    rle = coco_mask.encode(np.asfortranarray(mask))
    assert np.array_equal(rle_decode(rle["counts"].decode(), rle["size"]), mask)


def test_decathlon_datalist_gives_absolute_paths(tmp_path) -> None:
    (tmp_path / "dataset.json").write_text(
        '{"training": [{"image": "./imagesTr/a.nii.gz", "label": "./labelsTr/a.nii.gz"}], "test": []}'
    )
    [item] = decathlon_datalist(tmp_path)
    assert item == {"image": str(tmp_path / "imagesTr/a.nii.gz"), "label": str(tmp_path / "labelsTr/a.nii.gz")}
