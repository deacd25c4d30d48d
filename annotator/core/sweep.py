"""The orphan sweep: delete stored files that no database row owns (a crash between commit and clean-up).

Careful by construction: it only looks at names this code writes (numeric image and export folders,
`<id>.part` upload files, `annotator-ingest-*` work folders), only removes what has not been touched
for ANNOTATOR_ORPHAN_MIN_AGE_SECONDS (so a folder whose row is still being committed is safe), and
leaves anything else it finds alone, counting it as "unknown".
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from annotator.core.storage import media_root, remove_part, remove_tree, store, upload_root, working_root

logger = logging.getLogger(__name__)

PART_RE = re.compile(r"^(\d{1,18})\.part$")
ID_RE = re.compile(r"^\d{1,18}$")
WORKSPACE_PREFIX = "annotator-ingest-"  # imaging/ingest.py's private temporary folders


def _age(path: Path, now: float) -> float:
    """Seconds since anything in a folder (or the file) last changed; a busy folder counts as new."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for child in path.rglob("*"):
            try:
                newest = max(newest, child.lstat().st_mtime)
            except FileNotFoundError:
                continue
    return now - newest


def _owned_ids(model_label: str) -> set[int]:
    from django.apps import apps

    return set(apps.get_model(model_label).objects.values_list("pk", flat=True))


def _sweep_folders(parent: Path, owned: set[int], min_age: float, now: float, counts: dict[str, int]) -> None:
    if not parent.is_dir():
        return
    for child in parent.iterdir():
        if not ID_RE.match(child.name) or child.is_symlink() or not child.is_dir():
            counts["unknown"] += 1
            continue
        if int(child.name) in owned or _age(child, now) < min_age:
            continue
        logger.info("sweep: removing orphan %s", child)
        remove_tree(child)
        counts["folders"] += 1


def _sweep_bucket(folder: Path, owned: set[int], min_age: float, now: float, counts: dict[str, int]) -> None:
    """The same rule in an object store: id folders of keys with no row, none changed for min_age."""
    from annotator.core.storage.s3 import S3Store

    files = store()
    assert isinstance(files, S3Store)
    for name, changed in files.folder_ages(folder).items():
        if not ID_RE.match(name):
            counts["unknown"] += 1
            continue
        if int(name) in owned or now - changed < min_age:
            continue
        logger.info("sweep: removing orphan %s from the bucket", folder / name)
        files.delete(folder / name)
        counts["folders"] += 1


def _sweep_parts(min_age: float, now: float, counts: dict[str, int]) -> None:
    from annotator.uploads.models import Upload, UploadStatus

    folder = upload_root()
    if not folder.is_dir():
        return
    open_ids = set(Upload.objects.filter(status=UploadStatus.OPEN).values_list("pk", flat=True))
    for child in folder.iterdir():
        match = PART_RE.match(child.name)
        if not match or child.is_symlink() or not child.is_file():
            counts["unknown"] += 1
            continue
        if int(match.group(1)) in open_ids or _age(child, now) < min_age:
            continue
        logger.info("sweep: removing orphan %s", child)
        remove_part(child)
        counts["parts"] += 1


def _workspaces() -> Iterable[Path]:
    base = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())
    return base.glob(f"{WORKSPACE_PREFIX}*") if base.is_dir() else []


def _sweep_workspaces(min_age: float, now: float, counts: dict[str, int]) -> None:
    for folder in _workspaces():
        if folder.is_dir() and not folder.is_symlink() and _age(folder, now) >= min_age:
            shutil.rmtree(folder, ignore_errors=True)
            counts["workspaces"] += 1


def files_sweep(*, min_age: float | None = None) -> dict[str, int]:
    """Remove image and export folders without a row, .part files without an open upload and stale ingest
    work folders, all untouched for at least min_age seconds; return what was removed (and left as unknown)."""
    min_age = settings.ANNOTATOR_ORPHAN_MIN_AGE_SECONDS if min_age is None else min_age
    now = time.time()
    counts = {"folders": 0, "parts": 0, "workspaces": 0, "unknown": 0}
    # Ids are read before the folders are listed: a row made after this read has a folder newer than min_age.
    owned = {"images": _owned_ids("imaging.Image"), "exports": _owned_ids("exports.ExportJob")}
    owned["versions"] = _owned_ids("exports.DatasetVersion")
    owned["imports"] = _owned_ids("imports.ImportJob")  # an import's stored file, kept while the job may run
    for kind, ids in owned.items():
        if store().remote:
            _sweep_bucket(working_root() / kind, ids, min_age, now, counts)
        else:
            _sweep_folders(media_root() / kind, ids, min_age, now, counts)
    _sweep_parts(min_age, now, counts)
    _sweep_workspaces(min_age, now, counts)
    return counts
