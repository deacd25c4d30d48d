"""DICOM ingest throughput: slices/s of our upload path against the bare read-decode-window-PNG loop.

Usage: .venv/bin/python benchmarks/dicom_ingest_bench.py [--slices 100] [--sqlite] [--write-readme]

For each transfer syntax we can encode here, N synthetic 512 × 512 int16 CT slices are written to a temp
folder; then, in this one process (one worker's worth of CPU):
  bare  — dcmread → decode → modality LUT + window → PNG encode, per slice (no Django, no database);
  ours  — image_upload() of each slice as its own upload, which parses, de-identifies, stores and, with
          tasks eager, processes it (decode, window, thumbnail; a 512² frame is tiled on first view) and
          writes its rows — in Postgres (a fresh database `annotator_dicom_bench` at 127.0.0.1, as deployed),
          or with --sqlite in SQLite (the embedded default of `make run`) in a temp dir.
Targets (issue 3): ours ≥ 80 slices/s uncompressed; for each compressed syntax ≥ 75 % of its bare loop.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pgadmin import PG_SERVER, admin_sql, server_version

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="annotator-dicom-bench-"))
PG_DATABASE = "annotator_dicom_bench"
SQLITE = "--sqlite" in sys.argv
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}" if SQLITE else f"{PG_SERVER}/{PG_DATABASE}",
        "MEDIA_ROOT": str(WORK / "media"),
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",  # as deployed: no SQL logging cursor, no query list growing
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "annotator.settings",
    }
)

import django  # noqa: E402

if not SQLITE:
    admin_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{PG_DATABASE}"')
django.setup()

import numpy as np  # noqa: E402
import pydicom  # noqa: E402
import pyvips  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.pixels import apply_modality_lut  # noqa: E402
from pydicom.uid import (  # noqa: E402
    CTImageStorage,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLSLossless,
    RLELossless,
    generate_uid,
)

from annotator.imaging.dicom.windowing import window_to_uint8  # noqa: E402
from annotator.imaging.services import image_upload  # noqa: E402
from annotator.projects.services import project_create  # noqa: E402

SYNTAXES = {
    "Explicit VR Little Endian": ExplicitVRLittleEndian,
    "RLE Lossless": RLELossless,
    "JPEG-LS Lossless": JPEGLSLossless,
    "JPEG 2000 Lossless": JPEG2000Lossless,
}


def phantom(index: int) -> np.ndarray:
    """A CT-like slice in stored values: air, a body ellipse, bone ring and noise (compresses like CT)."""
    y, x = np.mgrid[-256:256, -256:256].astype(np.float32)
    body = (x / 200) ** 2 + (y / 160) ** 2 < 1
    bone = np.abs(np.hypot(x - 20 * np.sin(index / 9), y) - 60) < 8
    rng = np.random.default_rng(index)
    hu = np.where(body, 40.0, -1000.0) + np.where(bone, 900.0, 0.0) + rng.normal(0, 12, x.shape)
    return (hu + 1024).clip(0, 4095).astype(np.uint16).astype(np.int16)


def slice_dataset(index: int, series: tuple[str, str] | None = None) -> Dataset:
    """One slice with identifiers to remove, like a scanner's (of one series when series is given)."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, generate_uid()
    ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID = CTImageStorage, ds.SOPInstanceUID
    ds.PatientName, ds.PatientID, ds.Modality = "Bench^Patient", f"B{index:06d}", "CT"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = series or (generate_uid(), generate_uid())
    ds.ImageOrientationPatient, ds.ImagePositionPatient = [1, 0, 0, 0, 1, 0], [0, 0, index * 1.25]
    ds.InstanceNumber = index + 1
    ds.Rows = ds.Columns = 512
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 1
    ds.RescaleSlope, ds.RescaleIntercept, ds.WindowCenter, ds.WindowWidth = 1, -1024, 40, 400
    ds.PixelData = phantom(index).tobytes()
    return ds


