"""Benchmark of the annotations API on Postgres behind gunicorn: create, update and list latency.

    .venv/bin/python benchmarks/annotations_api.py            # full run (~4 min), writes benchmarks/README.md
    .venv/bin/python benchmarks/annotations_api.py --quick    # smoke run (~1 min), prints only
    .venv/bin/python benchmarks/annotations_api.py --profile  # adds a single-request profile afterwards

What it does, all on this machine and only towards 127.0.0.1:
1. creates a fresh Postgres database (`annotator_bench`), migrates it and runs
   `annotations_api_setup.py` there (users with tokens, one project, a bbox and a polygon
   label, two "ready" images, 5,000 polygons on one of them);
2. starts gunicorn (gthread workers, DEBUG=0, throttling opened wide) on a free loopback port;
3. 20 client threads, each with its own token and keep-alive connection, create annotations
   (bbox and polygon, alternating) and then PATCH them with If-Match: first as fast as answers
   come (closed loop), then paced at fixed rates;
4. one client walks GET /images/{id}/annotations/?page_size=1000 over the 5,000 polygons;
5. stops gunicorn, drops the database, prints a Markdown table and (full runs without
   --whatif) writes it into benchmarks/README.md between this benchmark's markers.
Every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
from pgadmin import PG_ADMIN, admin_sql

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
BIN = Path(PY).parent
HOST = "127.0.0.1"
README = HERE / "README.md"
START, END = "<!-- annotations_api:start -->", "<!-- annotations_api:end -->"
TARGET_WRITE_P95_MS = 25.0
TARGET_LIST_MS = 150.0
DENSE_COUNT = 5000
THROTTLE_USER = "1000000000/second"


# ---------------------------------------------------------------- statistics


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), interpolating linearly between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Sample:
    """Latencies (ms) of one scenario, with its wall time, errors and notes."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0  # seconds from the first request sent to the last answer read
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall if self.wall else math.nan


# ---------------------------------------------------------------- machine and database


def sh(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine_facts() -> dict[str, str]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    conn = psycopg2.connect(PG_ADMIN)
    with conn.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
        cur.execute(
            "SELECT name, setting, coalesce(unit, '') FROM pg_settings WHERE name IN "
            "('shared_buffers', 'synchronous_commit', 'max_connections')"
        )
        pg_settings = ", ".join(f"{k}={v}{' × ' + u if u else ''}" for k, v, u in sorted(cur.fetchall()))
    conn.close()
    import django
    import rest_framework

    commit = sh("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD") or "?"
    if sh("git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"):
        commit += " with uncommitted changes"
    return {
        "commit": commit,
        "nproc": sh("nproc"),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgres": f"{pg_version} ({pg_settings})",
        "django": django.get_version(),
        "drf": rest_framework.VERSION,
        "gunicorn": sh(str(BIN / "gunicorn"), "--version").replace("gunicorn (version ", "gunicorn ").rstrip(")"),
    }


def cpu_counters() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_ticks() -> dict[int, tuple[int, int]]:
    """{pid: (ppid, utime + stime ticks)} of every process, from /proc/<pid>/stat."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            out[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return out


def descendants(root: int, table: dict[int, tuple[int, int]]) -> set[int]:
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in table.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier.extend(children)
    return found


class CpuWatch:
    """CPU of the whole machine over a span, split into ours (client, gunicorn, our Postgres backends) and others'."""

    def __init__(self, server_pid: int | None):
        self.server_pid = server_pid
        self.busy0, self.total0 = cpu_counters()
        self.procs0 = process_ticks()

    def finish(self, backend_pids: set[int]) -> dict[str, float]:
        busy1, total1 = cpu_counters()
        procs1 = process_ticks()
        ours = {os.getpid(), *backend_pids}
        if self.server_pid is not None:
            ours |= descendants(self.server_pid, procs1)
        own = sum(procs1[pid][1] - self.procs0.get(pid, (0, 0))[1] for pid in ours if pid in procs1)
        total = max(total1 - self.total0, 1)
        busy = busy1 - self.busy0
        return {"busy": busy / total, "others": max(busy - own, 0) / total}


def checkpoint(database: str) -> None:
    """Flush Postgres' dirty pages now, so a checkpoint the previous phase's writes made due does not stall the
    next phase's commits (seen: 1.3–1.5 s WAL-write stalls in a paced phase right after the closed-loop ones)."""
    conn = psycopg2.connect(f"postgres://postgres@{HOST}:5432/{database}")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CHECKPOINT")
    conn.close()


def wait_for_quiet(limit_seconds: float, server_pid: int | None) -> float:
    """Wait (at most limit_seconds) until other processes use under 15% of the machine; their last share."""
    deadline = time.monotonic() + limit_seconds
    while True:
        watch = CpuWatch(server_pid)
        time.sleep(1.0)
        others = watch.finish(set())["others"]
        if others < 0.15 or time.monotonic() > deadline:
            return others
        print(f"  (other processes use {others:.0%} of the machine; waiting for quiet)", flush=True)
        time.sleep(4.0)


class WaitSampler:
    """Samples what the benchmark database's busy backends wait on, every 100 ms, while running."""

    def __init__(self, database: str):
        self.database = database
        self.counts: collections.Counter[str] = collections.Counter()
        self.samples = 0
        self.pids: set[int] = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="wait-sampler", daemon=True)

    def __enter__(self) -> WaitSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        conn = psycopg2.connect(PG_ADMIN)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                for _ in range(20_000):  # bound: 2,000 s at 10 Hz
                    if self.stop.wait(0.1):
                        break
                    cur.execute(
                        "SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, 'on CPU') "
                        "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                        [self.database],
                    )
                    rows = cur.fetchall()
                    self.samples += 1
                    self.pids.update(row[0] for row in rows)
                    self.counts.update(row[2] for row in rows if row[1] == "active")
        finally:
            conn.close()

    def summary(self) -> str:
        if not self.samples:
            return "–"
        top = self.counts.most_common(5)
        return ", ".join(f"{name} {count / self.samples:.1f}" for name, count in top)


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


