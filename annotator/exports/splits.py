"""Pure, seeded train/val/test assignment that keeps every patient's images in one split."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from annotator.core.errors import ValidationFailed

SPLIT_NAMES = ("train", "val", "test")


def validate_split(options: Mapping[str, object]) -> dict[str, float]:
    """Fractions named train/val/test, each 0..1, summing to 1."""
    fractions = {name: options.get(name, 0) for name in SPLIT_NAMES}
    for name, value in fractions.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValidationFailed(
                f"Split fraction {name!r} must be a number from 0 to 1.", errors={"options": [f"split.{name}"]}
            )
    if abs(sum(fractions.values()) - 1.0) > 1e-6:  # type: ignore[arg-type]
        raise ValidationFailed("Split fractions must add up to 1.", errors={"options": ["split"]})
    by = options.get("by", "patient")
    if by not in ("patient", "image", "site"):
        raise ValidationFailed("Split 'by' must be patient, image or site.", errors={"options": ["split.by"]})
    return {k: float(v) for k, v in fractions.items()}  # type: ignore[arg-type]


def assign_splits(groups: Sequence[str], fractions: Mapping[str, float], seed: int) -> dict[str, str]:
    """Map each distinct group to a split; shuffled by seed, filled in order by cumulative fraction."""
    distinct = sorted(set(groups))
    random.Random(seed).shuffle(distinct)
    total = len(distinct)
    result: dict[str, str] = {}
    start = 0
    for index, name in enumerate(SPLIT_NAMES):
        stop = total if index == len(SPLIT_NAMES) - 1 else start + round(fractions.get(name, 0.0) * total)
        for group in distinct[start:stop]:
            result[group] = name
        start = min(stop, total)
    return result
