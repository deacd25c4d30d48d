"""End to end in a real Chromium: log in, open a demo image in the deep-zoom viewer, draw a box, find it."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import skimage
from django.conf import settings
from django.contrib.auth import get_user_model

from annotator.annotations.models import Annotation
from annotator.imaging.models import Image
from annotator.projects.services import label_create, project_create
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e


def _skip_without_build() -> None:
    if not (settings.FRONTEND_DIST / "index.html").is_file():
        message = "frontend/dist is not built (run `make test`, which builds it)"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)


def test_clinician_draws_a_box_and_it_is_saved(worker, live_server, page, client_for) -> None:
    _skip_without_build()
    user = get_user_model().objects.create_user(username="clinician", password="pw-clinician")
    project = project_create(creator=user, name="Histology demo")
    label = label_create(project=project, name="Cell", kind="bbox", color="#30a46c")
    micrograph = io.BytesIO((Path(skimage.__file__).parent / "data" / "ihc.png").read_bytes())
    micrograph.name = "ihc.png"
    uploaded = client_for(user).post(
        f"/api/v1/projects/{project.pk}/images/", {"file": [micrograph]}, format="multipart"
    )
    image_id = uploaded.json()["images"][0]["id"]
    wait_for(lambda: Image.objects.get(pk=image_id).status == "ready", what="the image to be tiled")

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", "clinician")
    page.fill("input[name=password]", "pw-clinician")
    page.click("button[type=submit]")
    page.get_by_test_id("project-link").filter(has_text="Histology demo").click()
    with page.expect_response(lambda answer: "/tiles/" in answer.url, timeout=20_000) as first_tile:
        page.get_by_test_id("image-link").filter(has_text="ihc.png").click()
    tile = first_tile.value
    assert tile.status == 200 and "?v=" in tile.url  # tiles carry the image's version: never stale after re-processing
    assert "immutable" in tile.headers["cache-control"]
    viewer = page.get_by_test_id("viewer")
    viewer.and_(page.locator("[data-ready=true]")).wait_for(timeout=20_000)
    assert page.get_by_test_id("label-select").input_value() == str(label.pk)

    page.get_by_test_id("tool-bbox").click()
    assert page.get_by_test_id("tool-bbox").get_attribute("aria-pressed") == "true"
    box = viewer.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx - 80, cy - 60)
    page.mouse.down()
    page.mouse.move(cx - 20, cy - 10, steps=5)
    page.mouse.move(cx + 60, cy + 40, steps=5)
    page.mouse.up()

    status = page.get_by_test_id("save-status")
    status.filter(has_text="Saved").wait_for(timeout=10_000)
    saved = Annotation.objects.get(image_id=image_id)
    assert saved.label_id == label.pk and saved.author_id == user.pk
    geometry = saved.geometry
    assert geometry["x"] >= 0 and geometry["x"] + geometry["w"] <= 512
    assert geometry["y"] >= 0 and geometry["y"] + geometry["h"] <= 512
    # A 140 × 100 px drag on a 512 px image fitted to the viewer keeps its aspect ratio in image pixels.
    assert geometry["w"] > 20 and abs(geometry["w"] / geometry["h"] - 1.4) < 0.1
    item = page.get_by_role("region", name="Annotations").get_by_role("listitem")
    item.filter(has_text="Cell · box").wait_for(timeout=5_000)
    assert item.count() == 1

    listed = client_for(user).get(f"/api/v1/images/{image_id}/annotations/").json()["results"]
    assert [a["id"] for a in listed] == [saved.pk]