ACCESS_FORMAT = "%({x-bench-phase}i)s %(m)s %(s)s %(D)s %(p)s"


def gunicorn_command(args: argparse.Namespace, port: int | str, log_dir: Path | None = None) -> list[str]:
    app = "benchmarks.annotations_api_whatif:application" if args.whatif else "annotator.wsgi:application"
    cmd = [
        str(BIN / "gunicorn"),
        app,
        "--bind",
        f"{HOST}:{port}",
        "--worker-class",
        args.worker_class,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--keep-alive",
        "10",
        "--timeout",
        "60",
        "--no-control-socket",
    ]
    if log_dir is not None:
        cmd += ["--access-logfile", str(log_dir / "access.log"), "--access-logformat", ACCESS_FORMAT]
        cmd += ["--error-logfile", str(log_dir / "error.log")]
    return cmd


def start_gunicorn(cmd: list[str], env: dict[str, str], log_dir: Path) -> subprocess.Popen:
    with (log_dir / "server.out").open("wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=out)


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the process group of the master we started, nothing else
        proc.wait(timeout=10)


def server_times(log: Path) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Handling time (ms) per phase as gunicorn logged it, and the busiest worker's share of each phase."""
    times: dict[str, list[float]] = {}
    per_worker: dict[str, collections.Counter[str]] = {}
    if log.exists():
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 5 and parts[3].isdigit():
                times.setdefault(parts[0], []).append(int(parts[3]) / 1000)
                per_worker.setdefault(parts[0], collections.Counter())[parts[4]] += 1
    busiest = {tag: max(c.values()) / sum(c.values()) for tag, c in per_worker.items()}
    return times, busiest


# ---------------------------------------------------------------- client


class Client:
    """One keep-alive HTTP/1.1 connection with one user's token."""

    def __init__(self, port: int, token: str, timeout: float = 15.0):
        self.port, self.timeout = port, timeout
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        all_headers = {**self.headers, **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in (1, 2):  # a second try only when a kept-alive connection went stale
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def wait_until_up(port: int, token: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    client = Client(port, token, timeout=5)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            status, _, _ = client.request("GET", "/api/v1/auth/me/", headers={"X-Bench-Phase": "startup"})
            if status == 200:
                client.close()
                return
        client.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {seconds:.0f} s")


# ---------------------------------------------------------------- payloads


def bbox(rng: random.Random, width: int, height: int) -> dict[str, float]:
    w, h = rng.uniform(20, 600), rng.uniform(20, 600)
    x, y = rng.uniform(0, width - w - 10), rng.uniform(0, height - h - 10)
    return {"x": round(x, 1), "y": round(y, 1), "w": round(w, 1), "h": round(h, 1)}


def polygon(rng: random.Random, points: int, width: int, height: int) -> dict[str, Any]:
    """A star-shaped (so simple, never self-crossing) polygon; the set-up uses the same generator."""
    radius = rng.uniform(40, 400)
    cx, cy = rng.uniform(radius + 1, width - radius - 1), rng.uniform(radius + 1, height - radius - 1)
    step = 2 * math.pi / points
    out = []
    for i in range(points):
        angle, r = i * step + rng.uniform(0, step * 0.8), radius * rng.uniform(0.7, 1.0)
        out.append([round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)])
    return {"points": out}


def geometry_of(kind: str, rng: random.Random, width: int, height: int) -> dict[str, Any]:
    return bbox(rng, width, height) if kind == "bbox" else polygon(rng, rng.randint(20, 50), width, height)


# ---------------------------------------------------------------- write phases


@dataclass
class Plan:
    clients: int
    warmup: int  # unrecorded requests per client before each closed-loop phase
    closed: int  # recorded requests per client, closed loop
    paced: int  # recorded requests per client, paced
    rates: list[float]  # paced: requests per second per client
    phase_seconds: float  # time cap of any write phase
    list_walks: int
    list_seconds: float


@dataclass
class Phase:
    """One write phase: which request, and how the clients send (closed loop, or paced)."""

    kind: str  # "create" or "update"
    rate: float | None = None  # None: closed loop (next request as soon as the answer is read)

    @property
    def tag(self) -> str:
        return self.kind if self.rate is None else f"{self.kind}@{self.rate:g}"


class Writes:
    """The 20 clients; each phase runs them all at once and records one Sample."""

    def __init__(self, plan: Plan, port: int, setup: dict[str, Any], seed: int, server_pid: int):
        self.plan, self.port, self.setup, self.seed, self.server_pid = plan, port, setup, seed, server_pid
        self.mine: list[list[tuple[int, str, str]]] = [[] for _ in range(plan.clients)]  # (id, etag, kind)

    def run(self, phase: Phase, sampler: WaitSampler) -> Sample:
        sample = Sample(phase.tag)
        lock = threading.Lock()
        barrier = threading.Barrier(self.plan.clients, timeout=120)
        span = [math.inf, 0.0]

        def record(started: float, ended: float, ok: bool, what: str) -> None:
            with lock:
                span[0], span[1] = min(span[0], started), max(span[1], ended)
                if ok:
                    sample.latencies.append((ended - started) * 1000)
                else:
                    sample.errors.append(what)

        def client_main(index: int) -> None:
            client = Client(self.port, self.setup["tokens"][index])
            rng = random.Random(f"{self.seed}-{phase.tag}-{index}")
            try:
                if phase.rate is None:  # warm-up: connection, worker thread, DB connection, code paths
                    self._requests(phase.kind, index, client, rng, self.plan.warmup, None, None, None)
                barrier.wait()
                count = self.plan.closed if phase.rate is None else self.plan.paced
                deadline = time.monotonic() + self.plan.phase_seconds
                self._requests(phase.kind, index, client, rng, count, phase.rate, deadline, record)
            except Exception as exc:
                barrier.abort()  # the others stop waiting for this one
                with lock:
                    sample.errors.append(f"client {index}: {exc!r}")
            finally:
                client.close()

        threads = [threading.Thread(target=client_main, args=(i,), daemon=True) for i in range(self.plan.clients)]
        watch = CpuWatch(self.server_pid)
        cpu0 = own_cpu_seconds()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=self.plan.phase_seconds + 180)
        cpu = watch.finish(sampler.pids)
        if any(t.is_alive() for t in threads):
            sample.errors.append("a client thread did not finish in time")
        sample.wall = max(span[1] - span[0], 0.0)
        sample.extra["cpu_busy"], sample.extra["cpu_others"] = cpu["busy"], cpu["others"]
        sample.extra["client_cpu_s"] = own_cpu_seconds() - cpu0
        return sample

    def _requests(
        self,
        kind: str,
        index: int,
        client: Client,
        rng: random.Random,
        count: int,
        rate: float | None,
        deadline: float | None,
        record: Callable[[float, float, bool, str], None] | None,
    ) -> None:
        width, height = self.setup["width"], self.setup["height"]
        labels, image, mine = self.setup["labels"], self.setup["work_image"], self.mine[index]
        tag = "warmup" if record is None else (kind if rate is None else f"{kind}@{rate:g}")
        interval = 1 / rate if rate else 0.0
        first_send = time.monotonic() + rng.uniform(0, interval)  # paced clients start out of step
        for i in range(count):
            if rate:
                time.sleep(max(0.0, first_send + i * interval - time.monotonic()))
            if deadline is not None and time.monotonic() > deadline:
                break
            if kind == "create":
                shape = "bbox" if i % 2 == 0 else "polygon"
                payload = {
                    "label": labels[shape],
                    "geometry": geometry_of(shape, rng, width, height),
                    "attributes": {"grade": rng.choice("123")},
                }
                method, path, extra = "POST", f"/api/v1/images/{image}/annotations/", {}
                expected = 201
            else:
                if not mine:
                    raise RuntimeError("this client has no annotation to update")
                slot = i % len(mine)
                pk, etag, shape = mine[slot]
                payload = {"geometry": geometry_of(shape, rng, width, height), "attributes": {"reviewed": i % 2 == 0}}
                method, path, extra = "PATCH", f"/api/v1/annotations/{pk}/", {"If-Match": etag}
                expected = 200
            body = json.dumps(payload).encode()  # prepared before the clock starts
            headers = {"X-Bench-Phase": tag, **extra}
            started = time.perf_counter()
            status, answer_headers, data = client.request(method, path, body, headers)
            ended = time.perf_counter()
            ok = status == expected
            if ok and kind == "create":
                mine.append((json.loads(data)["id"], answer_headers.get("etag", ""), shape))
            elif ok:
                mine[slot] = (pk, answer_headers.get("etag", ""), shape)
            if record is not None:
                record(started, ended, ok, f"{method} {status}: {data[:160]!r}")
            elif not ok:
                raise RuntimeError(f"warm-up {method} answered {status}: {data[:160]!r}")


# ---------------------------------------------------------------- listing


def run_listing(plan: Plan, port: int, setup: dict[str, Any]) -> tuple[Sample, Sample]:
    """Walk the dense image's annotations page by page, `list_walks` times, with one client."""
    client = Client(port, setup["tokens"][0], timeout=60)
    walks, pages = Sample("list-walk"), Sample("list-page")
    first = f"/api/v1/images/{setup['dense_image']}/annotations/?page_size=1000"
    deadline = time.monotonic() + plan.list_seconds
    page_bytes: list[int] = []
    decode_ms: list[float] = []
    began = time.perf_counter()
    try:
        for walk in range(plan.list_walks + 1):  # walk 0 warms up
            if time.monotonic() > deadline:
                break
            path: str | None = first
            seen: set[int] = set()
            page_times = []
            for _ in range(20):  # 5,000 / 1,000 = 5 pages; 20 is a bound, not an expectation
                if path is None:
                    break
                t0 = time.perf_counter()
                status, _, data = client.request("GET", path, headers={"X-Bench-Phase": "list" if walk else "warmup"})
                t1 = time.perf_counter()
                if status != 200:
                    raise RuntimeError(f"GET {path} answered {status}: {data[:160]!r}")
                body = json.loads(data)
                decode_ms.append((time.perf_counter() - t1) * 1000)
                seen.update(item["id"] for item in body["results"])
                path = None if body["next"] is None else body["next"].split(f"{HOST}:{port}", 1)[-1]
                page_times.append((t1 - t0) * 1000)
                page_bytes.append(len(data))
            if path is not None:
                raise RuntimeError("the listing did not end within 20 pages")
            if len(seen) != setup["dense_count"]:
                raise RuntimeError(f"the walk returned {len(seen)} distinct annotations, not {setup['dense_count']}")
            if walk:
                walks.latencies.append(sum(page_times))  # fetching: the requests, not the client's decoding
                pages.latencies.extend(page_times)
                walks.extra["pages"] = len(page_times)
    except Exception as exc:
        walks.errors.append(repr(exc))
    finally:
        client.close()
    walks.wall = pages.wall = time.perf_counter() - began
    walks.extra["page_kib"] = sum(page_bytes) / max(len(page_bytes), 1) / 1024
    walks.extra["decode_ms_per_walk"] = sum(decode_ms) / max(len(decode_ms), 1) * walks.extra.get("pages", 0)
    return walks, pages


# ---------------------------------------------------------------- report


def ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def met(value: float, target: float) -> str:
    return "–" if math.isnan(value) else ("yes" if value <= target else "**no**")


def results_table(writes: list[Sample], walks: Sample, pages: Sample, server: dict[str, list[float]]) -> str:
    rows = [
        "| scenario | load | n | err | throughput | p50 ms | p95 ms | p99 ms | max ms | server p50 / p95 ms "
        "| target | met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]

    def row(what: str, load: str, s: Sample, unit: str, target: str, verdict: str) -> None:
        lat, srv = s.latencies, server.get(s.extra.get("server_tag", s.name), [])
        srv_text = f"{ms(percentile(srv, 50))} / {ms(percentile(srv, 95))}" if srv else "–"
        rows.append(
            f"| {what} | {load} | {len(lat)} | {len(s.errors)} | {s.throughput:.0f} {unit} "
            f"| {ms(percentile(lat, 50))} | {ms(percentile(lat, 95))} | {ms(percentile(lat, 99))} "
            f"| {ms(max(lat) if lat else math.nan)} | {srv_text} | {target} | {verdict} |"
        )

    names = {"create": "create `POST /images/{id}/annotations/`", "update": "update `PATCH /annotations/{id}/`"}
    for s in writes:
        kind, _, rate = s.name.partition("@")
        clients = s.extra["clients"]
        load = f"{clients} clients, closed loop" if not rate else f"{clients} clients × {rate}/s (paced)"
        p95 = percentile(s.latencies, 95)
        row(names[kind], load, s, "req/s", f"p95 ≤ {TARGET_WRITE_P95_MS:.0f} ms", met(p95, TARGET_WRITE_P95_MS))
    n_pages = walks.extra.get("pages", "?")
    walk_p95, page_p95 = percentile(walks.latencies, 95), percentile(pages.latencies, 95)
    row(f"list 5,000 polygons, whole walk ({n_pages} pages)", "1 client", walks, "walks/s",
        f"≤ {TARGET_LIST_MS:.0f} ms", met(walk_p95, TARGET_LIST_MS) + " (p95)")  # fmt: skip
    pages.extra["server_tag"] = "list"
    row("list, one page (`page_size=1000`)", "1 client", pages, "pages/s",
        f"≤ {TARGET_LIST_MS:.0f} ms", met(page_p95, TARGET_LIST_MS) + " (p95)")  # fmt: skip
    return "\n".join(rows)


def profile_table(profile: dict[str, Any]) -> str:
    rows = [
        "| request, one at a time, in process | statements (incl. BEGIN/COMMIT) | total ms | in cursor.execute ms "
        "| rest ms | of which GC ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, label in (("create", "create (35-point polygon)"), ("update", "update"), ("list_page", "list page")):
        p = profile[key]
        rows.append(
            f"| {label} | {p['queries']} | {p['total_ms']:.1f} | {p['sql_ms']:.1f} | {p['python_ms']:.1f} "
            f"| {p['gc_ms']:.1f} |"
        )
    rows += ["", "| where the time of one request goes (cProfile, scaled to the measured total) | create ms "
             "| update ms |", "|---|---:|---:|"]  # fmt: skip
    for name in profile["create"]["parts"]:
        rows.append(f"| {name} | {profile['create']['parts'][name]:.2f} | {profile['update']['parts'][name]:.2f} |")
    rows += ["", "| one list page of 1,000 polygons, built step by step | ms |", "|---|---:|"]
    for name, value in profile["list_parts"].items():
        rows.append(f"| {name} | {value:.1f} |")
    return "\n".join(rows)


def errors_text(samples: list[Sample]) -> str:
    lines = []
    for s in samples:
        lines += [f"- {s.name}: {e}" for e in s.errors[:5]]
        if len(s.errors) > 5:
            lines.append(f"- {s.name}: … and {len(s.errors) - 5} more")
    return "\n".join(lines)


def write_readme(section: str) -> None:
    block = f"{START}\n{section.rstrip()}\n{END}\n"
    if README.exists():
        text = README.read_text()
        if START in text and END in text:
            head, rest = text.split(START, 1)
            tail = rest.split(END, 1)[1].lstrip("\n")
            text = head + block + ("\n" + tail if tail else "")
        else:
            text = text.rstrip("\n") + "\n\n" + block
    else:
        text = "# Benchmarks\n\nReproducible performance scripts and their latest results.\n\n" + block
    README.write_text(text)


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small counts; prints only (unless --write-readme)")
    parser.add_argument("--write-readme", action="store_true", help="write benchmarks/README.md even with --quick")
    parser.add_argument("--no-readme", action="store_true", help="never write benchmarks/README.md")
    parser.add_argument("--profile", action="store_true", help="afterwards, profile single requests in process")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rates", default="1,2,4", help="paced phases: requests/s per client, comma-separated")
    parser.add_argument("--scenarios", default="writes,list", help="which to run: writes, list or both")
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE for the server (seconds)")
    parser.add_argument("--whatif", default="", help="patches from annotations_api_whatif.py, comma-separated")
    parser.add_argument("--database", default="annotator_bench")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look afterwards")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--wait-quiet", type=float, default=None, help="before each phase, wait up to this many seconds for "
        "other processes to quiet down (default 120, 15 with --quick)"
    )  # fmt: skip
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        parser.error("--database: lower-case letters, digits and _ only")
    if not 1 <= args.clients <= 64:
        parser.error("--clients: 1..64")
    try:
        args.rate_list = [float(r) for r in args.rates.split(",") if r.strip()]
    except ValueError:
        parser.error("--rates: numbers separated by commas")
    if any(not 0 < r <= 50 for r in args.rate_list):
        parser.error("--rates: each in (0, 50]")
    args.scenario_list = {name.strip() for name in args.scenarios.split(",") if name.strip()}
    if not args.scenario_list or args.scenario_list - {"writes", "list"}:
        parser.error("--scenarios: writes, list or writes,list")
    if args.wait_quiet is None:
        args.wait_quiet = 15.0 if args.quick else 120.0
    args.wait_quiet = min(max(args.wait_quiet, 0.0), 600.0)
    return args


def main() -> int:
    args = parse_args()
    plan = (
        Plan(args.clients, warmup=4, closed=25, paced=6, rates=args.rate_list, phase_seconds=30,
             list_walks=5, list_seconds=60)
        if args.quick
        else Plan(args.clients, warmup=10, closed=150, paced=30, rates=args.rate_list, phase_seconds=120,
                  list_walks=30, list_seconds=180)
    )  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="annotations-bench-"))
    (work / "static").mkdir()
    db_url = f"postgres://postgres@{HOST}:5432/{args.database}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "annotator.settings",
        "DATABASE_URL": db_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DB_CONN_MAX_AGE": str(args.conn_max_age),
        "THROTTLE_USER": THROTTLE_USER,
        "ALLOWED_HOSTS": HOST,
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "STATIC_ROOT": str(work / "static"),
        "BENCH_WHATIF": args.whatif,
    }
    facts = machine_facts()
    started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    proc: subprocess.Popen | None = None
    profile: dict[str, Any] | None = None
    writes: list[Sample] = []
    waits: dict[str, str] = {}
    backend_pids: set[int] = set()
    ok = False
    try:
        print(f"• database {args.database}: create and migrate", flush=True)
        admin_sql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)', f'CREATE DATABASE "{args.database}"')
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=600)
        print(f"• set-up: {args.clients} users with tokens, project, labels, {DENSE_COUNT} polygons", flush=True)
        setup_file = work / "setup.json"
        subprocess.run(
            [PY, str(HERE / "annotations_api_setup.py"), str(setup_file), str(args.clients), str(DENSE_COUNT),
             str(args.seed)],
            cwd=ROOT, env=env, check=True, timeout=600,
        )  # fmt: skip
        setup = json.loads(setup_file.read_text())

        port = free_port()
        cmd = gunicorn_command(args, port, work)
        print(f"• server: {' '.join(cmd[1:10])} …", flush=True)
        proc = start_gunicorn(cmd, env, work)
        wait_until_up(port, setup["tokens"][0], proc)

        runner = Writes(plan, port, setup, args.seed, proc.pid)
        phases = [Phase("create"), Phase("update")]
        phases += [Phase(kind, rate) for rate in plan.rates for kind in ("create", "update")]
        if "writes" not in args.scenario_list:
            phases = []
        for phase in phases:
            how = "closed loop" if phase.rate is None else f"paced at {phase.rate:g}/s each"
            print(f"• {phase.kind}: {args.clients} clients, {how}", flush=True)
            checkpoint(args.database)
            quiet_before = wait_for_quiet(args.wait_quiet, proc.pid)
            with WaitSampler(args.database) as sampler:
                sample = runner.run(phase, sampler)
            sample.extra["others_before"] = quiet_before
            backend_pids |= sampler.pids
            sample.extra["clients"] = args.clients
            waits[phase.tag] = sampler.summary()
            writes.append(sample)
        walks, pages = Sample("list-walk"), Sample("list-page")
        if "list" in args.scenario_list:
            print(f"• listing: {plan.list_walks} walks over {DENSE_COUNT} polygons, page_size=1000", flush=True)
            checkpoint(args.database)
            wait_for_quiet(args.wait_quiet, proc.pid)
            watch = CpuWatch(proc.pid)
            walks, pages = run_listing(plan, port, setup)
            walks.extra["cpu_others"] = watch.finish(backend_pids)["others"]
        stop_gunicorn(proc)
        server, busiest = server_times(work / "access.log")
        if args.profile:
            print("• profile: one request at a time, in process", flush=True)
            subprocess.run(
                [PY, str(HERE / "annotations_api_profile.py"), str(setup_file), str(work / "profile.json"),
                 str(20 if args.quick else 200)],
                cwd=ROOT, env=env, check=True, timeout=900,
            )  # fmt: skip
            profile = json.loads((work / "profile.json").read_text())
        ok = True
    finally:
        if proc is not None:
            stop_gunicorn(proc)
        if not args.keep_db:
            admin_sql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        if not ok:
            for name in ("error.log", "server.out"):
                with contextlib.suppress(OSError):
                    sys.stderr.write((work / name).read_text()[-4000:])
        shutil.rmtree(work, ignore_errors=True)

    section = report(args, plan, facts, started_at, setup, writes, walks, pages, server, busiest, waits, profile)
    print()
    print(section)
    problems = errors_text([*writes, walks, pages])
    complete = not args.whatif and args.scenario_list == {"writes", "list"}
    if not args.no_readme and complete and (not args.quick or args.write_readme):
        write_readme(section)
        print(f"(written to {README.relative_to(ROOT)})")
    return 1 if problems else 0


