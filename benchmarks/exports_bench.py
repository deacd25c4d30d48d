"""Export memory and time: COCO, YOLO and native of a large project, streamed (ours) beside the naive
build-everything-in-memory approach, each in its own child process (wall time and peak RSS).

Usage: .venv/bin/python benchmarks/exports_bench.py [--images 10000] [--polygons 100000] [--write-readme] [--reuse]
       [--sizes 10000x100000,100000x1000000 --naive-up-to 10000]  (several sizes in one run: the time slope)

A fresh Postgres database (`annotator_exports_bench` at 127.0.0.1, or $EXPORTS_BENCH_DB) is migrated and seeded
with one project (with --reuse: the database is kept, and a project of the same size seeded by an earlier --reuse
run is exported again instead of seeding one; 100,000 × 1,000,000 takes minutes to seed):
N ready 512 × 512 images (two sites, four images per patient) and M polygons of 8 points spread over them,
bulk-inserted. Then for each format, each approach runs `export_run` of a new export job in a child process:
  streamed — the code as it is: the snapshot streams from server-side cursors, COCO spools to scratch files,
             native streams into the zip;
  naive    — the snapshot materialised whole (every image with its annotations, as before issue 10) and, for
             COCO and native, the whole document built as one dict and dumped at once.
Peak RSS is the child's ru_maxrss (it includes Python, Django and numpy, ~110 MB here). Targets (issue 10):
streamed ≤ 20 s and ≤ 400 MB at 10,000 × 100,000; at 100,000 × 1,000,000 ≤ 400 MB and ≤ 12 × the time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pgadmin import PG_SERVER, admin_sql, server_version

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = HERE / "README.md"
START, END = "<!-- exports_bench:start -->", "<!-- exports_bench:end -->"
DATABASE = os.environ.get("EXPORTS_BENCH_DB", "annotator_exports_bench")
FORMATS = ("coco", "yolo", "native")
APPROACHES = ("streamed", "naive")
TARGET_S, TARGET_MB = 20.0, 400.0
SLOPE = 12.0  # at 10 × the data, at most 12 × the time


def _django(media: str) -> None:
    os.environ.update(
        {"DATABASE_URL": f"{PG_SERVER}/{DATABASE}", "MEDIA_ROOT": media, "DJANGO_SETTINGS_MODULE": "annotator.settings"}
    )
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks eager: nothing leaves this process
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def project_name(images: int, polygons: int) -> str:
    return f"Export bench {images} x {polygons}"


def seeded(images: int, polygons: int) -> int | None:
    """The id of a project of this size seeded earlier into the database, if there is one."""
    from annotator.projects.models import Project

    project = Project.objects.filter(name=project_name(images, polygons)).order_by("id").last()
    return project.pk if project else None


def seed(images: int, polygons: int) -> int:
    """One project with the images and polygons (bulk inserts, COPY for the polygons); returns its id."""

    from django.contrib.auth import get_user_model

    from annotator.imaging.models import Image
    from annotator.projects.services import label_create, project_create

    rng = random.Random(0)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    project = project_create(creator=user, name=project_name(images, polygons))
    labels = [label_create(project=project, name=f"Organ {n}", kind="polygon") for n in range(3)]
    rows = [
        Image(
            project=project,
            name=f"scan{n:06d}.png",
            kind="raster",
            status="ready",
            width=512,
            height=512,
            original_ext="png",
            site="site-b" if n % 5 == 0 else "site-a",
            workflow_state="accepted",
            metadata={
                "patient_ref": f"p{n // 4:06d}",
                "modality": "CT",
                "manufacturer": "ACME",
                "patient_sex": "F" if n // 4 % 2 else "M",
                "age_band": f"{40 + n // 4 % 5 * 10}-{49 + n // 4 % 5 * 10}",
            },
        )
        for n in range(images)
    ]
    ids = [image.pk for image in Image.objects.bulk_create(rows, batch_size=5000)]
    _copy_polygons(ids, [label.pk for label in labels], user.pk, polygons, rng)
    return project.pk


def _copy_polygons(ids: list[int], labels: list[int], author: int, polygons: int, rng: random.Random) -> None:
    """The polygons through Postgres COPY in batches (1,000,000 rows in about a minute; ORM inserts take ~15)."""
    import io

    from django.db import connection
    from django.utils import timezone

    from annotator.annotations.models import Annotation

    columns = "image_id, label_id, frame, geometry, attributes, author_id, version, source, created_at, updated_at"
    sql = f"COPY {Annotation._meta.db_table} ({columns}) FROM STDIN"
    now = timezone.now().isoformat()
    batch = io.StringIO()
    with connection.cursor() as cursor:
        for n in range(polygons):
            cx, cy = rng.uniform(60, 450), rng.uniform(60, 450)
            points = [
                [round(cx + 40 * (k % 2 + 1) * ((-1) ** (k // 2)), 2), round(cy + 30 * (k % 3), 2)] for k in range(8)
            ]
            geometry = json.dumps({"points": points})
            fields = (ids[n % len(ids)], labels[n % 3], 0, geometry, "{}", author, 1, "human", now, now)
            batch.write("\t".join(map(str, fields)) + "\n")
            if n % 100_000 == 99_999 or n == polygons - 1:
                batch.seek(0)
                cursor.cursor.copy_expert(sql, batch)  # psycopg2's COPY FROM STDIN
                batch = io.StringIO()
        cursor.execute(f"ANALYZE {Annotation._meta.db_table}")


def database_exists() -> bool:
    import psycopg2
    from pgadmin import PG_ADMIN

    conn = psycopg2.connect(PG_ADMIN)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        found = cur.fetchone() is not None
    conn.close()
    return found


def _naive(fmt: str) -> None:
    """Swap in the build-everything-in-memory approach: a materialised snapshot, whole-document writers."""
    from dataclasses import replace

    from annotator.exports import registry, services
    from annotator.exports.formats import coco, native

    take = services._snapshot

    def materialised(job):  # type: ignore[no-untyped-def]
        snap = take(job)
        return replace(snap, images=tuple(snap.images))

    services._snapshot = materialised

    def coco_whole(ctx, out):  # type: ignore[no-untyped-def]
        per_split: dict = {}
        for n, image in enumerate(ctx.snapshot.images, start=1):
            bucket = per_split.setdefault(ctx.splits[image.id], {"images": [], "annotations": []})
            bucket["images"].append({"id": n, "file_name": coco.file_name(image, 0), "width": image.width})
            for ann in image.annotations:
                body = coco.coco_annotation(ann, "polygon", image)
                bucket["annotations"].append({"id": ann.id, "image_id": n, "category_id": ann.label_id, **body})
        for split, bucket in per_split.items():
            out.write_bytes(f"annotations/instances_{split}.json", json.dumps(bucket, indent=1).encode())
        return {"annotations": sum(len(b["annotations"]) for b in per_split.values())}

    def native_whole(ctx, out):  # type: ignore[no-untyped-def]
        images = [native.image_record(i, ctx.splits[i.id]) for i in ctx.snapshot.images]
        out.write_bytes("annotator.json", json.dumps({"images": images}, indent=1).encode())
        return {"annotations": sum(len(i["annotations"]) for i in images)}

    whole = {"coco": coco_whole, "native": native_whole}
    if fmt in whole:
        original = registry.get_format(fmt)
        registry._FORMATS[fmt] = replace(original, write=whole[fmt])


def run_child(fmt: str, approach: str, project_id: int) -> dict:
    from annotator.exports.models import ExportJob
    from annotator.exports.services import export_run, export_zip_path

    if approach == "naive":
        _naive(fmt)
    split = {"train": 0.7, "val": 0.15, "test": 0.15, "by": "patient", "seed": 0}
    job = ExportJob.objects.create(project_id=project_id, format=fmt, options={"split": split})
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    export_run(job_id=job.pk)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    job.refresh_from_db()
    assert job.status == "done", job.error
    size = export_zip_path(job).stat().st_size
    return {
        "wall_s": wall,
        "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "zip_mb": size / 2**20,
    }


def _met(r: dict, base: dict | None) -> str:
    """The issue-10 target of a streamed row: at the first size ≤ 20 s and ≤ 400 MB; at a larger one ≤ 400 MB and
    a wall time ≤ 12 × per 10 × the data (scaled to the size ratio) of the same format at the first size."""
    if r["approach"] != "streamed":
        return ""
    if base is None:
        ok = r["wall_s"] <= TARGET_S and r["peak_mb"] <= TARGET_MB
        return "met" if ok else "**missed**"
    allowed = SLOPE * r["images"] / base["images"] / 10
    ratio = r["wall_s"] / base["wall_s"]
    ok = r["peak_mb"] <= TARGET_MB and ratio <= allowed
    return f"{'met' if ok else '**missed**'} ({ratio:.1f}× the time of {base['images']:,}; ≤ {allowed:.0f}×)"


def _table(results: list[dict], command: str, load: tuple[float, float]) -> str:
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; Python {platform.python_version()}; Postgres {server_version()}. "
        f"Command: `{command}`. "
        f"One child process per row (wall time of `export_run`, peak RSS of the child). The machine was shared "
        f"with other work (load average {load[0]:.1f} at the start, {load[1]:.1f} at the end), so wall times "
        "carry noise; memory does not.",
    ]
    sizes = sorted({(r["images"], r["polygons"]) for r in results})
    first: dict[str, dict] = {}
    for images, polygons in sizes:
        target = "≤ 20 s, ≤ 400 MB" if not first else "≤ 400 MB, time ≤ 12× per 10× the data"
        lines += [
            "",
            f"### {images:,} images × {polygons:,} polygons",
            "",
            f"| format | approach | wall s | CPU s | peak RSS MB | zip MB | target ({target}) |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        rows = [r for r in results if (r["images"], r["polygons"]) == (images, polygons)]
        for r in rows:
            met = _met(r, first.get(r["format"]))
            lines.append(
                f"| {r['format']} | {r['approach']} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_mb']:.0f} "
                f"| {r['zip_mb']:.1f} | {met} |"
            )
        if not first:
            first = {r["format"]: r for r in rows if r["approach"] == "streamed"}
    lines += [
        "",
        "streamed: the code as it is (snapshot from server-side cursors read again per pass, COCO spooled per split "
        "to scratch files, native, csv and dataset.json written into the zip as they stream; per image only a "
        "compact record for the split and the card is kept, and per zip member its entry and digest). naive: the "
        "same job with the snapshot materialised whole and, for COCO and native, the document built as one dict "
        "and dumped at once (the approach before issue 10). Peak RSS includes Python, Django, numpy and the zip "
        "writer (~110 MB before the first image).",
    ]
    return "\n".join(lines) + "\n"


def _sizes(text: str) -> list[tuple[int, int]]:
    """ "10000x100000,100000x1000000" -> [(10000, 100000), (100000, 1000000)]"""
    return [(int(a), int(b)) for a, b in (part.split("x") for part in text.split(","))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--polygons", type=int, default=100000)
    parser.add_argument("--sizes", help="IMAGESxPOLYGONS,... in one run (e.g. 10000x100000,100000x1000000)")
    parser.add_argument("--naive-up-to", type=int, help="run naive only up to this many images")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, of coco,yolo,native")
    parser.add_argument("--approaches", default=",".join(APPROACHES), help="streamed,naive")
    parser.add_argument("--reuse", action="store_true", help="keep the database; export an earlier seed of this size")
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "APPROACH", "PROJECT"))
    args = parser.parse_args()
    if args.child:
        _django(os.environ["EXPORTS_BENCH_MEDIA"])
        print(json.dumps(run_child(args.child[0], args.child[1], int(args.child[2]))))
        return
    sizes = _sizes(args.sizes) if args.sizes else [(args.images, args.polygons)]
    media = tempfile.mkdtemp(prefix="annotator-exports-bench-")
    env = {**os.environ, "DATABASE_URL": f"{PG_SERVER}/{DATABASE}", "MEDIA_ROOT": media, "EXPORTS_BENCH_MEDIA": media}
    env.pop("CELERY_BROKER_URL", None)
    if not args.reuse:
        admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}"', f'CREATE DATABASE "{DATABASE}"')
    elif not database_exists():
        admin_sql(f'CREATE DATABASE "{DATABASE}"')
    load_start = os.getloadavg()[0]
    results = []
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        for images, polygons in sizes:
            code = (
                "import sys; sys.path.insert(0, 'benchmarks'); import exports_bench as b; "
                f"b._django({media!r}); n, m = {images}, {polygons}; "
                f"print(({args.reuse} and b.seeded(n, m)) or b.seed(n, m))"
            )
            seeded = subprocess.run(
                [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
            )
            project_id = int(seeded.stdout.split()[-1])
            for fmt in args.formats.split(","):
                for approach in args.approaches.split(","):
                    if approach == "naive" and args.naive_up_to is not None and images > args.naive_up_to:
                        continue
                    child = subprocess.run(
                        [sys.executable, str(HERE / "exports_bench.py"), "--child", fmt, approach, str(project_id)],
                        cwd=ROOT,
                        env=env,
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    result = {
                        "images": images,
                        "polygons": polygons,
                        "format": fmt,
                        "approach": approach,
                        **json.loads(child.stdout.strip().splitlines()[-1]),
                    }
                    print(result, flush=True)
                    results.append(result)
    finally:
        if not args.reuse:
            admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        shutil.rmtree(media, ignore_errors=True)
    command = ".venv/bin/python benchmarks/exports_bench.py " + " ".join(
        a for a in sys.argv[1:] if a != "--write-readme"
    )
    table = _table(results, command.strip(), (load_start, os.getloadavg()[0]))
    print(table)
    if args.write_readme:
        section = f"{START}\n## Exports (`exports_bench.py`)\n\n{table}{END}"
        text = README.read_text()
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        README.write_text(
            pattern.sub(lambda _: section, text) if START in text else text.rstrip() + "\n\n" + section + "\n"
        )


if __name__ == "__main__":
    main()
