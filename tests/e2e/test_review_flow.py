"""End to end in a real Chromium: an annotator submits a box, a reviewer rejects it, the annotator reads why."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import skimage
from django.conf import settings
from django.contrib.auth import get_user_model

from annotator.accounts.models import Membership
from annotator.annotations.models import Annotation
from annotator.imaging.models import Image
from annotator.projects.services import label_create, project_create
from tests.conftest import wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

COMMENT = "The box misses the lower gland; please include it."


def _skip_without_build() -> None:
    if not (settings.FRONTEND_DIST / "index.html").is_file():
        message = "frontend/dist is not built (run `make test`, which builds it)"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _log_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("button[type=submit]")


def _open_next_image(page: Page, project_name: str) -> None:
    """From the projects list: open the project and follow "Next image" into the viewer."""
    page.get_by_test_id("project-link").filter(has_text=project_name).click()
    page.get_by_test_id("next-image").click()
    viewer = page.get_by_test_id("viewer")
    viewer.and_(page.locator("[data-ready=true]")).wait_for(timeout=20_000)


def test_annotator_submits_reviewer_rejects_annotator_sees_why(worker, live_server, browser, page, client_for) -> None:
    _skip_without_build()
    users = get_user_model().objects
    owner = users.create_user(username="owner", password="pw-owner")
    annotator = users.create_user(username="annie", password="pw-annie")
    reviewer = users.create_user(username="rita", password="pw-rita")
    project = project_create(creator=owner, name="Review demo")
    Membership.objects.create(project=project, user=annotator, role="annotator")
    Membership.objects.create(project=project, user=reviewer, role="reviewer")
    label_create(project=project, name="Gland", kind="bbox", color="#30a46c")
    micrograph = io.BytesIO((Path(skimage.__file__).parent / "data" / "ihc.png").read_bytes())
    micrograph.name = "ihc.png"
    uploaded = client_for(owner).post(
        f"/api/v1/projects/{project.pk}/images/", {"file": [micrograph]}, format="multipart"
    )
    image_id = uploaded.json()["images"][0]["id"]
    wait_for(lambda: Image.objects.get(pk=image_id).status == "ready", what="the image to be tiled")

    # The annotator takes the next image from the queue, draws a box and hands the image in.
    _log_in(page, live_server.url, "annie")
    _open_next_image(page, "Review demo")
    assert page.url.endswith(f"#/images/{image_id}")
    state = page.get_by_test_id("workflow-state")
    assert state.text_content() == "New"
    assert page.get_by_test_id("review-panel").count() == 0
    page.get_by_test_id("tool-bbox").click()
    box = page.get_by_test_id("viewer").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx - 60, cy - 40)
    page.mouse.down()
    page.mouse.move(cx + 50, cy + 30, steps=8)
    page.mouse.up()
    page.get_by_test_id("save-status").filter(has_text="Saved").wait_for(timeout=10_000)
    state.filter(has_text="In progress").wait_for(timeout=5_000)
    page.get_by_test_id("submit").click()
    state.filter(has_text="Submitted").wait_for(timeout=10_000)
    assert not page.get_by_test_id("submit").is_visible()
    # Submitted work is locked for the annotator: no drawing tools, a note instead.
    assert not page.get_by_test_id("tool-bbox").is_visible()
    assert page.get_by_test_id("read-only").is_visible()
    assert Image.objects.get(pk=image_id).workflow_state == "submitted"

    # The reviewer, in a browser of their own, gets the submitted image from the queue and rejects it.
    reviewer_context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        review_page = reviewer_context.new_page()
        _log_in(review_page, live_server.url, "rita")
        _open_next_image(review_page, "Review demo")
        assert review_page.url.endswith(f"#/images/{image_id}")
        panel = review_page.get_by_test_id("review-panel")
        panel.wait_for(timeout=5_000)
        assert review_page.get_by_test_id("workflow-state").text_content() == "Submitted"
        # Rejecting without saying why is refused with the server's message.
        review_page.get_by_test_id("review-reject").click()
        error = review_page.get_by_test_id("review-error")
        error.filter(has_text="needs a comment").wait_for(timeout=5_000)
        assert Image.objects.get(pk=image_id).workflow_state == "submitted"
        review_page.get_by_test_id("review-comment").fill(COMMENT)
        review_page.get_by_test_id("review-reject").click()
        review_page.get_by_test_id("workflow-state").filter(has_text="Rejected").wait_for(timeout=10_000)
        assert not panel.is_visible()
        item = review_page.get_by_test_id("review-item")
        assert item.count() == 1 and COMMENT in item.text_content() and "rita" in item.text_content()
    finally:
        reviewer_context.close()

    image = Image.objects.get(pk=image_id)
    assert image.workflow_state == "rejected" and image.reviewer_id == reviewer.pk
    reviews = client_for(annotator).get(f"/api/v1/images/{image_id}/reviews/").json()["results"]
    assert [(r["decision"], r["comment"], r["reviewer"]["username"]) for r in reviews] == [("reject", COMMENT, "rita")]

    # The annotator finds the image among the rejected ones and reads the reason at the top of the side panel.
    page.goto(f"{live_server.url}/#/projects/{project.pk}")
    page.get_by_test_id("progress").filter(has_text="0 / 1 accepted").wait_for(timeout=5_000)
    page.get_by_test_id("state-filter").select_option("rejected")
    page.get_by_test_id("image-state").filter(has_text="Rejected").wait_for(timeout=5_000)
    page.get_by_test_id("image-link").filter(has_text="ihc.png").click()
    page.get_by_test_id("viewer").and_(page.locator("[data-ready=true]")).wait_for(timeout=20_000)
    notice = page.get_by_test_id("rejection-comment")
    notice.wait_for(timeout=5_000)
    assert COMMENT in notice.text_content() and "rita" in notice.text_content()
    assert page.get_by_test_id("workflow-state").text_content() == "Rejected"
    assert page.get_by_test_id("submit").is_visible()
    assert page.get_by_test_id("tool-bbox").is_visible()
    assert Annotation.objects.filter(image_id=image_id, author=annotator).count() == 1
