"""Load test runner: seed annotators and images, serve with gunicorn on loopback, swarm with Locust, report p95s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_load CELERY_BROKER_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python benchmarks/load_run.py --users 50 --seconds 120

The database named by DATABASE_URL is created (and dropped afterwards) for the run; media go to a temp
folder. The test suite's smoke (tests/test_load_smoke.py) calls seed/serve/swarm on its own test database.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1600, 1200  # above 1 MP: the pyramid is built at processing, as for a slide


def seed(*, users: int, images_per_user: int, out: Path) -> Path:
    """A project, a box label, annotators with tokens and their assigned images (one processed pyramid,
    linked into every image's folder); writes the seed JSON for the Locust file and returns its path."""
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PILImage
    from rest_framework.authtoken.models import Token

    from annotator.accounts.models import Membership
    from annotator.celery import app
    from annotator.core.storage import image_dir
    from annotator.imaging.models import Image
    from annotator.imaging.services import image_upload
    from annotator.imaging.tiles import deepzoom
    from annotator.projects.services import label_create, project_create

    people = get_user_model().objects
    owner = people.create_user(f"load-owner-{secrets.token_hex(3)}", is_staff=True)
    project = project_create(creator=owner, name="Load test")
    label = label_create(project=project, name="Cell", kind="bbox")
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    PILImage.fromarray(pixels).save(buffer, format="PNG")
    upload = SimpleUploadedFile("template.png", buffer.getvalue())
    # Processed here and now, never by a worker that may be listening on the broker (it would race this).
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        template = image_upload(project=project, user=owner, files=[upload]).images[0]
    finally:
        app.conf.task_always_eager = eager
    template.refresh_from_db()
    assert template.status == "ready", template.error
    tokens = []
    for n in range(users):
        user = people.create_user(f"{owner.username}-annotator-{n:03d}")
        Membership.objects.create(project=project, user=user, role="annotator")
        tokens.append(Token.objects.create(user=user).key)
        for i in range(images_per_user):
            clone = Image.objects.get(pk=template.pk)
            clone.pk = None
            clone.name, clone.assignee = f"u{n:03d}-{i:02d}.png", user
            clone.save()
            image_dir(clone.pk).symlink_to(image_dir(template.pk), target_is_directory=True)
    template.delete()  # its folder stays: the clones link to it
    grid = deepzoom.DeepZoom(WIDTH, HEIGHT)
    levels = [[level, *grid.t_grid(level)] for level in range(grid.top - 2, grid.top + 1)]  # the three deepest
    seed_path = out / "seed.json"
    seed_path.write_text(
        json.dumps(
            {
                "project": project.pk,
                "label": label.pk,
                "width": WIDTH,
                "height": HEIGHT,
                "tile_format": template.tile_format,
                "levels": levels,
                "tokens": tokens,
            }
        )
    )
    return seed_path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(*, env: dict[str, str], workers: int, threads: int, log: Path) -> Iterator[str]:
    """gunicorn (gthread) on a free loopback port with production-like settings; yields its base URL."""
    port = _free_port()
    settings_env = {
        **os.environ,
        **env,
        "DEBUG": "0",
        "PLAIN_HTTP": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
    }
    command = [
        sys.executable, "-m", "gunicorn", "annotator.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads), "--keep-alive", "10",
    ]  # fmt: skip
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=settings_env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not come up; its log:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def swarm(*, url: str, seed_path: Path, users: int, seconds: int, out: Path) -> dict[str, dict[str, float]]:
    """Run Locust headless; returns {request name: {requests, failures, p50, p95, p99 (ms)}} plus "Aggregated"."""
    prefix = out / "locust"
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "load_locust.py"), "--headless",
        "--users", str(users), "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s",
        "--host", url, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10",
    ]  # fmt: skip
    subprocess.run(
        command, cwd=ROOT, env={**os.environ, "LOAD_SEED": str(seed_path)}, check=False, timeout=seconds + 120
    )
    results = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            results[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
    return results


def table(results: dict[str, dict[str, float]]) -> str:
    lines = ["| request | count | failures | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|---:|"]
    for name, row in results.items():
        times = " | ".join(f"{row[p]:.0f}" for p in ("p50", "p95", "p99"))
        lines.append(f"| {name} | {row['requests']:,} | {row['failures']} | {times} |")
    return "\n".join(lines)


@contextmanager
def _scratch_database(url: str) -> Iterator[None]:
    import psycopg2
    from psycopg2 import sql

    base, name = url.rsplit("/", 1)
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--images-per-user", type=int, default=12)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a Postgres database name to create for the run (it is dropped afterwards).")
    with tempfile.TemporaryDirectory() as scratch, _scratch_database(url):
        out = Path(scratch)
        os.environ.update(MEDIA_ROOT=str(out / "media"), DJANGO_SETTINGS_MODULE="annotator.settings")
        sys.path.insert(0, str(ROOT))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        seed_path = seed(users=args.users, images_per_user=args.images_per_user, out=out)
        env = {"DATABASE_URL": url, "MEDIA_ROOT": str(out / "media")}
        with serve(env=env, workers=args.workers, threads=args.threads, log=out / "gunicorn.log") as base:
            started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            load = os.getloadavg()
            results = swarm(url=base, seed_path=seed_path, users=args.users, seconds=args.seconds, out=out)
        print(f"Run {started}: {args.users} users, {args.seconds} s, gunicorn gthread {args.workers}×{args.threads}, ")
        print(f"load average at start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n")
        print(table(results))
        failures = sum(row["failures"] for name, row in results.items() if name != "Aggregated")
        if failures:
            sys.exit(f"{failures} failed requests")


if __name__ == "__main__":
    main()
