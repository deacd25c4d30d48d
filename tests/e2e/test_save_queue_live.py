"""The browser's save queue against the real bulk endpoint: every kind saved as drawn, a 412 ends in a choice."""

from __future__ import annotations

import mimetypes
from typing import Any

import numpy as np
import pytest

from annotator.annotations import rle
from annotator.annotations.models import Annotation
from annotator.projects.services import label_create
from tests.e2e.conftest import HARNESS_DIST

pytestmark = pytest.mark.e2e


def _serve_harness_on(page: Any, origin: str) -> None:
    """Serve frontend/bench/dist under {origin}/bench/ so the page shares the live server's cookies and CSRF token."""

    def fulfil(route: Any) -> None:
        path = HARNESS_DIST / route.request.url.split("/bench/", 1)[1].split("?", 1)[0]
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), content_type=kind)

    page.route(f"{origin}/bench/**", fulfil)


def test_queue_saves_every_kind_and_a_conflict_asks(
    live_server, page, owner, project, ready_image, harness_url: str
) -> None:
    # harness_url is asked for only so the harness is built; the page is served on the live server's origin here.
    kinds_made = ("bbox", "polygon", "mask")
    labels = {kind: label_create(project=project, name=kind, kind=kind, color="#336699") for kind in kinds_made}
    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "pw-owner")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    _serve_harness_on(page, live_server.url)
    page.goto(f"{live_server.url}/bench/index.html")
    page.wait_for_function("document.title === 'bench ready'", timeout=30_000)
    kinds = {label.pk: kind for kind, label in labels.items()}
    page.evaluate("([id, kinds]) => bench.liveOpen(id, kinds)", [ready_image.pk, kinds])

    drawn = page.evaluate("(ids) => bench.liveDraw(ids)", {kind: label.pk for kind, label in labels.items()})
    assert drawn["status"] == "Saved"
    rows = {a.label.kind: a for a in Annotation.objects.filter(image=ready_image).select_related("label")}
    assert rows["bbox"].geometry == {"x": 10.5, "y": 20.0, "w": 30.0, "h": 40.0}
    assert rows["polygon"].geometry == {"points": [[100.0, 10.0], [150.0, 12.25], [120.0, 60.0]]}
    mask = rows["mask"].geometry
    pixels = rle.decode(mask["rle"])
    assert int(pixels.sum()) == drawn["maskArea"]  # the server decodes the browser's RLE to the same pixels
    assert rle.encode(pixels)["counts"] == mask["rle"]["counts"]  # … and would have written the same string
    assert rle.bounding_box(pixels) == (0, 0, mask["w"], mask["h"])  # cropped to its set pixels
    assert len(rows) == 3

    box = rows["bbox"]
    Annotation.objects.filter(pk=box.pk).update(geometry={"x": 200.0, "y": 100.0, "w": 5.0, "h": 5.0}, version=2)
    conflict = page.evaluate("bench.liveMoveBox(60)")
    assert conflict["status"] == "Conflict"
    assert conflict["mine"]["x"] == 60 and conflict["theirs"]["x"] == 200
    box.refresh_from_db()
    assert box.geometry["x"] == 200.0  # not overwritten while the user decides

    resolved = page.evaluate("bench.liveResolve(true)")
    assert resolved["status"] == "Saved"
    box.refresh_from_db()
    assert box.geometry["x"] == 60.0 and box.version == 3
    assert resolved["box"]["version"] == 3 and resolved["box"]["id"] == box.pk
    assert Annotation.objects.filter(image=ready_image).count() == 3  # nothing doubled
    assert np.array_equal(rle.decode(Annotation.objects.get(pk=rows["mask"].pk).geometry["rle"]), pixels)
