"""Where the time of one annotations API request goes: queries, SQL, Python, GC, hot functions.

Run by `annotations_api.py --profile` against the benchmark database after the load phases
(the server is stopped by then), in one process, one request at a time, through Django's test
client (the whole middleware and DRF stack, no HTTP server). Arguments: the set-up JSON, the path
of the JSON summary to write, and the number of repetitions. Prints the detail (SQL of each query,
cProfile's top functions, a listing page built step by step and cheaper ways to build it).
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import math
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import TextField  # noqa: E402
from django.db.models.functions import Cast  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.renderers import JSONRenderer  # noqa: E402

from annotator.annotations.models import Annotation  # noqa: E402
from api.annotations import AnnotationOut  # noqa: E402

# Parts of a write request, by (end of file path, function): cumulative time per request.
PARTS = {
    "middleware and Django handler (outside the DRF view)": None,  # total minus the view's dispatch
    "DRF: token authentication (1 query)": ("rest_framework/authentication.py", "authenticate"),
    "DRF: throttles (locmem cache)": ("rest_framework/views.py", "check_throttles"),
    "access: image_role / annotation_role (2 queries)": ("api/access.py", "image_role|annotation_role"),
    "request body parse + input serializer": ("rest_framework/serializers.py", "is_valid"),
    "view: _label (1 query)": ("api/annotations.py", "_label"),
    "service (transaction, validation, 2–3 queries, commit)": (
        "annotator/annotations/services.py",
        "annotation_create|annotation_update",
    ),
    "… of which geometry validation (shapely)": ("annotator/annotations/geometry.py", "validate_geometry"),
    "… of which COMMIT (WAL flush)": ("~", "<method 'commit' of 'psycopg2.extensions.connection' objects>"),
    "response: AnnotationOut + ETag": ("api/annotations.py", "_respond"),
    "rendering JSON": ("rest_framework/response.py", "rendered_content"),
}
DISPATCH = ("rest_framework/views.py", "dispatch")
OUT_FIELDS = ["id", "image", "label", "frame", "geometry", "attributes", "author", "created_at", "updated_at"]
OUT_FIELDS += ["version", "source"]
PAGE_SQL = """
SELECT coalesce(json_agg(row_to_json(t) ORDER BY t.id), '[]'::json)::text FROM (
    SELECT id, image_id AS image, label_id AS label, frame, geometry, attributes, author_id AS author,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
           to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at,
           version, source
    FROM annotations_annotation WHERE id = ANY(%s)
) t
"""


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else math.nan


class GcClock:
    """Sums the time the cyclic garbage collector runs, through gc.callbacks."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start


class Scenario:
    """One request kind, repeatable: create, update (following the ETag) or one listing page."""

    def __init__(self, setup: dict[str, Any]):
        self.setup = setup
        self.client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {setup['tokens'][0]}")
        self.target: tuple[int, str] | None = None
        self.turn = 0

    def _polygon(self) -> dict[str, Any]:
        """A regular 35-gon, turned a little each time so that updates really change it."""
        self.turn += 1
        angles = [(i + (self.turn % 7) / 7) / 35 * 2 * math.pi for i in range(35)]
        return {"points": [[round(5000 + 300 * math.cos(a), 1), round(5000 + 300 * math.sin(a), 1)] for a in angles]}

    def create(self) -> None:
        body = {"label": self.setup["labels"]["polygon"], "geometry": self._polygon(), "attributes": {"grade": "2"}}
        response = self.client.post(
            f"/api/v1/images/{self.setup['work_image']}/annotations/", body, content_type="application/json"
        )
        assert response.status_code == 201, response.content[:300]
        self.target = (response.json()["id"], response["ETag"])

    def update(self) -> None:
        if self.target is None:
            self.create()
        assert self.target is not None
        pk, tag = self.target
        body = {"geometry": self._polygon(), "attributes": {"reviewed": True}}
        response = self.client.patch(
            f"/api/v1/annotations/{pk}/", body, content_type="application/json", HTTP_IF_MATCH=tag
        )
        assert response.status_code == 200, response.content[:300]
        self.target = (pk, response["ETag"])

    def list_page(self) -> None:
        response = self.client.get(f"/api/v1/images/{self.setup['dense_image']}/annotations/?page_size=1000")
        assert response.status_code == 200


