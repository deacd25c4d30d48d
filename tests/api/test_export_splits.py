"""Splits through a real export: site hold-out and folds recorded per image in dataset.json and the formats."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from annotator.annotations.services import annotation_create
from annotator.imaging.models import Image

from .test_exports import _run_export


def _download(client, job) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(client.get(f"/api/v1/exports/{job['id']}/download").streaming_content)))


@pytest.mark.worker
def test_holdout_and_folds_reach_the_card_and_the_csv(worker, project, owner, client_for, bbox_label) -> None:
    client = client_for(owner)
    images = []
    for n in range(12):
        image = Image.objects.create(
            project=project,
            name=f"scan{n}.png",
            kind="raster",
            status="ready",
            width=32,
            height=32,
            original_ext="png",
            site="site-b" if n >= 9 else "site-a",
            metadata={"patient_ref": f"p{n // 2}"},
        )
        annotation_create(image=image, author=owner, label=bbox_label, geometry={"x": 1, "y": 1, "w": 3, "h": 3})
        images.append(image)
    split = {"train": 0.75, "val": 0.25, "test": 0, "holdout": ["site-b"], "folds": 2, "seed": 4}
    job = _run_export(client, project, {"format": "csv", "options": {"split": split}})
    assert job["status"] == "done", job["error"]
    archive = _download(client, job)
    card = json.loads(archive.read("dataset.json"))
    records = {r["id"]: r for r in card["images"]}
    # Patient p4 has images 8 (site-a) and 9 (site-b): it goes to test whole, with a note.
    assert {i for i, r in records.items() if r["split"] == "test"} == {images[n].pk for n in (8, 9, 10, 11)}
    assert card["split_notes"] and "1 image(s)" in card["split_notes"][0]
    assert card["splits"]["test"]["cohort"]["site"] == {"site-a": 1, "site-b": 3}
    assert card["splits"]["test"]["patients"] == 2 and card["splits"]["test"]["annotations_by_label"] == {"Lesion": 4}
    readme = archive.read("README.md").decode()
    assert "## Cohort" in readme and "| site | site\\-a: " in readme
    assert all((r["fold"] is None) == (r["split"] == "test") for r in records.values())
    patients: dict[str, set] = {}
    for r in records.values():
        patients.setdefault(r["patient_ref"], set()).add((r["split"], r["fold"]))
    assert all(len(v) == 1 for v in patients.values())
    rows = list(csv.DictReader(io.StringIO(archive.read("images.csv").decode())))
    assert {int(r["image_id"]): (r["split"], r["fold"]) for r in rows} == {
        i: (r["split"], "" if r["fold"] is None else str(r["fold"])) for i, r in records.items()
    }
