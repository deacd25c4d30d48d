"""The one storage helper: where files of an object live, built from ids only, never user input."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings


def media_root() -> Path:
    """The root folder for all stored files."""
    return Path(settings.MEDIA_ROOT)


def image_dir(image_id: int) -> Path:
    """Folder holding an image's original, thumbnail and tiles."""
    return media_root() / "images" / str(int(image_id))


def export_dir(export_id: int) -> Path:
    """Folder holding an export job's zip."""
    return media_root() / "exports" / str(int(export_id))


def upload_root() -> Path:
    """The folder where resumable uploads' raw bytes wait (outside media storage: not yet de-identified)."""
    return Path(settings.ANNOTATOR_UPLOAD_DIR)


def upload_part(upload_id: int) -> Path:
    """Where a resumable upload's received bytes are kept (named by id only)."""
    return upload_root() / f"{int(upload_id)}.part"


def ensure_dir(path: Path) -> Path:
    """Create a folder (and parents) if missing and return it."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_tree(path: Path) -> None:
    """Delete a folder inside the media root; refuse anything outside it."""
    root = media_root().resolve()
    target = path.resolve()
    if root not in target.parents:
        raise ValueError(f"refusing to delete {target}: not inside {root}")
    shutil.rmtree(target, ignore_errors=True)


def remove_part(path: Path) -> None:
    """Delete an upload's .part file; refuse anything outside the upload folder."""
    if path.parent.resolve() != upload_root().resolve() or path.suffix != ".part":
        raise ValueError(f"refusing to delete {path}: not an upload's part file")
    path.unlink(missing_ok=True)
