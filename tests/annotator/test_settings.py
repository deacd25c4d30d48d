"""Settings come from the environment; production refuses the development secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import annotator.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_with_the_development_key_refuses_to_start() -> None:
    result = _load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_off_with_a_real_key_starts_and_reads_database_url() -> None:
    result = _load_settings(DEBUG="0", SECRET_KEY="x" * 50, DATABASE_URL="postgres://u@db:5432/annotator")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]


def test_embedded_defaults_use_sqlite() -> None:
    result = _load_settings()
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_every_periodic_task_is_a_registered_task() -> None:
    from django.conf import settings

    from annotator.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
