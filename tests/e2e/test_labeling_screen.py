"""In Chromium: one sitting on the labeling screen — box, polygon, brush, a tag, select and delete — read back by API.

It also writes docs/labeling.png, the picture of the screen in the clinicians' guide.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import skimage
from django.contrib.auth import get_user_model

from annotator.annotations.models import Annotation
from annotator.imaging.models import Image
from annotator.projects.services import label_create, project_create
from tests.conftest import wait_for
from tests.e2e.conftest import open_viewer

pytestmark = pytest.mark.e2e

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _kinds(image_id: int) -> list[str]:
    return sorted(Annotation.objects.filter(image_id=image_id).values_list("label__kind", flat=True))


def _saved(page: Any) -> None:
    page.get_by_test_id("save-status").filter(has_text="Saved").wait_for(timeout=10_000)


def _micrograph_project(client_for: Any, username: str, project_name: str, labels: list[tuple[str, str]]) -> int:
    """A user (password pw-<username>), a project with these (name, kind) labels and the IHC micrograph, tiled."""
    user = get_user_model().objects.create_user(username=username, password=f"pw-{username}")
    project = project_create(creator=user, name=project_name)
    for name, kind in labels:
        label_create(project=project, name=name, kind=kind)
    micrograph = io.BytesIO((Path(skimage.__file__).parent / "data" / "ihc.png").read_bytes())
    micrograph.name = "ihc.png"
    url = f"/api/v1/projects/{project.pk}/images/"
    image_id = client_for(user).post(url, {"file": [micrograph]}, format="multipart").json()["images"][0]["id"]
    wait_for(lambda: Image.objects.get(pk=image_id).status == "ready", what="the image to be tiled")
    return image_id


def test_one_sitting_every_kind_then_select_and_delete(worker, live_server, page, client_for) -> None:
    kinds = [("Cell", "bbox"), ("Gland", "polygon"), ("Stroma", "mask"), ("Good staining", "tag")]
    image_id = _micrograph_project(client_for, "pathologist", "Histology demo", kinds)
    project = Image.objects.get(pk=image_id).project

    viewer = open_viewer(page, live_server.url, "pathologist", "pw-pathologist", image_id)
    assert page.get_by_role("button", name="Select", exact=True).get_attribute("aria-pressed") == "true"
    box = viewer.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    # 1 is Cell (the first label): its tool, Box, comes with it.
    page.keyboard.press("1")
    assert page.get_by_role("button", name="Box", exact=True).get_attribute("aria-pressed") == "true"
    page.mouse.move(cx - 200, cy - 150)
    page.mouse.down()
    page.mouse.move(cx - 100, cy - 60, steps=5)
    page.mouse.up()
    _saved(page)

    page.get_by_role("button", name="Polygon", exact=True).click()
    assert page.get_by_test_id("label-select").input_value() == str(project.labels.get(name="Gland").pk)
    for dx, dy in [(0, 0), (120, -30), (160, 80), (40, 140)]:
        page.mouse.click(cx + dx, cy + dy)
    page.keyboard.press("Enter")
    _saved(page)

    page.keyboard.press("m")
    page.keyboard.press("]")
    assert page.get_by_role("status", name="Brush size").text_content() == "25 px"
    page.mouse.move(cx - 250, cy + 100)
    page.mouse.down()
    page.mouse.move(cx - 150, cy + 180, steps=10)
    page.mouse.up()
    _saved(page)

    page.get_by_role("group", name="Image tags").get_by_role("checkbox", name="Good staining").check()
    _saved(page)
    wait_for(lambda: _kinds(image_id) == ["bbox", "mask", "polygon", "tag"], what="all four kinds on the server")

    # Select the polygon on the image: its list item is pressed, and the picture shows it highlighted.
    page.keyboard.press("v")
    page.mouse.click(cx + 80, cy + 50)
    panel = page.get_by_role("region", name="Annotations")
    gland = panel.get_by_role("button", name="Gland · polygon", exact=True)
    assert gland.get_attribute("aria-pressed") == "true"
    assert panel.get_by_role("heading", name="Stroma (1)").is_visible()
    page.wait_for_timeout(300)
    page.screenshot(path=str(DOCS / "labeling.png"))

    page.keyboard.press("Delete")
    _saved(page)
    assert _kinds(image_id) == ["bbox", "mask", "tag"]
    page.keyboard.press("Control+z")
    _saved(page)
    assert _kinds(image_id) == ["bbox", "mask", "polygon", "tag"]
    polygon = Annotation.objects.get(image_id=image_id, label__kind="polygon")
    assert len(polygon.geometry["points"]) == 4


def test_a_shape_drawn_just_before_leaving_the_image_is_saved_at_once(worker, live_server, page, client_for) -> None:
    image_id = _micrograph_project(client_for, "hasty", "Quick demo", [("Cell", "bbox")])
    viewer = open_viewer(page, live_server.url, "hasty", "pw-hasty", image_id)
    box = viewer.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.keyboard.press("b")
    page.mouse.move(cx - 60, cy - 60)
    page.mouse.down()
    page.mouse.move(cx + 60, cy + 40, steps=4)
    page.mouse.up()
    # Straight to the project's image list, well inside the autosave delay: the box goes out as the page goes.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Quick demo").click()
    page.get_by_test_id("image-link").first.wait_for()
    wait_for(lambda: Annotation.objects.filter(image_id=image_id).count() == 1, what="the box on the server")
    saved = Annotation.objects.get(image_id=image_id)
    assert saved.geometry["w"] > 50 and saved.label.name == "Cell"
