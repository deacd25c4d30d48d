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


def version_dir(version_id: int) -> Path:
    """Folder holding a dataset version's frozen snapshot."""
    return media_root() / "versions" / str(int(version_id))


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
