"""End to end in Chromium: upload a DICOM folder and a PNG, resume after a network drop, export, docs offline."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from PIL import Image as PILImage
from pydicom.uid import generate_uid

from annotator.annotations.services import annotation_create
from annotator.imaging.models import Image
from annotator.projects.services import label_create, project_create
from annotator.uploads.models import Upload
from tests.annotator.dicom.factories import image as dicom_image
from tests.conftest import png_bytes, wait_for
from tests.e2e.conftest import forget_csp_violations
from tests.e2e.test_review_flow import _log_in, _skip_without_build

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

DROP = """([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: 'image/png' }));
  const zone = document.querySelector('[data-testid=drop-zone]');
  for (const type of ['dragenter', 'dragover', 'drop']) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }
}"""


def _dicom_folder(folder: Path, count: int = 3) -> None:
    folder.mkdir()
    series, study = generate_uid(), generate_uid()
    for index in range(count):
        ds = dicom_image(
            np.full((32, 32), index * 40, dtype=np.int16),
            SeriesInstanceUID=series,
            StudyInstanceUID=study,
            Modality="CT",
            PatientID="PID-1",
            InstanceNumber=index + 1,
            ImageOrientationPatient=[1, 0, 0, 0, 1, 0],
            ImagePositionPatient=[0, 0, float(index * 2.5)],
        )
        ds.save_as(folder / f"IM{index:04d}", enforce_file_format=True)


def _owner_and_project(name: str) -> tuple:
    owner = get_user_model().objects.create_user(username="olga", password="pw-olga")
    return owner, project_create(creator=owner, name=name)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_upload_a_dicom_folder_and_a_dropped_png(worker, live_server, page: Page, tmp_path) -> None:
    _skip_without_build()
    _, project = _owner_and_project("Upload demo")
    _dicom_folder(tmp_path / "study")
    _log_in(page, live_server.url, "olga")
    page.goto(f"{live_server.url}/#/projects/{project.pk}")
    page.get_by_role("link", name="Upload images").click()
    page.get_by_label("Site").fill("site-a")

    page.get_by_label("Choose folder").set_input_files(str(tmp_path / "study"))
    page.evaluate(DROP, ["scan.png", base64.b64encode(png_bytes(64, 48)).decode()])

    for name in ("study/IM0000", "study/IM0002", "scan.png"):
        page.locator(f'[role=progressbar][aria-label="{name}"][aria-valuenow="100"]').wait_for(timeout=20_000)
    page.locator('[role=progressbar][aria-label="Overall progress"][aria-valuenow="100"]').wait_for(timeout=20_000)
    listed = page.get_by_role("list", name="Uploaded images").get_by_role("listitem")
    wait_for(lambda: listed.count() == 2, timeout=20, what="both images listed")
    # The status follows the worker without a reload: pending/processing, then ready.
    for index in range(2):
        listed.nth(index).filter(has_text="Ready").wait_for(timeout=60_000)
    _shot(page, "upload.png")

    images = list(Image.objects.filter(project=project).order_by("id"))
    assert sorted(i.kind for i in images) == ["dicom", "raster"]
    assert all(i.status == "ready" and i.site == "site-a" for i in images)
    assert next(i for i in images if i.kind == "dicom").frames == 3  # the folder's slices became one series


def test_a_rejected_file_is_listed_with_its_reason(live_server, page: Page, transactional_db) -> None:
    _skip_without_build()
    _, project = _owner_and_project("Rejects")
    _log_in(page, live_server.url, "olga")
    page.goto(f"{live_server.url}/#/projects/{project.pk}/upload")
    page.get_by_label("Choose files").set_input_files(
        [{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not an image"}]
    )
    rejected = page.get_by_role("list", name="Rejected files").get_by_role("listitem", name="notes.txt")
    rejected.wait_for(timeout=20_000)
    assert "notes.txt" in rejected.text_content()
    assert not Image.objects.filter(project=project).exists()


def test_resumable_upload_goes_on_after_the_network_drops(worker, live_server, page: Page, settings) -> None:
    _skip_without_build()
    settings.ANNOTATOR_UPLOAD_CHUNK_BYTES = 512 * 1024
    _, project = _owner_and_project("Resume demo")
    noise = np.random.default_rng(0).integers(0, 255, (2500, 2400, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    PILImage.fromarray(noise).save(buffer, format="PNG", compress_level=0)
    big = buffer.getvalue()
    assert len(big) > 16 * 1024 * 1024  # above the page's threshold for resumable uploads

    # Slow every chunk down a little, so the drop lands in the middle of the upload.
    def slow(route) -> None:
        if route.request.method == "PATCH":
            page.wait_for_timeout(60)
        route.continue_()

    page.route("**/api/v1/uploads/*/", slow)
    _log_in(page, live_server.url, "olga")
    page.goto(f"{live_server.url}/#/projects/{project.pk}/upload")
    page.get_by_label("Choose files").set_input_files([{"name": "big.png", "mimeType": "image/png", "buffer": big}])
    bar = page.get_by_role("progressbar", name="big.png")
    wait_for(lambda: int(bar.get_attribute("aria-valuenow") or 0) >= 15, timeout=60, what="a part of the file sent")
    page.context.set_offline(True)
    page.get_by_text("Offline — will resume").wait_for(timeout=20_000)
    stalled = int(bar.get_attribute("aria-valuenow") or 0)
    assert stalled < 100
    _shot(page, "upload-offline.png")
    upload = Upload.objects.get(project=project)
    assert 0 < upload.offset < len(big)
    page.context.set_offline(False)

    page.locator('[role=progressbar][aria-label="big.png"][aria-valuenow="100"]').wait_for(timeout=60_000)
    page.get_by_role("list", name="Uploaded images").get_by_role("listitem").filter(has_text="Ready").wait_for(
        timeout=90_000
    )
    upload.refresh_from_db()
    assert upload.status == "complete" and Upload.objects.filter(project=project).count() == 1
    image = Image.objects.get(project=project)
    assert (image.width, image.height) == (2400, 2500)


def test_export_from_the_page_and_download_it(worker, live_server, page: Page, tmp_path) -> None:
    _skip_without_build()
    from annotator.imaging.processing import image_process
    from annotator.imaging.services import image_upload

    owner, project = _owner_and_project("Export demo")
    label = label_create(project=project, name="Lesion", kind="bbox", color="#e5484d")
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = image_upload(project=project, user=owner, files=[SimpleUploadedFile("a.png", png_bytes(80, 60))]).images[0]
    image_process(image_id=image.pk)
    image.refresh_from_db()
    annotation_create(image=image, author=owner, label=label, geometry={"x": 5, "y": 6, "w": 20, "h": 10})

    _log_in(page, live_server.url, "olga")
    page.goto(f"{live_server.url}/#/projects/{project.pk}")
    page.get_by_role("link", name="Export").click()
    page.get_by_label("Format").select_option("coco")
    page.get_by_label("Only accepted").uncheck()
    page.get_by_role("button", name="Export").click()
    page.locator('[role=progressbar][aria-label="Export progress"][aria-valuenow="100"]').wait_for(timeout=90_000)
    link = page.get_by_role("link", name="Download")
    link.wait_for(timeout=30_000)
    page.get_by_role("region", name="Dataset card").get_by_text("Export demo").first.wait_for(timeout=20_000)
    with page.expect_download() as info:
        link.click()
    target = tmp_path / "export.zip"
    info.value.save_as(target)
    _shot(page, "export.png")

    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert {"README.md", "dataset.json", "SHA256SUMS"} <= names
        for line in archive.read("SHA256SUMS").decode().splitlines():
            digest, name = line.split(maxsplit=1)
            assert hashlib.sha256(archive.read(name.lstrip("*"))).hexdigest() == digest, name
    assert page.get_by_role("table", name="Export history").get_by_role("row").count() == 2  # header + this export


@pytest.mark.parametrize(("path", "ready"), [("/api/docs/", ".swagger-ui .opblock"), ("/api/redoc/", "redoc-wrap")])
def test_api_docs_render_with_every_other_host_blocked(live_server, page: Page, path: str, ready: str) -> None:
    blocked: list[str] = []

    def only_local(route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server.url}{path}")
    selector = ready if ready.startswith(".") else f".{ready}"
    page.locator(selector).first.wait_for(timeout=30_000)
    assert page.get_by_text("Annotator API").first.is_visible()
    assert blocked == [], blocked
    if path == "/api/redoc/":  # Redoc's bundle asks its vendor's CDN for a footer logo: the policy refusing it is
        forget_csp_violations(page)  # the point, not a failure (nothing left the machine: blocked == [])
