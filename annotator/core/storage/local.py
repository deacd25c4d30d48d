"""The embedded default: files live under MEDIA_ROOT, which is also every process's working folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from annotator.core.storage.base import Store, StoreError


class LocalStore(Store):
    """Working folder and store are one: publishing and fetching have nothing to move."""

    remote = False

    def publish(self, path: Path) -> None:
        self.key(path)  # still refuse paths outside the root

    def fetch(self, path: Path) -> Path:
        return path

    def exists(self, path: Path) -> bool:
        return path.is_file() or (path.is_dir() and any(p.is_file() for p in path.rglob("*")))

    def files_below(self, path: Path) -> list[Path]:
        return sorted(p for p in path.rglob("*") if p.is_file())

    def size(self, path: Path) -> int:
        try:
            return path.stat().st_size
        except FileNotFoundError as exc:
            raise StoreError(f"{self.key(path)} is missing") from exc

    def read_range(self, path: Path, start: int, length: int) -> bytes:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError as exc:  # removed since it was listed (re-processing) or lost
            raise StoreError(f"{self.key(path)} is missing") from exc
        try:
            return os.pread(fd, length, start)
        finally:
            os.close(fd)

    def iter_chunks(self, path: Path, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        try:
            handle = path.open("rb")
        except FileNotFoundError as exc:
            raise StoreError(f"{self.key(path)} is missing") from exc
        with handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    def url(
        self, path: Path, *, expires: int, filename: str | None = None, content_type: str | None = None
    ) -> str | None:
        return None

    def delete(self, path: Path) -> None:
        self.key(path)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