def write_slices(folder: Path, syntax: str, count: int, *, one_series: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    series = (generate_uid(), generate_uid()) if one_series else None
    paths = []
    for index in range(count):
        ds = slice_dataset(index, series)
        if syntax != ExplicitVRLittleEndian:
            ds.compress(syntax)
        path = folder / f"{index:05d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def bare_loop(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        ds = pydicom.dcmread(path)
        values = apply_modality_lut(ds.pixel_array, ds)
        pixels = window_to_uint8(values, float(ds.WindowCenter), float(ds.WindowWidth))
        pyvips.Image.new_from_array(pixels).write_to_buffer(".png")
    return len(paths) / (time.perf_counter() - start)


class WorkerClock:
    """Time spent inside image_process (the worker's share; the rest of an upload runs in the web process)."""

    def __init__(self) -> None:
        from annotator.imaging import processing

        self.seconds = 0.0
        self._process = processing.image_process
        processing.image_process = self._timed

    def _timed(self, *, image_id: int) -> None:
        start = time.perf_counter()
        try:
            self._process(image_id=image_id)
        finally:
            self.seconds += time.perf_counter() - start


WORKER = None  # set in run(), once Django is ready


@dataclass
class Measured:
    slices_per_s: float
    web_ms: float  # per slice: request side (parse, de-identify, store, rows)
    worker_ms: float  # per slice: image_process (decode, window, thumbnail, rows)


def _measure(count: int, upload: Callable[[], None]) -> Measured:
    assert WORKER is not None
    WORKER.seconds = 0.0
    start = time.perf_counter()
    upload()
    elapsed = time.perf_counter() - start
    from annotator.imaging.models import Image

    failed = Image.objects.exclude(status__in=("ready", "held")).count()
    assert failed == 0, f"{failed} images did not reach ready"
    worker = WORKER.seconds
    return Measured(count / elapsed, (elapsed - worker) / count * 1000, worker / count * 1000)


def our_path(paths: list[Path], project: object, user: object) -> Measured:
    """Each slice uploaded on its own: one image per slice, each parsed, de-identified, stored and processed."""
    uploads = [SimpleUploadedFile(p.name, p.read_bytes()) for p in paths]  # bytes in memory, as Django has them

    def upload() -> None:
        for one in uploads:
            result = image_upload(project=project, user=user, files=[one])
            assert result.images and result.images[0].pk and not result.rejected, result.rejected

    return _measure(len(paths), upload)


def series_path(paths: list[Path], project: object, user: object) -> Measured:
    """All slices in one upload: one series image; every slice parsed, de-identified, stored and decoded once
    (processing checks each decodes), one thumbnail."""
    uploads = [SimpleUploadedFile(p.name, p.read_bytes()) for p in paths]

    def upload() -> None:
        result = image_upload(project=project, user=user, files=uploads)
        assert len(result.images) == 1 and result.images[0].frames == len(paths), result.rejected

    return _measure(len(paths), upload)


def best(runs: int, measure: Callable[[], Measured]) -> tuple[Measured, list[float]]:
    """The fastest of several runs (the least disturbed on a shared machine), and every run's rate."""
    results = [measure() for _ in range(runs)]
    return max(results, key=lambda m: m.slices_per_s), [m.slices_per_s for m in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="runs of each path; the fastest is reported")
    parser.add_argument("--sqlite", action="store_true", help="SQLite in a temp dir instead of Postgres")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not SQLITE:
            admin_sql(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        shutil.rmtree(WORK, ignore_errors=True)  # slices, media and SQLite file of this run


def _verdict(rate: float, bare: float, syntax: str) -> str:
    """'84.2 (45 %) met': a rate, its share of the bare loop, and the issue's target for the syntax."""
    met = rate >= 80 if syntax == ExplicitVRLittleEndian else rate / bare >= 0.75
    share = int(rate / bare * 100)  # floored, so a share shown as 75 % is at least 75 %
    return f"{rate:.1f} ({share} %) {'met' if met else '**missed**'}"


def run(args: argparse.Namespace) -> None:
    global WORKER
    call_command("migrate", verbosity=0)
    WORKER = WorkerClock()
    user = get_user_model().objects.create_user("bench")
    load_before = os.getloadavg()
    rows, all_runs = [], []
    for name, syntax in SYNTAXES.items():
        paths = write_slices(WORK / "in" / syntax, syntax, args.slices)
        series_paths = write_slices(WORK / "series" / syntax, syntax, args.slices, one_series=True)
        bare_loop(paths[:5])  # warm caches and imports
        bare_rates = [bare_loop(paths) for _ in range(args.runs)]
        bare = max(bare_rates)
        projects = iter(project_create(creator=user, name=f"bench {name} {n}") for n in range(2 * args.runs))
        single, single_runs = best(args.runs, lambda p=paths, it=projects: our_path(p, next(it), user))
        as_series, series_runs = best(args.runs, lambda p=series_paths, it=projects: series_path(p, next(it), user))
        all_runs.append(
            f"{name}: bare {'/'.join(f'{r:.0f}' for r in bare_rates)}, "
            f"per file {'/'.join(f'{r:.0f}' for r in single_runs)}, series {'/'.join(f'{r:.0f}' for r in series_runs)}"
        )
        for mode, ours in (("each slice its own image", single), ("one series upload", as_series)):
            target = "≥ 80/s" if syntax == ExplicitVRLittleEndian else "≥ 75 % of bare"
            worker_rate = 1000 / ours.worker_ms if ours.worker_ms else float("inf")
            rows.append(
                f"| {name} | {mode} | {bare:.1f} | {target} | {_verdict(ours.slices_per_s, bare, syntax)} | "
                f"{_verdict(worker_rate, bare, syntax)} | {ours.web_ms:.1f} / {ours.worker_ms:.1f} |"
            )
            print(rows[-1], flush=True)
    load_after = os.getloadavg()
    database = "SQLite in a temp dir" if SQLITE else f"Postgres {server_version()} at 127.0.0.1"
    table = "\n".join(
        [
            f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, pydicom {pydicom.__version__}, libvips {pyvips.version(0)}."
            f"{pyvips.version(1)}, {database}; {args.slices} slices of 512 × 512 int16 per syntax, one process, "
            f"best of {args.runs} runs. Load average {load_before[0]:.1f} before, {load_after[0]:.1f} after. "
            "Command: `.venv/bin/python benchmarks/dicom_ingest_bench.py --write-readme`.",
            "",
            "| transfer syntax | upload | bare loop slices/s | target | whole ingest in one process: slices/s "
            "(of bare) | the worker process alone: slices/s (of bare) | ms per slice: web / worker |",
            "|---|---|---:|---|---|---|---:|",
            *rows,
            "",
            "All runs (slices/s): " + "; ".join(all_runs) + ".",
            "",
            "*Bare loop*: `dcmread` → decode → modality LUT → window → PNG of the whole slice (libvips), per slice,",
            "no Django. *Ours*: `image_upload()` as the upload view calls it, with tasks run in the same process:",
            "the web side sniffs, parses, de-identifies (PS3.15 Basic Profile), writes the stored file and the",
            "image row; the worker side (`image_process`) claims the job, re-reads the stored file, decodes,",
            "windows and writes a 256 px thumbnail and the row. Deployed, the two sides run in different processes",
            "(de-identification happens in the upload request, so raw files never reach shared storage); *the",
            "worker process alone* is 1,000 / worker ms, the rate one Celery worker process sustains.",
            "A single 512² frame is not tiled at ingest: its",
            "Deep Zoom pyramid is built on its first tile request (median ~21 ms, see the pyramid section) and",
            "kept. A series upload stores every slice and, on the worker, decodes every slice once (so a corrupt",
            "slice fails the image now, naming it) and renders one thumbnail; its ratio to the bare loop compares",
            "a decode of every slice on both sides, but ours writes one PNG where the bare loop writes one per slice.",
            "JPEG baseline/extended/lossless are decoded but cannot be encoded here (no encoder package), so they",
            "are not in this table; their decode is tested for correctness in tests/annotator/dicom/.",
        ]
    )
    print(table)
    if args.write_readme:
        readme = ROOT / "benchmarks" / "README.md"
        heading = "## DICOM ingest (`dicom_ingest_bench.py`)"
        block = f"<!-- dicom_ingest:start -->\n{heading}\n\n{table}\n<!-- dicom_ingest:end -->"
        text = readme.read_text()
        pattern = re.compile(r"<!-- dicom_ingest:start -->.*<!-- dicom_ingest:end -->", re.S)
        readme.write_text(pattern.sub(block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n")


if __name__ == "__main__":
    main()
