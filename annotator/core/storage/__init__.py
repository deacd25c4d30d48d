"""The one storage helper: where an object's files live (built from ids only, never user input) and the store.

Readers and writers (pydicom, libvips, OpenSlide, nibabel, zip) work on local paths: `image_dir()` and
`export_dir()` name an object's *working folder*. With the local backend (the default) that folder is the
store itself, under MEDIA_ROOT. With `STORAGE_BACKEND=s3` it is a private scratch folder of this process
(SCRATCH_DIR): `store().fetch(path)` brings what a step needs from the object store, `store().publish(path)`
puts what it wrote there, and `store().release(folder)` drops the local copy, so web and worker machines
share nothing but the database, the broker and the bucket. The object key of a path is its path below the
working root (`images/12/original.dcm`), so keys too are built from ids only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings

from annotator.core.storage.base import Store, StoreError

__all__ = [
    "Store",
    "StoreError",
    "ensure_dir",
    "export_dir",
    "image_dir",
    "import_dir",
    "media_root",
    "remove_part",
    "remove_tree",
    "store",
    "upload_part",
    "upload_root",
    "version_dir",
    "working_root",
]


def remote() -> bool:
    """True when files live in an object store rather than under MEDIA_ROOT."""
    return settings.STORAGE_BACKEND == "s3"


def media_root() -> Path:
    """The root folder of stored files with the local backend."""
    return Path(settings.MEDIA_ROOT)


def working_root() -> Path:
    """Where this process sees objects' files: MEDIA_ROOT itself, or its scratch folder with an object store."""
    return Path(settings.SCRATCH_DIR) if remote() else media_root()


def image_dir(image_id: int) -> Path:
    """Working folder of an image's original, thumbnail and tiles."""
    return working_root() / "images" / str(int(image_id))


def export_dir(export_id: int) -> Path:
    """Working folder of an export job's zip."""
    return working_root() / "exports" / str(int(export_id))


def import_dir(import_id: int) -> Path:
    """Working folder of an import job's uploaded file."""
    return working_root() / "imports" / str(int(import_id))


def version_dir(version_id: int) -> Path:
    """Working folder of a dataset version's frozen snapshot."""
    return working_root() / "versions" / str(int(version_id))


def upload_root() -> Path:
    """The folder where resumable uploads' raw bytes wait (outside storage: not yet de-identified)."""
    return Path(settings.ANNOTATOR_UPLOAD_DIR)


def upload_part(upload_id: int) -> Path:
    """Where a resumable upload's received bytes are kept (named by id only)."""
    return upload_root() / f"{int(upload_id)}.part"


def ensure_dir(path: Path) -> Path:
    """Create a folder (and parents) if missing and return it."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_tree(path: Path) -> None:
    """Delete a local folder inside the working root; refuse anything outside it."""
    root = working_root().resolve()
    target = path.resolve()
    if root not in target.parents:
        raise ValueError(f"refusing to delete {target}: not inside {root}")
    shutil.rmtree(target, ignore_errors=True)


def remove_part(path: Path) -> None:
    """Delete an upload's .part file; refuse anything outside the upload folder."""
    if path.parent.resolve() != upload_root().resolve() or path.suffix != ".part":
        raise ValueError(f"refusing to delete {path}: not an upload's part file")
    path.unlink(missing_ok=True)


_stores: dict[tuple[str, ...], Store] = {}


def store() -> Store:
    """The configured store (one per distinct configuration, so tests may switch settings)."""
    if remote():
        key: tuple[str, ...] = (
            "s3",
            str(settings.SCRATCH_DIR),
            settings.AWS_S3_ENDPOINT_URL or "",
            settings.AWS_STORAGE_BUCKET_NAME,
        )
    else:
        key = ("local", str(settings.MEDIA_ROOT))
    if key not in _stores:
        if remote():
            from annotator.core.storage.s3 import S3Store  # boto3 is imported only where it is used

            _stores[key] = S3Store(root=working_root())
        else:
            from annotator.core.storage.local import LocalStore

            _stores[key] = LocalStore(root=working_root())
    return _stores[key]