def report(
    args: argparse.Namespace,
    plan: Plan,
    facts: dict[str, str],
    started_at: str,
    setup: dict[str, Any],
    writes: list[Sample],
    walks: Sample,
    pages: Sample,
    server: dict[str, list[float]],
    busiest: dict[str, float],
    waits: dict[str, str],
    profile: dict[str, Any] | None,
) -> str:
    flags = " ".join(f for f in ("--quick" if args.quick else "", "--profile" if args.profile else "") if f)
    command = f".venv/bin/python benchmarks/annotations_api.py {flags}".rstrip()
    server_cmd = " ".join(gunicorn_command(args, "<free port>")).replace(str(BIN) + "/", "")
    nproc = int(facts["nproc"]) if facts["nproc"].isdigit() else 1
    cost = []
    for s in writes:
        if s.latencies and s.wall:
            ours = s.extra["cpu_busy"] - s.extra["cpu_others"]
            per_request = ours * nproc * s.wall / len(s.latencies) * 1000
            cost.append(
                f"{s.name} {s.extra['cpu_busy']:.0%} busy, {s.extra['cpu_others']:.0%} of it other processes, "
                f"≈ {per_request:.1f} CPU-ms per request for ours"
            )
    disturbed = [s.name for s in writes if s.extra.get("cpu_others", 0) > 0.1]
    if walks.extra.get("cpu_others", 0) > 0.1:
        disturbed.append("listing")
    warning = (
        f"\n**Disturbed**: other processes used over 10% of the machine during {', '.join(disturbed)}; "
        "those rows are pessimistic.\n"
        if disturbed
        else ""
    )
    whatif = f" **What-if run: `{args.whatif}` patched in (see annotations_api_whatif.py).**" if args.whatif else ""
    text = f"""## Annotations API: create, update, list (`annotations_api.py`)

{"Quick run" if args.quick else "Full run"} of {started_at} on commit {facts["commit"]}: `{command}`.{whatif}

{results_table(writes, walks, pages, server)}
{warning}
- **Machine**: `nproc` = {facts["nproc"]} ({facts["cpu"]}), {facts["memory"]} RAM, Linux {facts["kernel"]}.
  Server, Postgres and load generator share these cores.
- **Software**: Python {facts["python"]}, Django {facts["django"]}, DRF {facts["drf"]}, {facts["gunicorn"]};
  Postgres {facts["postgres"]} at {HOST}:5432.
- **Server**: `{server_cmd}` (plus an access log, for the server column) with `DEBUG=0`, a random
  `SECRET_KEY`, `DATABASE_URL={HOST}:5432/{args.database}` (created fresh, migrated, dropped at the end),
  **`DB_CONN_MAX_AGE={args.conn_max_age}`**, `THROTTLE_USER={THROTTLE_USER}` (throttling out of the way),
  no broker (tasks eager; none run here).
- **Writes**: {args.clients} client threads, each its own user (annotator in one project), token and
  keep-alive HTTP/1.1 connection (`http.client`), all on one {setup["width"]}×{setup["height"]} image.
  Creates alternate a bbox and a 20–50-point polygon (with one attribute); updates PATCH the client's
  own annotations (new geometry and attributes) with the previous answer's `ETag` in `If-Match`.
  Closed loop: {plan.warmup} unrecorded warm-up requests per client, then {plan.closed} per client, each
  sent as soon as the previous answer is read. Paced: {plan.paced} per client at the stated rate,
  clients out of step. Latency is the client's (request sent → whole answer read); "server" is gunicorn's
  handling time (`%(D)s`) of the same requests, the rest is waiting for a worker and a CPU.
- **CPU** (whole machine from /proc/stat; "ours" = load generator, gunicorn, our Postgres backends):
  {"; ".join(cost)}. The load generator itself used {sum(s.extra["client_cpu_s"] for s in writes):.1f} CPU-s
  over all write phases. Before each phase the run issues a Postgres `CHECKPOINT` and waits
  (≤ {args.wait_quiet:.0f} s) for other processes to use under 15% of the machine; during the listing they
  used {walks.extra.get("cpu_others", 0):.0%}.
- **Spread over gunicorn workers** (share of a phase's requests served by the busiest of the
  {args.workers} workers; keep-alive connections stay with the worker that accepted them):
  {"; ".join(f"{s.name} {busiest.get(s.name, math.nan):.0%}" for s in writes) or "–"}.
- **Postgres** busy backends by wait event (average number at once, sampled at 10 Hz):
  {"; ".join(f"{tag}: {summary}" for tag, summary in waits.items())}.
- **Listing**: one client; {setup["dense_count"]} polygons ({setup["dense_points"]} points) on one image,
  stored beforehand with `bulk_create` after the app's own geometry validation (plus their create
  revisions; then `VACUUM ANALYZE`). `GET /api/v1/images/{{id}}/annotations/?page_size=1000` following
  `next` to the end: {plan.list_walks} walks after one warm-up walk. A page is
  {walks.extra.get("page_kib", 0):.0f} KiB of JSON. The walk time is the sum of its page requests; decoding
  the JSON on the client adds {walks.extra.get("decode_ms_per_walk", 0):.0f} ms per walk, not counted.
"""
    if profile is not None:
        text += f"""
### Profile of single requests (`--profile`)

One request at a time through Django's test client in one process (whole middleware and DRF stack,
no HTTP server), on the same database after the load. Detail (SQL of each query, top functions) is
printed by the run.

{profile_table(profile)}
"""
    problems = errors_text([*writes, walks, pages])
    if problems:
        text += "\nErrors:\n\n" + problems + "\n"
    return text


if __name__ == "__main__":
    sys.exit(main())
