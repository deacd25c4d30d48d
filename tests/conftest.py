"""Shared fixtures: users, API clients, sample files, isolated media, and a real Celery worker."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from PIL import Image as PILImage
from pydicom.data import get_testdata_file
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator.accounts.models import Membership
from annotator.projects.models import Label, Project
from annotator.projects.services import label_create, project_create
from tests import s3server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


S3_PASS = os.environ.get("ANNOTATOR_TEST_S3") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked s3 need the object-store pass (ANNOTATOR_TEST_S3=1, which `make test` runs too)."""
    if S3_PASS:
        return
    skip = pytest.mark.skip(reason="runs in the object-store pass: ANNOTATOR_TEST_S3=1 (make test runs it)")
    for item in items:
        if "s3" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def object_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[s3server.SeaweedFS | None]:
    """In the object-store pass: a live SeaweedFS with a fresh bucket, the app (and workers) pointed at it."""
    if not S3_PASS:
        yield None
        return
    server = s3server.start(tmp_path_factory.mktemp("seaweedfs"))
    os.environ.update(server.environment())  # worker processes started from here on inherit them
    for name, value in server.environment().items():
        setattr(settings, name, value)
    settings.SCRATCH_DIR = tmp_path_factory.mktemp("scratch-web")
    try:
        yield server
    finally:
        settings.STORAGE_BACKEND = "local"
        server.stop()


@pytest.fixture(autouse=True)
def _isolated_media(
    media_dir: Path, tmp_path_factory: pytest.TempPathFactory, object_store: s3server.SeaweedFS | None
) -> None:
    settings.MEDIA_ROOT = media_dir
    settings.ANNOTATOR_UPLOAD_DIR = tmp_path_factory.getbasetemp() / "uploads"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Login limits and throttles start empty for each test (only our keys: the broker shares the Redis db)."""
    from django.core.cache import cache

    def clear() -> None:
        if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
            client = cache._cache.get_client(write=True)
            keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000))
            if keys:
                client.delete(*keys)
        else:
            cache.clear()

    clear()
    yield
    clear()


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    def make(username: str = "alice", **extra: object) -> object:
        return get_user_model().objects.create_user(username=username, password="pw-" + username, **extra)

    return make


@pytest.fixture
def client_for() -> Callable[[object], APIClient]:
    """An API client authenticated with the user's token (the way scripts call the API)."""

    def make(user: object) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def owner(make_user: Callable[..., object]) -> object:
    return make_user("owner")


@pytest.fixture
def project(owner: object) -> Project:
    return project_create(creator=owner, name="Chest CT")


@pytest.fixture
def bbox_label(project: Project) -> Label:
    return label_create(project=project, name="Lesion", kind="bbox", color="#ff0000", hotkey="l")


@pytest.fixture
def member(project: Project, make_user: Callable[..., object]) -> Callable[[str], object]:
    """A new user holding the given role in the project."""

    def make(role: str) -> object:
        user = make_user(f"{role}-user")
        Membership.objects.create(project=project, user=user, role=role)
        return user

    return make


def png_bytes(width: int = 300, height: int = 200, *, mode: str = "RGB") -> bytes:
    """A small synthetic PNG with a gradient (so tiles are not blank)."""
    xs = np.linspace(0, 255, width, dtype=np.uint8)
    plane = np.tile(xs, (height, 1))
    array = np.dstack([plane, plane[::-1], np.full_like(plane, 128)]) if mode == "RGB" else plane
    buffer = io.BytesIO()
    PILImage.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def ct_path() -> Path:
    """pydicom's bundled CT slice (128 × 128, signed 16-bit, with patient identifiers)."""
    return Path(get_testdata_file("CT_small.dcm"))


# --- a real Celery worker process ------------------------------------------------------------


def _database_url_for_test_db() -> str:
    cfg = connection.settings_dict
    if cfg["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("a worker process needs a server database (set DATABASE_URL to Postgres)")
    user = cfg.get("USER") or ""
    password = f":{cfg['PASSWORD']}" if cfg.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{cfg.get('HOST') or '127.0.0.1'}:{cfg.get('PORT') or 5432}/{cfg['NAME']}"


def worker_environment(media: Path) -> dict[str, str]:
    """The environment of a worker process on the test database (call with the database unblocked)."""
    return {**os.environ, "DATABASE_URL": _database_url_for_test_db(), "MEDIA_ROOT": str(media)}


def start_worker(*, env: dict[str, str], log: Path, name: str) -> subprocess.Popen:
    """Start one `celery worker` process (concurrency 1, both queues) and wait until it answers a ping."""
    from annotator.celery import app

    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "annotator",
                "worker",
                "-Q",
                "default,heavy",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not any(name in node for reply in app.control.ping(timeout=0.5) for node in reply):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the Celery worker {name} did not come up; its log:\n{log.read_text()[-4000:]}")
    return process


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None,
    django_db_blocker: object,
    media_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    object_store: s3server.SeaweedFS | None,
) -> Iterator[subprocess.Popen | None]:
    """Start `celery worker` against the test database and media dir; None when tasks run eagerly."""
    if not settings.CELERY_BROKER_URL:
        if os.environ.get("REQUIRE_WORKER") == "1":
            pytest.fail("REQUIRE_WORKER=1 but CELERY_BROKER_URL is not set: refusing to run tasks in-process")
        yield None
        return
    from annotator.celery import app

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        env = worker_environment(media_dir if object_store is None else tmp_path_factory.mktemp("worker-media"))
    if object_store is not None:  # its own scratch: the worker shares no disk with this process
        env["SCRATCH_DIR"] = str(tmp_path_factory.mktemp("scratch-worker"))
    app.control.purge()
    process = start_worker(env=env, log=tmp_path_factory.mktemp("worker") / "worker.log", name="pytest")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def worker(celery_worker_process: subprocess.Popen | None, transactional_db: None) -> subprocess.Popen | None:
    """Tasks go through the broker to a worker process (or run eagerly on a laptop without a broker)."""
    return celery_worker_process


def wait_for(predicate: Callable[[], bool], *, timeout: float = 60.0, what: str = "condition") -> None:
    """Poll until predicate() is true or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def ready_image(project: Project, owner: object) -> object:
    """A 300 × 200 PNG uploaded and processed in this process (for tests not about the worker)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from annotator.imaging.models import Image
    from annotator.imaging.processing import image_process
    from annotator.imaging.services import image_upload

    result = image_upload(project=project, user=owner, files=[SimpleUploadedFile("scan.png", png_bytes())])
    image = result.images[0]
    image_process(image_id=image.pk)  # a worker listening on the broker may have claimed it first: then wait
    wait_for(lambda: Image.objects.get(pk=image.pk).status in ("ready", "failed"), what="the image processed")
    image.refresh_from_db()
    assert image.status == "ready", image.error
    return image