def _cumulative(stats: pstats.Stats, where: tuple[str, str]) -> float:
    path, names = where
    wanted = set(names.split("|"))
    total = 0.0
    for (filename, _, function), (_, _, _, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        if function in wanted and filename.endswith(path):
            total += cumtime
    return total


def measure(name: str, call: Callable[[], None], repeat: int) -> dict[str, Any]:
    for _ in range(5):
        call()
    totals, sql_times, gc_times, counts = [], [], [], []
    sqls: list[str] = []
    clock = GcClock()
    in_sql = [0.0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - started

    gc.callbacks.append(clock)
    try:
        for _ in range(repeat):
            before, in_sql[0] = clock.total, 0.0
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timed):
                started = time.perf_counter()
                call()
                totals.append((time.perf_counter() - started) * 1000)
            gc_times.append((clock.total - before) * 1000)
            counts.append(len(ctx.captured_queries))
            sql_times.append(in_sql[0] * 1000)
            sqls = [q["sql"] for q in ctx.captured_queries]
    finally:
        gc.callbacks.remove(clock)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    profiled = _cumulative(stats, (__file__, call.__name__)) / repeat * 1000
    measured = median(totals)
    scale = measured / profiled if profiled else 1.0
    parts = {}
    for label, where in PARTS.items():
        if where is None:
            outside = profiled - _cumulative(stats, DISPATCH) / repeat * 1000
            parts[label] = outside * scale
        else:
            parts[label] = _cumulative(stats, where) / repeat * 1000 * scale
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(20)
    print(f"\n=============== {name}: {repeat} requests, one at a time")
    print(f"queries per request: {counts[-1]}; median total {measured:.2f} ms, SQL {median(sql_times):.2f} ms")
    for i, sql in enumerate(sqls, 1):
        print(f"  {i:2d}. {sql[:240]}")
    print("parts (cumulative, scaled to the measured median):")
    for label, value in parts.items():
        print(f"  {value:7.2f} ms  {label}")
    print(text.getvalue())
    return {
        "queries": counts[-1],
        "total_ms": measured,
        "sql_ms": median(sql_times),
        "python_ms": median([t - s for t, s in zip(totals, sql_times, strict=True)]),
        "gc_ms": sum(gc_times) / len(gc_times),
        "parts": parts,
    }


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def listing_parts(setup: dict[str, Any], repeat: int) -> dict[str, float]:
    """One 1,000-row page built step by step (GC off, collected between runs), and cheaper ways to build it."""
    image = setup["dense_image"]
    parts: dict[str, list[float]] = {}
    renderer = JSONRenderer()
    envelope = {"next": "http://127.0.0.1/next", "previous": None}
    outputs: dict[str, bytes] = {}

    def clock(name: str, started: float) -> float:
        now = time.perf_counter()
        parts.setdefault(name, []).append((now - started) * 1000)
        return now

    page = Annotation.objects.filter(image_id=image).order_by("id")
    for _ in range(repeat + 2):
        gc.collect()
        gc.disable()
        try:
            t = time.perf_counter()
            rows = list(page[:1001])
            t = clock("now: fetch 1,001 model instances (incl. json.loads of geometry and attributes)", t)
            data = AnnotationOut(rows[:1000], many=True).data
            t = clock("now: AnnotationOut(many=True).data", t)
            outputs["now"] = renderer.render({**envelope, "results": data})
            t = clock("now: JSONRenderer (json.dumps)", t)

            values = list(page.values(*OUT_FIELDS)[:1001])
            for row in values:
                row["created_at"], row["updated_at"] = _iso(row["created_at"]), _iso(row["updated_at"])
            outputs["A"] = renderer.render({**envelope, "results": values[:1000]})
            t = clock("option A: .values() dicts + JSONRenderer", t)

            raw = page.annotate(g=Cast("geometry", TextField()), a=Cast("attributes", TextField())).values_list(
                "id", "image_id", "label_id", "frame", "g", "a", "author_id", "created_at", "updated_at", "version",
                "source",
            )[:1001]  # fmt: skip
            chunks = [
                f'{{"id":{r[0]},"image":{r[1]},"label":{r[2]},"frame":{r[3]},"geometry":{r[4] or "null"},'
                f'"attributes":{r[5]},"author":{"null" if r[6] is None else r[6]},"created_at":"{_iso(r[7])}",'
                f'"updated_at":"{_iso(r[8])}","version":{r[9]},"source":"{r[10]}"}}'
                for r in list(raw)[:1000]
            ]
            head = json.dumps(envelope)[:-1]
            outputs["B"] = (head + ',"results":[' + ",".join(chunks) + "]}").encode()
            t = clock("option B: geometry as text from Postgres, spliced (no json.loads/dumps)", t)

            ids = list(page.values_list("id", flat=True)[:1001])
            with connection.cursor() as cursor:
                cursor.execute(PAGE_SQL, [ids[:1000]])
                results = cursor.fetchone()[0]
            outputs["C"] = (head + ',"results":' + results + "}").encode()
            clock("option C: page ids, then Postgres json_agg of the page, sent as is", t)
        finally:
            gc.enable()
    decoded = {key: json.loads(value)["results"] for key, value in outputs.items()}
    assert all(len(v) == 1000 for v in decoded.values()), {k: len(v) for k, v in decoded.items()}
    assert all(v[5]["geometry"] == decoded["now"][5]["geometry"] for v in decoded.values())
    result = {name: median(values[2:]) for name, values in parts.items()}
    print("\n=============== one listing page of 1,000 polygons, built step by step (median ms, GC off)")
    for name, value in result.items():
        print(f"  {value:7.1f}  {name}")
    print("  page sizes (KiB): " + ", ".join(f"{k} {len(v) / 1024:.0f}" for k, v in outputs.items()))
    return result


def main(setup_path: Path, out: Path, repeat: int) -> None:
    setup = json.loads(setup_path.read_text())
    scenario = Scenario(setup)
    summary = {
        "create": measure("create (POST, 35-point polygon)", scenario.create, repeat),
        "update": measure("update (PATCH geometry + attributes, If-Match)", scenario.update, repeat),
        "list_page": measure("list page (GET, page_size=1000)", scenario.list_page, max(repeat // 10, 10)),
        "list_parts": listing_parts(setup, max(repeat // 10, 10)),
    }
    out.write_text(json.dumps(summary))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
