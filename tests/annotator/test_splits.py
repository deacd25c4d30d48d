"""Splits: seeded, complete, stratified, site hold-out and folds, and never one patient in two splits."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.errors import ValidationFailed
from annotator.exports.splits import SplitItem, assign_splits, plan_splits, validate_split


def test_every_group_lands_in_exactly_one_split_with_the_requested_sizes() -> None:
    groups = [f"p{i}" for i in range(20)]
    result = assign_splits(groups, {"train": 0.7, "val": 0.15, "test": 0.15}, seed=0)
    assert set(result) == set(groups)
    assert Counter(result.values()) == {"train": 14, "val": 3, "test": 3}


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
    for bad in ({"folds": 1}, {"folds": True}, {"holdout": "site-b"}, {"holdout": [""]}, {"by": "scanner"}, {"x": 1}):
        with pytest.raises(ValidationFailed):
            validate_split({"train": 1.0, **bad})


def test_stratified_every_label_reaches_every_split() -> None:
    # 10 rare-label patients among 90 common ones: a plain shuffle can leave val or test without the rare label.
    groups = [f"p{i}" for i in range(100)]
    strata = {g: ("rare" if i < 10 else "common") for i, g in enumerate(groups)}
    for seed in range(20):
        result = assign_splits(groups, {"train": 0.6, "val": 0.2, "test": 0.2}, seed, strata)
        rare = Counter(result[g] for g in groups[:10])
        assert rare == {"train": 6, "val": 2, "test": 2}, seed


items_strategy = st.lists(
    st.builds(
        SplitItem,
        image_id=st.integers(1, 10**6),
        patient=st.one_of(st.none(), st.sampled_from([f"p{i}" for i in range(12)])),
        site=st.sampled_from(["a", "b", "c", ""]),
        stratum=st.sampled_from(["", "label-1", "label-2"]),
    ),
    max_size=60,
    unique_by=lambda item: item.image_id,
)
options_strategy = st.fixed_dictionaries(
    {
        "by": st.sampled_from(["patient", "site"]),
        "holdout": st.lists(st.sampled_from(["a", "b", "zzz"]), max_size=2),
        "folds": st.one_of(st.none(), st.integers(2, 5)),
        "seed": st.integers(0, 1000),
        "train": st.sampled_from([0.6, 0.8, 1.0]),
    }
)


@settings(max_examples=300, deadline=None)
@given(items=items_strategy, raw=options_strategy)
def test_no_patient_is_ever_in_two_splits_or_two_folds(items, raw) -> None:
    rest = 1.0 - raw["train"]
    options = validate_split({**raw, "val": rest / 2, "test": rest / 2})
    plan = plan_splits(items, options)
    assert set(plan.splits) == {i.image_id for i in items}
    by_patient: dict[str, set[str]] = {}
    folds_of: dict[str, set[int | None]] = {}
    for item in items:
        if item.patient:
            by_patient.setdefault(item.patient, set()).add(plan.splits[item.image_id])
            folds_of.setdefault(item.patient, set()).add(plan.folds.get(item.image_id))
    assert all(len(s) == 1 for s in by_patient.values())
    assert all(len(f) == 1 for f in folds_of.values())
    for item in items:
        if item.site in options["holdout"]:
            assert plan.splits[item.image_id] == "test"  # every image of a hold-out site
        if options["folds"]:
            assert (item.image_id in plan.folds) == (plan.splits[item.image_id] != "test")
            assert plan.folds.get(item.image_id, 0) in range(options["folds"])
    if raw["train"] == 1.0:  # test: 0, so test holds the hold-out sites and only their patients
        held_patients = {i.patient for i in items if i.site in options["holdout"] and i.patient}
        for item in items:
            if plan.splits[item.image_id] == "test":
                assert item.site in options["holdout"] or item.patient in held_patients or options["by"] == "site"


def test_site_holdout_puts_exactly_those_sites_in_test() -> None:
    items = [SplitItem(image_id=n, patient=f"p{n // 2}", site="site-b" if n >= 14 else "site-a") for n in range(20)]
    options = validate_split({"train": 0.8, "val": 0.2, "test": 0, "holdout": ["site-b"], "folds": 3})
    plan = plan_splits(items, options)
    assert {n for n, s in plan.splits.items() if s == "test"} == set(range(14, 20))
    assert Counter(plan.splits.values()) == {"train": 12, "val": 2, "test": 6}  # 6 and 1 of the 7 other patients
    assert sorted(Counter(plan.folds.values()).values()) == [4, 4, 6]  # 7 patients outside test in 3 folds
    assert not plan.notes


def test_patient_seen_at_a_holdout_site_goes_to_test_whole_with_a_note() -> None:
    items = [SplitItem(1, "p1", "site-a"), SplitItem(2, "p1", "site-b"), SplitItem(3, "p2", "site-a")]
    plan = plan_splits(items, validate_split({"train": 1.0, "holdout": ["site-b", "site-z"]}))
    assert plan.splits == {1: "test", 2: "test", 3: "train"}
    assert any("1 image(s)" in note for note in plan.notes) and any("site-z" in note for note in plan.notes)
