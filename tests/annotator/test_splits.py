"""Patient-level splits: seeded, complete, and never splitting one patient across sets."""

import pytest

from annotator.core.errors import ValidationFailed
from annotator.exports.splits import assign_splits, validate_split


def test_every_group_lands_in_exactly_one_split_with_the_requested_sizes() -> None:
    groups = [f"p{i}" for i in range(20)]
    result = assign_splits(groups, {"train": 0.7, "val": 0.15, "test": 0.15}, seed=0)
    assert set(result) == set(groups)
    counts = {name: list(result.values()).count(name) for name in ("train", "val", "test")}
    assert counts == {"train": 14, "val": 3, "test": 3}


def test_same_seed_same_split_other_seed_other_split() -> None:
    groups = [f"p{i}" for i in range(50)]
    fractions = {"train": 0.5, "val": 0.25, "test": 0.25}
    assert assign_splits(groups, fractions, 1) == assign_splits(list(reversed(groups)), fractions, 1)
    assert assign_splits(groups, fractions, 1) != assign_splits(groups, fractions, 2)


def test_fractions_must_sum_to_one() -> None:
    with pytest.raises(ValidationFailed, match="add up to 1"):
        validate_split({"train": 0.5, "val": 0.2, "test": 0.2})
    with pytest.raises(ValidationFailed):
        validate_split({"train": 1.5, "val": -0.5, "test": 0})
