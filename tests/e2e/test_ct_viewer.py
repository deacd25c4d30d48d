"""End to end in a real Chromium: a CT series read as in a PACS — presets, drag, invert, HU, slices, mm."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from annotator.annotations.models import Annotation
from annotator.imaging.models import Image
from annotator.projects.services import label_create, project_create
from tests.conftest import wait_for
from tests.e2e.conftest import open_viewer
from tests.e2e.ct_series import AIR, FILE_WINDOW, HU_PER_SLICE, SPACING, ct_series, window_linear
from tests.e2e.test_draw_box import _skip_without_build

pytestmark = pytest.mark.e2e

SIZE = 128
PRESETS = {
    "Brain": (40, 80),
    "Subdural": (75, 215),
    "Lung": (-600, 1500),
    "Mediastinum": (50, 350),
    "Soft tissue": (40, 400),
    "Liver": (90, 150),
    "Bone": (480, 2500),
}


def _grey_at(page, x: int, y: int) -> int:
    """The painted grey level of image pixel (x, y): the canvas holds the frame at image resolution."""
    return page.evaluate(
        "([x, y]) => document.querySelector('canvas.raw-frame').getContext('2d').getImageData(x, y, 1, 1).data[0]",
        [x, y],
    )


def _client(page, x: float, y: float) -> tuple[float, float]:
    """Client coordinates of image point (x, y) from where the canvas is drawn."""
    box = page.locator("canvas.raw-frame").bounding_box()
    return box["x"] + x * box["width"] / SIZE, box["y"] + y * box["height"] / SIZE


def _open_series(page, live_server, client_for, *, polyline: bool = False):
    user = get_user_model().objects.create_user(username="radiologist", password="pw-radiologist")
    project = project_create(creator=user, name="CT demo")
    label = label_create(project=project, name="Nodule", kind="bbox", color="#e5484d")
    if polyline:
        label_create(project=project, name="Length", kind="polyline", color="#30a46c")
    url = f"/api/v1/projects/{project.pk}/images/"
    answer = client_for(user).post(url, {"file": ct_series(size=SIZE)}, format="multipart")
    assert answer.status_code == 201, answer.content
    images = answer.json()["images"]
    assert len(images) == 1, images  # the five files are one series
    image_id = images[0]["id"]
    wait_for(lambda: Image.objects.get(pk=image_id).status == "ready", what="the series to be processed")
    assert Image.objects.get(pk=image_id).frames == len(HU_PER_SLICE)

    viewer = open_viewer(page, live_server.url, "radiologist", "pw-radiologist", image_id)
    assert viewer.get_attribute("data-source") == "raw"
    return image_id, label, viewer


def _readout(page, name: str):
    return page.get_by_role("status", name=name)


def test_ct_presets_drag_invert_values_and_slices(worker, live_server, page, client_for) -> None:
    _skip_without_build()
    image_id, label, _viewer = _open_series(page, live_server, client_for)
    centre = SIZE // 2
    window = _readout(page, "Window")
    slice_readout = _readout(page, "Slice")
    value = _readout(page, "Pixel value")

    # The file's own window is the default; the centre pixel is painted by the LINEAR formula.
    assert window.text_content() == f"C {FILE_WINDOW[0]} W {FILE_WINDOW[1]}"
    assert slice_readout.text_content() == f"1 / {len(HU_PER_SLICE)}"
    hu = HU_PER_SLICE[0]
    assert _grey_at(page, centre, centre) == window_linear(hu, *FILE_WINDOW)

    for name, (c, w) in PRESETS.items():
        page.get_by_role("combobox", name="Window preset").select_option(label=name)
        assert window.text_content() == f"C {c} W {w}"
        assert _grey_at(page, centre, centre) == window_linear(hu, c, w), name
        assert _grey_at(page, 2, 2) == window_linear(AIR, c, w), name

    # Invert flips the display.
    page.get_by_role("button", name="Invert").click()
    assert page.get_by_role("button", name="Invert").get_attribute("aria-pressed") == "true"
    assert _grey_at(page, centre, centre) == 255 - window_linear(hu, *PRESETS["Bone"])
    page.get_by_role("button", name="Invert").click()

    # Window/level drag: 100 px right widens by 100 × width/200 (the tool's rate), the centre stays.
    page.get_by_role("combobox", name="Window preset").select_option(label="Soft tissue")
    page.keyboard.press("w")
    assert page.get_by_role("button", name="Window/level").get_attribute("aria-pressed") == "true"
    x, y = _client(page, centre, centre)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 50, y, steps=3)
    page.mouse.move(x + 100, y, steps=3)
    page.mouse.up()
    assert window.text_content() == "C 40 W 600"
    assert _grey_at(page, centre, centre) == window_linear(hu, 40, 600)
    page.keyboard.press("Escape")

    # Pixel value in HU under the pointer: the centre square, then the air around it.
    page.mouse.move(*_client(page, centre + 0.5, centre + 0.5))
    assert value.text_content() == f"{hu} HU"
    page.mouse.move(*_client(page, 3.5, 3.5))
    assert value.text_content() == f"{AIR} HU"
    page.mouse.move(*_client(page, centre + 0.5, centre + 0.5))

    # Scrolling: wheel, arrow and page keys, and the buttons, in position order; the value follows the slice.
    def expect_slice(k: int) -> None:
        page.locator(f"[data-testid=viewer][data-frame='{k}']").wait_for(timeout=10_000)
        assert slice_readout.text_content() == f"{k + 1} / {len(HU_PER_SLICE)}"
        assert value.text_content() == f"{HU_PER_SLICE[k]} HU"
        assert re.search(rf"[?&]frame={k}\b", page.url) or k == 0

    page.mouse.wheel(0, 120)
    expect_slice(1)
    page.keyboard.press("ArrowDown")
    expect_slice(2)
    page.get_by_role("button", name="Next slice").click()
    page.mouse.move(*_client(page, centre + 0.5, centre + 0.5))
    expect_slice(3)
    page.keyboard.press("PageDown")
    expect_slice(4)
    page.keyboard.press("PageDown")  # clamped at the last slice
    expect_slice(4)
    page.keyboard.press("PageUp")
    expect_slice(3)
    page.get_by_role("button", name="Previous slice").click()
    page.mouse.move(*_client(page, centre + 0.5, centre + 0.5))
    expect_slice(2)
    assert _grey_at(page, centre, centre) == window_linear(HU_PER_SLICE[2], 40, 600)

    # The info overlay: modality, slice position (z of slice 2) and thickness, spacing, size; no identifiers.
    info = page.get_by_test_id("image-info").text_content()
    assert "Modality CT" in info and "Slice position -15 mm" in info and "Thickness 2.5 mm" in info
    assert "Spacing 0.5 × 0.8 mm" in info and f"Size {SIZE} × {SIZE} px" in info
    assert "pseudo" not in info

    # A box drawn now belongs to slice 2 and is shown only there.
    page.get_by_role("button", name="Box").click()
    x0, y0 = _client(page, 40, 40)
    x1, y1 = _client(page, 80, 70)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    page.get_by_test_id("save-status").filter(has_text="Saved").wait_for(timeout=10_000)
    saved = Annotation.objects.get(image_id=image_id)
    assert saved.frame == 2 and saved.label_id == label.pk
    assert abs(saved.geometry["x"] - 40) < 1 and abs(saved.geometry["w"] - 40) < 1
    # The shape layer (one canvas) holds the shapes of the slice shown only.
    layer = page.locator("canvas.shape-layer")
    page.locator("canvas.shape-layer[data-frame='2'][data-shapes='1']").wait_for(timeout=5_000)
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowUp")
    expect_slice(1)
    page.locator("canvas.shape-layer[data-frame='1'][data-shapes='0']").wait_for(timeout=5_000)
    page.keyboard.press("ArrowDown")
    expect_slice(2)
    page.locator("canvas.shape-layer[data-frame='2'][data-shapes='1']").wait_for(timeout=5_000)
    assert layer.count() == 1

    # ?frame=N opens on that slice.
    page.goto(f"{live_server.url}/#/images/{image_id}?frame=3")
    page.reload()
    page.locator("[data-testid=viewer][data-frame='3']").wait_for(timeout=20_000)
    assert _readout(page, "Slice").text_content() == f"4 / {len(HU_PER_SLICE)}"


def test_length_reads_mm_from_pixel_spacing(worker, live_server, page, client_for) -> None:
    _skip_without_build()
    image_id, _label, _viewer = _open_series(page, live_server, client_for, polyline=True)
    page.keyboard.press("d")
    assert page.get_by_role("button", name="Length").get_attribute("aria-pressed") == "true"
    # 60 columns across and 80 rows down: hypot(60 × 0.8, 80 × 0.5) = hypot(48, 40) = 62.48 mm.
    page.mouse.move(*_client(page, 20, 20))
    page.mouse.down()
    page.mouse.move(*_client(page, 50, 60), steps=4)
    page.mouse.move(*_client(page, 80, 100), steps=4)
    page.mouse.up()
    panel = page.get_by_role("region", name="Measurements")
    panel.get_by_test_id("measurement").filter(has_text="62.5 mm").wait_for(timeout=10_000)
    page.get_by_test_id("save-status").filter(has_text="Saved").wait_for(timeout=10_000)
    # The project has a polyline label, so the ruler is saved as a two-point polyline on slice 1.
    saved = Annotation.objects.get(image_id=image_id)
    assert saved.frame == 0 and len(saved.geometry["points"]) == 2
    (ax, ay), (bx, by) = saved.geometry["points"]
    assert abs(((bx - ax) * SPACING[1]) ** 2 + ((by - ay) * SPACING[0]) ** 2 - 62.48**2) < 2 * 62.48 * 0.3
    page.get_by_test_id("ruler").first.wait_for(timeout=5_000)


def test_a_slice_that_fails_to_load_says_which_and_retries(worker, live_server, page, client_for) -> None:
    _skip_without_build()
    broken = {"on": True, "refused": 0}

    def flaky(route) -> None:
        if broken["on"]:
            broken["refused"] += 1
            route.fulfill(status=503, json={"detail": "Storage is busy", "code": "unavailable"})
        else:
            route.continue_()

    page.route(re.compile(r".*/frames/3\?.*raw=1"), flaky)
    _image_id, _label, viewer = _open_series(page, live_server, client_for)
    page.get_by_role("button", name="Next slice").click()
    page.get_by_role("button", name="Next slice").click()
    page.get_by_role("button", name="Next slice").click()
    alert = page.get_by_role("alert")
    alert.filter(has_text="Slice 4 could not be loaded (Storage is busy); retrying").wait_for(timeout=10_000)
    assert viewer.get_attribute("data-frame") == "2"  # the last slice that did load stays up meanwhile
    broken["on"] = False  # the storage is back: the next retry shows the slice
    page.locator("[data-testid=viewer][data-frame='3']").wait_for(timeout=20_000)
    assert alert.is_hidden() and broken["refused"] >= 1
