"""Fault tests' stack of real processes: a private redis-server, gunicorn and a Celery worker (with beat).

Everything here is started by the tests and only that is stopped or killed: the shared Redis on 6379
and the shared Postgres are never touched (a database fault is one pg_terminate_backend of our own
web process's connection). Recovery settings are shortened (heartbeat 1 s, stale after 6 s, reaper
every 2 s) so the whole module runs in about a minute; production defaults are in settings.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from annotator.projects.services import project_create
from tests.conftest import ROOT, _database_url_for_test_db

RECOVERY_ENV = {
    "ANNOTATOR_HEARTBEAT_SECONDS": "1",
    "ANNOTATOR_HEARTBEAT_STALE_SECONDS": "6",
    "ANNOTATOR_REAP_INTERVAL_SECONDS": "2",
    "ANNOTATOR_RELAY_INTERVAL_SECONDS": "2",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate: Callable[[], bool], timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tail}")
        time.sleep(0.2)


@dataclass
class Proc:
    """One process we started, in its own session so a kill reaches its children too."""

    args: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """SIGKILL the process and everything it started (the worst crash: no clean-up, no acks)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Stack:
    redis: Proc
    web: Proc
    worker: Proc
    web_url: str
    broker_url: str
    token: str = ""
    project_id: int = 0
    started: list[Proc] = field(default_factory=list)

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        headers = {"Authorization": f"Token {self.token}", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return requests.request(method, f"{self.web_url}{path}", headers=headers, timeout=60, **kwargs)  # type: ignore[arg-type]

    def redis_up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", int(self.broker_url.rsplit(":", 1)[1].split("/")[0])), 1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start_redis(self) -> None:
        self.redis.start()
        _wait(self.redis_up, 30, "the private redis-server", self.redis.log)

    def start_worker(self) -> None:
        self.worker.start()
        _wait(lambda: "ready." in self.worker.log.read_text(errors="replace"), 90, "the worker", self.worker.log)

    def start_web(self) -> None:
        self.web.start()

        def answers() -> bool:
            try:
                return requests.get(f"{self.web_url}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        _wait(answers, 60, "gunicorn", self.web.log)


@pytest.fixture
def stack(
    transactional_db: None, media_dir: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """A fresh private redis, web and worker for one test, all against the test database and media dir."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        if os.environ.get("REQUIRE_WORKER") == "1":
            pytest.fail("fault tests need Postgres (DATABASE_URL) and redis-server")
        pytest.skip("fault tests need Postgres (DATABASE_URL) and redis-server")
    redis_port, web_port = free_port(), free_port()
    broker = f"redis://127.0.0.1:{redis_port}/0"
    database = _database_url_for_test_db()
    base_env = {
        **os.environ,
        **RECOVERY_ENV,
        "CELERY_BROKER_URL": broker,
        "MEDIA_ROOT": str(media_dir),
        "ANNOTATOR_UPLOAD_DIR": str(settings.ANNOTATOR_UPLOAD_DIR),
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    redis = Proc(
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        base_env,
        tmp_path / "redis.log",
    )
    web = Proc(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "annotator.wsgi:application",
            "--bind",
            f"127.0.0.1:{web_port}",
            "--worker-class",
            "gthread",
            "--workers",
            "1",
            "--threads",
            "8",
            "--timeout",
            "120",
        ],
        {**base_env, "DATABASE_URL": f"{database}?application_name=fault-web"},
        tmp_path / "web.log",
    )
    worker = Proc(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "annotator",
            "worker",
            "-B",
            "-s",
            str(tmp_path / "beat-schedule"),
            "-Q",
            "default,heavy",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "faults@%h",
            "--loglevel=INFO",
        ],
        {**base_env, "DATABASE_URL": f"{database}?application_name=fault-worker"},
        tmp_path / "worker.log",
    )
    built = Stack(redis, web, worker, f"http://127.0.0.1:{web_port}", broker)
    user = get_user_model().objects.create_user(username="faulty", password="pw-faulty-12345")
    built.token = Token.objects.create(user=user).key
    built.project_id = project_create(creator=user, name="Faults").pk
    try:
        built.start_redis()
        built.start_web()
        built.start_worker()
        yield built
    finally:
        for proc in (worker, web, redis):
            proc.stop()
