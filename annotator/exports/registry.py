"""The registry of export formats: one module per format registers itself here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from annotator.exports.snapshot import ProjectSnap


class Output(Protocol):
    """Where a format writes its files (the export zip)."""

    def write_bytes(self, name: str, data: bytes) -> None: ...

    def write_file(self, name: str, path: str) -> None: ...

    def write_chunks(self, name: str, chunks: Iterable[bytes]) -> None: ...


@dataclass(frozen=True)
class ExportContext:
    snapshot: ProjectSnap
    options: dict[str, Any]
    splits: dict[int, str]  # image id -> split name ("default" without a split)
    folds: dict[int, int] = field(default_factory=dict)  # image id -> cross-validation fold (with split.folds)


Writer = Callable[[ExportContext, Output], dict[str, Any]]


@dataclass(frozen=True)
class ExportFormat:
    key: str
    title: str
    write: Writer
    needs: frozenset[str] = frozenset()  # extra snapshot facts: "dicom_geometry" (per-frame patient geometry)


class DuplicateFormat(Exception):
    """A second format tried to register a key that is taken."""


_FORMATS: dict[str, ExportFormat] = {}


def register(key: str, title: str, *, needs: Iterable[str] = ()) -> Callable[[Writer], Writer]:
    """Decorator: register a writer under a format key, with the extra snapshot facts it needs."""

    def decorate(write: Writer) -> Writer:
        if key in _FORMATS:
            raise DuplicateFormat(f"export format {key!r} is registered twice")
        _FORMATS[key] = ExportFormat(key=key, title=title, write=write, needs=frozenset(needs))
        return write

    return decorate


def get_format(key: str) -> ExportFormat | None:
    """The format registered under key, or None."""
    _load_formats()
    return _FORMATS.get(key)


def available() -> Iterator[ExportFormat]:
    """Every registered format."""
    _load_formats()
    return iter(sorted(_FORMATS.values(), key=lambda f: f.key))


def _load_formats() -> None:
    import annotator.exports.formats  # noqa: F401  (registers on import)
