"""The byte ranges a TIFF still references, merged as they are added so contiguous layouts stay tiny."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from annotator.imaging.strip.base import MalformedImage

MAX_RANGES = 4_000_000  # disjoint ranges kept after merging (64 MB); beyond that the layout is absurd
_PENDING = 65_536


class Coverage:
    """A set of half-open byte ranges [start, end) that merges touching and overlapping ranges."""

    def __init__(self) -> None:
        """Start empty."""
        self._starts = np.empty(0, dtype=np.int64)
        self._ends = np.empty(0, dtype=np.int64)
        self._pending: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        """Add one range (empty ranges are ignored)."""
        if end > start:
            self._pending.append((start, end))
            if len(self._pending) >= _PENDING:
                self._flush()

    def add_many(self, starts: np.ndarray, ends: np.ndarray) -> None:
        """Add many ranges at once (numpy arrays of equal length; empty ranges are ignored)."""
        keep = ends > starts
        self._merge(starts[keep].astype(np.int64), ends[keep].astype(np.int64))

    def gaps(self, size: int) -> Iterator[tuple[int, int]]:
        """The ranges of [0, size) that nothing covers, as (offset, length), in file order."""
        self._flush()
        cursor = 0
        for start, end in zip(self._starts.tolist(), self._ends.tolist(), strict=True):
            if start > cursor:
                yield cursor, min(start, size) - cursor
            cursor = max(cursor, end)
            if cursor >= size:
                return
        if cursor < size:
            yield cursor, size - cursor

    def _flush(self) -> None:
        """Merge the pending single ranges into the sorted arrays."""
        if self._pending:
            pairs = np.array(self._pending, dtype=np.int64)
            self._pending = []
            self._merge(pairs[:, 0], pairs[:, 1])

    def _merge(self, starts: np.ndarray, ends: np.ndarray) -> None:
        """Union the given ranges into the sorted, disjoint arrays."""
        if not len(starts):
            return
        starts = np.concatenate((self._starts, starts))
        ends = np.concatenate((self._ends, ends))
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order], np.maximum.accumulate(ends[order])
        fresh = np.empty(len(starts), dtype=bool)
        fresh[0] = True
        fresh[1:] = starts[1:] > ends[:-1]  # a range touching the previous one merges with it
        first = np.flatnonzero(fresh)
        last = np.append(first[1:] - 1, len(starts) - 1)
        self._starts, self._ends = starts[first], ends[last]
        if len(self._starts) > MAX_RANGES:
            raise MalformedImage("The TIFF is split into more separate data pieces than any real image uses.")
