"""Import time and memory: a COCO file of N annotations imported as pre-labels, then the same file again.

Usage: .venv/bin/python benchmarks/imports_bench.py [--annotations 10000] [--images 100]

A fresh Postgres database (`annotator_imports_bench` at 127.0.0.1) is migrated and seeded with one project of
ready 512 × 512 images and a box and a polygon label. A COCO document (our export's shape: original_name,
frame) with the annotations spread over the images, half boxes and half 8-point polygons, is imported by
the job's task in this process (no broker: the outbox runs it eagerly on commit): the first run validates
and creates everything in batches, the second finds every content key present and creates nothing.
Prints wall time per run (storing the file included) and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pgadmin import PG_SERVER, admin_sql

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("IMPORTS_BENCH_DB", "annotator_imports_bench")


def coco_document(images: int, annotations: int) -> dict:
    rng = random.Random(0)
    entries = [
        {"id": n + 1, "file_name": f"images/{n}.png", "original_name": f"scan{n:05d}.png", "frame": 0}
        for n in range(images)
    ]
    anns = []
    for n in range(annotations):
        cx, cy = rng.uniform(60, 450), rng.uniform(60, 450)
        if n % 2:
            anns.append({"id": n, "image_id": n % images + 1, "category_id": 1, "bbox": [cx - 40, cy - 30, 80, 60]})
        else:
            angles = [k * math.pi / 4 for k in range(8)]
            ring = [c for a in angles for c in (cx + 40 * math.cos(a), cy + 30 * math.sin(a))]
            anns.append({"id": n, "image_id": n % images + 1, "category_id": 2, "segmentation": [ring]})
    return {
        "images": entries,
        "categories": [{"id": 1, "name": "Box"}, {"id": 2, "name": "Organ"}],
        "annotations": anns,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=int, default=10_000)
    parser.add_argument("--images", type=int, default=100)
    args = parser.parse_args()
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}")
    media = tempfile.mkdtemp(prefix="imports-bench-")
    os.environ.update(
        {"DATABASE_URL": f"{PG_SERVER}/{DATABASE}", "MEDIA_ROOT": media, "DJANGO_SETTINGS_MODULE": "annotator.settings"}
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, cwd=ROOT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from annotator.imaging.models import Image
    from annotator.imports.models import ImportJob
    from annotator.imports.services import import_request
    from annotator.projects.services import label_create, project_create

    user = get_user_model().objects.create_user("bench")
    project = project_create(creator=user, name="Import bench")
    label_create(project=project, name="Box", kind="bbox")
    label_create(project=project, name="Organ", kind="polygon")
    Image.objects.bulk_create(
        Image(project=project, name=f"scan{n:05d}.png", kind="raster", status="ready", width=512, height=512)
        for n in range(args.images)
    )
    data = json.dumps(coco_document(args.images, args.annotations)).encode()
    print(f"{args.annotations} annotations on {args.images} images, COCO file {len(data) / 1e6:.1f} MB")
    for run in ("first", "again"):
        started = time.perf_counter()
        job = import_request(
            project=project, user=user, file=SimpleUploadedFile("c.json", data), filename="c.json", mapping=None
        )  # stores the file, and (tasks eager) runs the import on commit
        elapsed = time.perf_counter() - started
        report = ImportJob.objects.get(pk=job.pk).report
        print(
            f"{run}: {elapsed:.2f} s, imported {report['imported']}, already present {report['already_present']}, "
            f"skipped {report['skipped_count']}"
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    django.db.connections.close_all()
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
