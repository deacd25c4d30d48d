"""COCO run-length encoding of binary masks: counts in column-major order and their compressed string form.

A mask of h rows and w columns is read column by column (Fortran order, as COCO defines it) and stored as
the lengths of alternating runs, starting with a run of zeros (which may be empty). The compressed string
writes each count, from the third on as the difference to the count two places before, in little-endian
groups of 5 bits: a character is 48 + the group, with 0x20 set while more groups follow; the last group's
0x10 bit is the sign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

FIRST_CHAR = 48
LAST_CHAR = FIRST_CHAR + 63


class RleError(ValueError):
    """A run-length encoding that does not describe a mask of its stated size."""


def counts_to_string(counts: Sequence[int]) -> str:
    """The compressed string of a list of run lengths."""
    chars: list[str] = []
    for index, count in enumerate(counts):
        value = int(count) - (int(counts[index - 2]) if index > 2 else 0)
        more = True
        while more:
            group = value & 0x1F
            value >>= 5  # arithmetic shift: a negative delta ends at -1
            more = value != -1 if group & 0x10 else value != 0
            chars.append(chr(FIRST_CHAR + (group | (0x20 if more else 0))))
    return "".join(chars)


def string_to_counts(text: str) -> list[int]:
    """Run lengths from a compressed string; RleError for characters outside the alphabet or a cut-off count."""
    counts: list[int] = []
    value = shift = 0
    for position, char in enumerate(text):
        code = ord(char) - FIRST_CHAR
        if not 0 <= code <= 63:
            raise RleError(f"character {char!r} at {position} is not part of the RLE alphabet")
        value |= (code & 0x1F) << shift
        shift += 5
        if code & 0x20:
            continue
        if code & 0x10:
            value |= -1 << shift
        if len(counts) > 2:
            value += counts[-2]
        counts.append(value)
        value = shift = 0
    if shift:
        raise RleError("the RLE string ends in the middle of a count")
    return counts


def check_counts(counts: Sequence[int], height: int, width: int) -> None:
    """RleError unless every run is non-negative and the runs cover exactly height × width pixels."""
    if any(count < 0 for count in counts):
        raise RleError("the RLE has a negative run length")
    total = sum(counts)
    if total != height * width:
        raise RleError(f"the RLE runs cover {total} pixels, not {height} × {width} = {height * width}")


def _size(rle: Mapping[str, Any]) -> tuple[int, int]:
    height, width = (int(v) for v in rle["size"])
    return height, width


def _counts(rle: Mapping[str, Any]) -> list[int]:
    counts = rle["counts"]
    return string_to_counts(counts) if isinstance(counts, str) else [int(c) for c in counts]


def encode(mask: np.ndarray) -> dict[str, Any]:
    """{"counts": str, "size": [h, w]} of a 2-D mask (any non-zero value is set)."""
    if mask.ndim != 2:
        raise ValueError(f"a mask is 2-D, got shape {mask.shape}")
    height, width = mask.shape
    flat = np.asarray(mask, dtype=bool).ravel(order="F")
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    edges = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(edges).tolist()
    if flat.size and flat[0]:
        runs.insert(0, 0)  # counts always start with a (here empty) run of zeros
    return {"counts": counts_to_string(runs), "size": [int(height), int(width)]}


def decode(rle: Mapping[str, Any]) -> np.ndarray:
    """The (h, w) uint8 mask (0/1) of an RLE with compressed or uncompressed counts; RleError if inconsistent."""
    height, width = _size(rle)
    counts = _counts(rle)
    check_counts(counts, height, width)
    values = np.zeros(len(counts), dtype=np.uint8)
    values[1::2] = 1
    flat = np.repeat(values, counts)
    return flat.reshape((height, width), order="F")


def area(rle: Mapping[str, Any]) -> int:
    """Number of set pixels."""
    return int(sum(_counts(rle)[1::2]))


def bounding_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x, y, w, h) of the set pixels of a mask, or None when none is set."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not rows.size:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)


def paste(rle: Mapping[str, Any], *, x: int, y: int, height: int, width: int) -> dict[str, Any]:
    """The RLE over a height × width image of a cropped mask placed with its top-left pixel at (x, y).

    Works from the crop's runs without building the full image (a slide-sized frame would not fit in memory);
    the parts of the crop falling outside the image are dropped.
    """
    crop = decode(rle).astype(bool)
    top, left = max(0, -y), max(0, -x)
    crop = crop[top : max(top, height - y), left : max(left, width - x)]
    y, x = y + top, x + left
    rows, cols = crop.shape
    # Each crop column, followed by one separator zero, flattened column-major: runs never cross columns.
    padded = np.zeros((rows + 1, cols), dtype=np.int8)
    padded[:rows] = crop
    flat = padded.ravel(order="F")
    steps = np.diff(np.concatenate(([0], flat)))
    starts, ends = np.flatnonzero(steps == 1), np.flatnonzero(steps == -1)

    def full_index(padded_index: np.ndarray) -> np.ndarray:
        column, row = np.divmod(padded_index, rows + 1)
        return (x + column) * height + y + row

    starts, ends = full_index(starts), full_index(ends)
    if starts.size > 1:  # a box spanning the full height: a run at one column's foot continues at the next's head
        keep = np.concatenate(([True], starts[1:] != ends[:-1]))
        starts, ends = starts[keep], ends[np.concatenate((keep[1:], [True]))]
    zeros = starts - np.concatenate(([0], ends[:-1]))
    counts = np.empty(2 * starts.size + 1, dtype=np.int64)
    counts[0:-1:2], counts[1::2] = zeros, ends - starts
    counts[-1] = height * width - (int(ends[-1]) if ends.size else 0)
    runs = counts.tolist()
    if len(runs) > 1 and runs[-1] == 0:
        runs.pop()  # the mask reaches the last pixel: COCO writes no empty closing run
    return {"counts": counts_to_string(runs), "size": [int(height), int(width)]}
