"""A short run of the load scenario (benchmarks/load_locust.py): 10 annotators, 20 s, gunicorn, no errors."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import ROOT, _database_url_for_test_db

pytestmark = pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="locust is not installed")


def _runner():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("load_run", ROOT / "benchmarks" / "load_run.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_ten_annotators_for_twenty_seconds_without_errors(transactional_db, media_dir: Path, tmp_path: Path) -> None:
    if connection_vendor() != "postgresql":
        pytest.skip("gunicorn's processes need a server database (set DATABASE_URL to Postgres)")
    load = _runner()
    seed_path = load.seed(users=10, images_per_user=4, out=tmp_path)
    env = {"DATABASE_URL": _database_url_for_test_db(), "MEDIA_ROOT": str(media_dir)}
    if settings.CELERY_BROKER_URL:
        env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    with load.serve(env=env, workers=2, threads=4, log=tmp_path / "gunicorn.log") as url:
        results = load.swarm(url=url, seed_path=seed_path, users=10, seconds=20, out=tmp_path)
    print(load.table(results))
    total = results["Aggregated"]
    assert total["requests"] > 100 and total["failures"] == 0, load.table(results)
    for kind in ("next image", "dzi", "tile", "bulk save", "submit"):
        assert results.get(kind, {}).get("requests", 0) > 0, f"no {kind!r} request ran:\n{load.table(results)}"
    assert os.environ.get("LOAD_SEED") is None  # the seed went to Locust's process only


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor
