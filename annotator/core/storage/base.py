"""What every store offers: files of a working folder published to, fetched from and read out of their keys."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path, PurePosixPath


class StoreError(Exception):
    """A stored file is missing or the store cannot be reached."""


class Store(ABC):
    """A place for files keyed by their path below the working root (`images/12/thumbnail.jpg`)."""

    #: True when files live elsewhere and the working root is only this process's scratch copy.
    remote: bool = False

    def __init__(self, *, root: Path) -> None:
        self.root = root

    def key(self, path: Path) -> str:
        """The object key of a path inside the working root; refuses anything outside it."""
        try:
            relative = path.resolve().relative_to(self.root.resolve())
        except ValueError as exc:
            raise ValueError(f"{path} is not inside the working root {self.root}") from exc
        key = PurePosixPath(*relative.parts).as_posix()
        if key in ("", "."):
            raise ValueError("the working root itself has no key")
        return key

    @abstractmethod
    def publish(self, path: Path) -> None:
        """Store the file, or every file below the folder, at `path` under its key (replacing what was there)."""

    @abstractmethod
    def fetch(self, path: Path) -> Path:
        """Make the file or folder at `path` present locally (downloading it when remote) and return `path`."""

    @abstractmethod
    def exists(self, path: Path) -> bool:
        """Whether a file (or, for a folder, any file below it) is stored at `path`."""

    @abstractmethod
    def files_below(self, path: Path) -> list[Path]:
        """Every stored file below a folder, as working-folder paths, sorted."""

    @abstractmethod
    def size(self, path: Path) -> int:
        """The stored file's size in bytes; StoreError when it is missing."""

    @abstractmethod
    def read_range(self, path: Path, start: int, length: int) -> bytes:
        """`length` bytes of the stored file from offset `start` (fewer only at its end)."""

    def read(self, path: Path) -> bytes:
        """The whole stored file."""
        return self.read_range(path, 0, self.size(path))

    @abstractmethod
    def iter_chunks(self, path: Path, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        """The stored file's bytes in chunks, for streaming a download."""

    @abstractmethod
    def url(
        self, path: Path, *, expires: int, filename: str | None = None, content_type: str | None = None
    ) -> str | None:
        """A time-limited URL a browser may fetch the file from directly, or None when the store has none."""

    @abstractmethod
    def delete(self, path: Path) -> None:
        """Remove the stored file or folder (every key below it) and its local copy."""

    def release(self, path: Path) -> None:  # noqa: B027 (a no-op where the working folder is the store)
        """Drop the local copy of a folder once it is stored (a remote store's scratch space stays small)."""
