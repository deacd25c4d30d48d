"""Faults with real processes: a worker SIGKILLed mid-job, the broker stopped, a database connection killed,
20 uploads at once and a corrupt zip — every job ends ready/done or failed with a reason, nothing is lost."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from django.db import connection
from PIL import Image as PILImage

from annotator.core.models import OutboxTask
from annotator.core.storage import image_dir
from annotator.exports.models import ExportJob
from annotator.imaging.models import Image
from tests.api.test_hostile_uploads import corrupt_zip
from tests.conftest import png_bytes
from tests.faults.conftest import Stack, _wait

pytestmark = pytest.mark.faults
RECOVERY = 120  # seconds after the restart within which every job must have ended


def big_png(side: int) -> bytes:
    """A large noisy PNG: its pyramid takes seconds to build, long enough to kill the worker mid-way."""
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 255, (side, side, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    PILImage.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _upload(stack: Stack, name: str, data: bytes) -> dict:
    answer = stack.api("POST", f"/api/v1/projects/{stack.project_id}/images/", files=[("file", (name, data))])
    assert answer.status_code == 201, answer.text
    return answer.json()


def _image_status(image_id: int) -> tuple[str, str]:
    return tuple(Image.objects.filter(pk=image_id).values_list("status", "error").get())  # type: ignore[return-value]


def _ended(status: str, error: str, done: str) -> bool:
    return status == done or (status == "failed" and bool(error))


def test_worker_killed_during_a_pyramid_build_then_restarted(stack: Stack) -> None:
    image_id = _upload(stack, "big.png", big_png(5000))["images"][0]["id"]
    _wait(lambda: _image_status(image_id)[0] == "processing", 60, "processing to start", stack.worker.log)
    stack.worker.kill()
    assert _image_status(image_id)[0] == "processing"  # killed mid-build: nothing finished it
    restarted = time.monotonic()
    stack.start_worker()
    _wait(lambda: _ended(*_image_status(image_id), "ready"), RECOVERY, "the image to end", stack.worker.log)
    assert time.monotonic() - restarted < RECOVERY
    image = Image.objects.get(pk=image_id)
    assert image.status == "ready", image.error  # re-queued by the reaper and built again
    assert image.attempts == 2
    assert (image_dir(image_id) / "thumbnail.jpg").exists()


def test_worker_killed_during_an_export_then_restarted(stack: Stack) -> None:
    images = [_upload(stack, f"s{n}.png", big_png(1500))["images"][0]["id"] for n in range(3)]
    _wait(lambda: Image.objects.filter(pk__in=images, status="ready").count() == 3, 120, "images", stack.worker.log)
    answer = stack.api(
        "POST",
        f"/api/v1/projects/{stack.project_id}/exports/",
        json={"format": "mask_png", "options": {"include_images": True}},
    )
    assert answer.status_code in (201, 202), answer.text
    job_id = answer.json()["id"]

    def job() -> tuple[str, str]:
        return tuple(ExportJob.objects.filter(pk=job_id).values_list("status", "error").get())  # type: ignore[return-value]

    _wait(lambda: job()[0] == "running", 60, "the export to start", stack.worker.log)
    stack.worker.kill()
    assert job()[0] == "running"
    restarted = time.monotonic()
    stack.start_worker()
    _wait(lambda: _ended(*job(), "done"), RECOVERY, "the export to end", stack.worker.log)
    assert time.monotonic() - restarted < RECOVERY
    finished = ExportJob.objects.get(pk=job_id)
    assert finished.status == "done", finished.error
    assert finished.attempts == 2 and finished.size


def test_broker_stopped_during_uploads_and_started_again(stack: Stack) -> None:
    stack.redis.stop()
    assert not stack.redis_up()
    started = time.monotonic()
    multipart = _upload(stack, "while-down.png", png_bytes(64, 48))["images"][0]["id"]
    data = png_bytes(80, 40)
    opened = stack.api(
        "POST", f"/api/v1/projects/{stack.project_id}/uploads/", json={"filename": "resumable.png", "size": len(data)}
    )
    assert opened.status_code == 201, opened.text
    upload_id = opened.json()["id"]
    chunk = stack.api(
        "PATCH",
        f"/api/v1/uploads/{upload_id}/",
        data=data,
        headers={"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert chunk.status_code == 204, chunk.text
    completed = stack.api("POST", f"/api/v1/uploads/{upload_id}/complete/")
    assert completed.status_code == 201, completed.text  # was a 500, and its retry a 410
    resumable = completed.json()["images"][0]["id"]
    export = stack.api("POST", f"/api/v1/projects/{stack.project_id}/exports/", json={"format": "coco"})
    assert export.status_code in (201, 202), export.text
    job_id = export.json()["id"]
    assert time.monotonic() - started < 60  # a dead broker does not hang the requests
    assert OutboxTask.objects.filter(sent_at__isnull=True).count() == 3  # waiting, not lost
    assert Image.objects.get(pk=multipart).status == "pending"

    stack.start_redis()
    _wait(
        lambda: (
            Image.objects.filter(pk__in=[multipart, resumable], status="ready").count() == 2
            and ExportJob.objects.get(pk=job_id).status == "done"
        ),
        RECOVERY,
        "the queued jobs to run once the broker is back",
        stack.worker.log,
    )
    assert not OutboxTask.objects.filter(sent_at__isnull=True).exists()


def _raw_upload_in_two_halves(stack: Stack, data: bytes, between: callable) -> bytes:  # type: ignore[valid-type]
    """POST a multipart upload over a raw socket, calling between() after the first half of the body."""
    boundary = "fault-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    host, port = stack.web_url.removeprefix("http://").split(":")
    head = (
        f"POST /api/v1/projects/{stack.project_id}/images/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Token {stack.token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(head + body[: len(body) // 2])
        between()
        sock.sendall(body[len(body) // 2 :])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_database_connection_killed_mid_request(stack: Stack) -> None:
    def web_backend() -> int | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'fault-web' AND datname = current_database()"
            )
            rows = cursor.fetchall()
        return rows[0][0] if len(rows) == 1 else None

    def kill_it() -> None:  # the view has authenticated and is now reading the body
        _wait(lambda: web_backend() is not None, 30, "the web process's database connection", stack.web.log)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [web_backend()])
            assert cursor.fetchone()[0] is True

    before = Image.objects.count()
    answer = _raw_upload_in_two_halves(stack, png_bytes(400, 300), kill_it)
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 503 " in status_line, answer[:600]
    assert b'"code":"database_unavailable"' in rest
    assert Image.objects.count() == before  # nothing half-stored
    again = _upload(stack, "after.png", png_bytes(40, 30))  # the next request gets a fresh connection
    image_id = again["images"][0]["id"]
    _wait(lambda: _image_status(image_id)[0] == "ready", RECOVERY, "the retried upload", stack.worker.log)
    stored = {int(p.name) for p in image_dir(0).parent.iterdir() if p.name.isdigit()}
    assert stored & set(Image.objects.values_list("pk", flat=True)) == {image_id}


def test_twenty_concurrent_uploads_are_all_accounted_for(stack: Stack) -> None:
    payloads = [png_bytes(60 + n, 40) for n in range(20)]
    barrier = threading.Barrier(20)

    def send(n: int) -> dict:
        barrier.wait()
        return _upload(stack, f"c{n:02}.png", payloads[n])

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, range(20)))
    ids = [a["images"][0]["id"] for a in answers]
    assert len(set(ids)) == 20 and all(not a["rejected"] for a in answers)
    _wait(lambda: Image.objects.filter(pk__in=ids, status="ready").count() == 20, RECOVERY, "20 images")
    widths = sorted(Image.objects.filter(pk__in=ids).values_list("width", flat=True))
    assert widths == [60 + n for n in range(20)]
    assert all((image_dir(pk) / "thumbnail.jpg").exists() for pk in ids)
    assert not OutboxTask.objects.filter(sent_at__isnull=True).exists()


def test_corrupt_zip_through_the_live_stack(stack: Stack) -> None:
    body = _upload(stack, "batch.zip", corrupt_zip())
    ids = [image["id"] for image in body["images"]]
    assert sorted(image["name"] for image in body["images"]) == ["good.png", "later.png"]
    assert {r["code"] for r in body["rejected"]} == {"corrupt_entry", "bad_filename", "unsafe_path", "hidden_file"}
    _wait(lambda: Image.objects.filter(pk__in=ids, status="ready").count() == 2, RECOVERY, "the good entries")


def test_image_deleted_while_its_pyramid_builds_leaves_no_files(stack: Stack) -> None:
    image_id = _upload(stack, "doomed.png", big_png(5000))["images"][0]["id"]
    _wait(lambda: _image_status(image_id)[0] == "processing", 60, "processing to start", stack.worker.log)
    assert stack.api("DELETE", f"/api/v1/images/{image_id}/").status_code == 204
    finished = re.compile(r"Task annotator\.imaging\.tasks\.process_image\[[^\]]+\] (succeeded|raised)")
    _wait(
        lambda: bool(finished.search(stack.worker.log.read_text(errors="replace"))),
        RECOVERY,
        "the worker to finish the deleted image",
        stack.worker.log,
    )
    assert not image_dir(image_id).exists()  # the worker's late tiles went with the row
