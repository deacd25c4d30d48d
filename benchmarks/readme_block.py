"""One benchmark's block of results in benchmarks/README.md, replaced between its start and end markers."""

from __future__ import annotations

from pathlib import Path


def replace_block(readme: Path, start: str, end: str, text: str) -> None:
    """Put `text` between the markers (appended when absent), leaving the other benchmarks' blocks alone."""
    block = f"{start}\n{text.rstrip()}\n{end}\n"
    if readme.exists():
        current = readme.read_text()
        if start in current and end in current:
            head, rest = current.split(start, 1)
            current = head + block + rest.split(end, 1)[1].lstrip("\n")
        else:
            current = current.rstrip("\n") + "\n\n" + block
    else:
        current = "# Benchmarks\n\nReproducible performance scripts and their latest results.\n\n" + block
    readme.write_text(current)
