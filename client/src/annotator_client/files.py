"""Pure helpers: which files a path names, how they go up (one request per folder, big ones resumable), checksums."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

RESUMABLE_BYTES = 16 * 1024 * 1024
BATCH_FILES = 1000
SKIP = {".DS_Store", "Thumbs.db", "desktop.ini"}


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files named by paths; folders are walked (hidden files and OS litter left out), in a stable order."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.name not in SKIP
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            out.append(path)
        else:
            raise FileNotFoundError(f"No such file or folder: {path}")
    return out


@dataclass
class Plan:
    """Multipart batches (a folder's files together: the server groups a DICOM series within a request), big files."""

    batches: list[list[Path]] = field(default_factory=list)
    resumable: list[Path] = field(default_factory=list)


def plan(files: Iterable[Path], resumable_bytes: int | None = None) -> Plan:
    limit = RESUMABLE_BYTES if resumable_bytes is None else resumable_bytes
    result = Plan()
    by_folder: dict[Path, list[Path]] = {}
    for path in files:
        if path.stat().st_size >= limit:
            result.resumable.append(path)
        else:
            by_folder.setdefault(path.parent, []).append(path)
    for group in by_folder.values():
        for start in range(0, len(group), BATCH_FILES):
            result.batches.append(group[start : start + BATCH_FILES])
    return result


def sha256_file(path: Path, chunk: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sums(folder: Path) -> Iterator[str]:
    """Verify every line of folder/SHA256SUMS (as `sha256sum -c` does); yield the names checked, raise on a mismatch."""
    from annotator_client.errors import ChecksumError

    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        raise ChecksumError(f"{sums} is missing")
    for line in sums.read_text().splitlines():
        if not line.strip():
            continue
        digest, name = line.split(maxsplit=1)
        name = name.lstrip("*")
        target = folder / name
        if not target.resolve().is_relative_to(folder.resolve()):
            raise ChecksumError(f"SHA256SUMS names a path outside the export: {name}")
        if not target.is_file() or sha256_file(target) != digest:
            raise ChecksumError(f"{name}: checksum mismatch")
        yield name
