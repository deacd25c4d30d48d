"""JSON arrays spooled to scratch files while a format streams through the images, then written into the zip as
chunks: the memory of a many-split JSON export stays that of one record."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

CHUNK = 1024 * 1024


class JsonSpool:
    """Named JSON arrays (e.g. ("train", "images")), one record per line, kept in a scratch folder."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="annotator-export-")
        self._files: dict[tuple[str, ...], IO[bytes]] = {}
        self.counts: dict[tuple[str, ...], int] = {}

    def add(self, key: tuple[str, ...], record: Any) -> None:
        """Append one record to an array."""
        handle = self._files.get(key)
        if handle is None:
            handle = self._files[key] = (Path(self._folder.name) / f"{len(self._files)}.json").open("w+b")
            self.counts[key] = 0
        handle.write((b",\n" if self.counts[key] else b"\n") + json.dumps(record, ensure_ascii=False).encode())
        self.counts[key] += 1

    def keys(self) -> list[tuple[str, ...]]:
        return sorted(self._files)

    def array(self, key: tuple[str, ...]) -> Iterator[bytes]:
        """The array's JSON text (an empty array when nothing was added), in chunks."""
        yield b"["
        handle = self._files.get(key)
        if handle is not None:
            handle.flush()
            handle.seek(0)
            while chunk := handle.read(CHUNK):
                yield chunk
            yield b"\n"
        yield b"]"

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._folder.cleanup()

    def __enter__(self) -> JsonSpool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def json_object(fields: list[tuple[str, Any]]) -> Iterator[bytes]:
    """A JSON object from (key, value) pairs in order; a value that is an iterator of byte chunks is spliced in as
    already-encoded JSON (a spooled array), any other value is encoded here."""
    yield b"{"
    for number, (key, value) in enumerate(fields):
        yield (b"," if number else b"") + b"\n" + json.dumps(key).encode() + b": "
        if isinstance(value, Iterator):
            yield from value
        else:
            yield json.dumps(value, ensure_ascii=False).encode()
    yield b"\n}\n"
