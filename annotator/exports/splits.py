"""Pure, seeded train/val/test assignment (by patient, site or image; site hold-out; stratified by label;
cross-validation folds) that never puts one patient in two splits."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.errors import ValidationFailed

SPLIT_NAMES = ("train", "val", "test")
BY = ("patient", "site", "image")
SPLIT_KEYS = {*SPLIT_NAMES, "by", "holdout", "folds", "seed", "stratify"}
MAX_FOLDS = 50
MAX_HOLDOUT = 1000


def _fail(detail: str, where: str) -> ValidationFailed:
    return ValidationFailed(detail, errors={"options": [f"split.{where}" if where else "split"]})


def validate_split(options: Mapping[str, Any]) -> dict[str, Any]:
    """The split options checked and filled in: fractions named train/val/test (each 0..1, summing to 1), by,
    holdout (site names put whole into test), folds (k ≥ 2 or None), seed and stratify."""
    unknown = sorted(set(options) - SPLIT_KEYS)
    if unknown:
        raise _fail(f"Unknown split options: {', '.join(unknown)}.", unknown[0])
    fractions = {name: options.get(name, 0) for name in SPLIT_NAMES}
    for name, value in fractions.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise _fail(f"Split fraction {name!r} must be a number from 0 to 1.", name)
    if abs(sum(fractions.values()) - 1.0) > 1e-6:
        raise _fail("Split fractions must add up to 1.", "")
    by = options.get("by", "patient")
    if by not in BY:
        raise _fail("Split 'by' must be patient, site or image.", "by")
    holdout = options.get("holdout") or []
    if (
        not isinstance(holdout, list)
        or len(holdout) > MAX_HOLDOUT
        or not all(isinstance(s, str) and s.strip() for s in holdout)
    ):
        raise _fail("Split 'holdout' must be a list of site names.", "holdout")
    folds = options.get("folds")
    if folds is not None and (isinstance(folds, bool) or not isinstance(folds, int) or not 2 <= folds <= MAX_FOLDS):
        raise _fail(f"Split 'folds' must be a whole number from 2 to {MAX_FOLDS}.", "folds")
    seed = options.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise _fail("Split seed must be an integer.", "seed")
    stratify = options.get("stratify", True)
    if not isinstance(stratify, bool):
        raise _fail("Split 'stratify' must be true or false.", "stratify")
    return {
        **{k: float(v) for k, v in fractions.items()},
        "by": by,
        "holdout": sorted(set(holdout)),
        "folds": folds,
        "seed": seed,
        "stratify": stratify,
    }


@dataclass(frozen=True, slots=True)
class SplitItem:
    """What a split needs to know of one image."""

    image_id: int
    patient: str | None
    site: str
    stratum: str = ""  # e.g. the image's most frequent label; "" for none


@dataclass(frozen=True)
class SplitPlan:
    splits: dict[int, str]  # image id -> split name ("default" without a split)
    folds: dict[int, int] = field(default_factory=dict)  # image id -> fold (images outside test, with folds)
    notes: tuple[str, ...] = ()


class _Groups:
    """Union-find over unit keys: units that share a patient become one group."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _unit(item: SplitItem, by: str) -> str:
    if by == "site":
        return f"site:{item.site or 'unknown'}"
    if by == "image" or not item.patient:
        return f"image:{item.image_id}"
    return f"patient:{item.patient}"


def group_items(items: Sequence[SplitItem], by: str) -> dict[str, list[SplitItem]]:
    """Items grouped by unit (patient, site or image); except by image, units sharing a patient are merged so
    that no patient can reach two splits."""
    groups = _Groups()
    for item in items:
        unit = groups.find(_unit(item, by))
        if by != "image" and item.patient:
            groups.union(unit, f"patient:{item.patient}")
    result: dict[str, list[SplitItem]] = {}
    for item in items:
        result.setdefault(groups.find(_unit(item, by)), []).append(item)
    return result


def most_common(values: Iterable[Any]) -> Any:
    """The most frequent value (ties: the smallest), None when there is none."""
    tally = Counter(values)
    return min(tally.items(), key=lambda kv: (-kv[1], kv[0]))[0] if tally else None


def _stratum(members: Iterable[SplitItem]) -> str:
    return most_common(m.stratum for m in members if m.stratum) or ""


def assign_splits(
    groups: Sequence[str], fractions: Mapping[str, float], seed: int, strata: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map each distinct group to a split. Groups are shuffled by seed within each stratum, and each goes to the
    split furthest below its share of that stratum so far (ties: of all groups so far, then train, val, test):
    every split gets its fraction of every stratum to within one group."""
    strata = strata or {}
    distinct = sorted(set(groups))
    random.Random(seed).shuffle(distinct)
    by_stratum: dict[str, list[str]] = {}
    for group in distinct:
        by_stratum.setdefault(strata.get(group, ""), []).append(group)
    names = [name for name in SPLIT_NAMES if fractions.get(name, 0.0) > 0]
    overall = dict.fromkeys(names, 0)
    result: dict[str, str] = {}
    seen = 0
    for stratum in sorted(by_stratum):
        local = dict.fromkeys(names, 0)
        for k, group in enumerate(by_stratum[stratum], start=1):
            seen += 1

            def need(name: str, k: int = k, seen: int = seen, local: dict[str, int] = local) -> tuple[float, ...]:
                share = fractions[name]
                return (share * k - local[name], share * seen - overall[name], -SPLIT_NAMES.index(name))

            chosen = max(names, key=need)
            local[chosen] += 1
            overall[chosen] += 1
            result[group] = chosen
    return result


def assign_folds(groups: Sequence[str], k: int, seed: int, strata: Mapping[str, str] | None = None) -> dict[str, int]:
    """Map each distinct group to a fold 0..k-1: shuffled by seed, dealt round-robin stratum by stratum (so folds
    differ in size by at most one group and each holds its share of every stratum)."""
    strata = strata or {}
    distinct = sorted(set(groups))
    random.Random(seed).shuffle(distinct)
    ordered = sorted(distinct, key=lambda g: strata.get(g, ""))  # stable: shuffled order kept within a stratum
    return {group: index % k for index, group in enumerate(ordered)}


def plan_splits(items: Sequence[SplitItem], options: Mapping[str, Any] | None) -> SplitPlan:
    """The split (and fold) of every image under validated split options; None: every image in "default"."""
    if not options:
        return SplitPlan(splits={item.image_id: "default" for item in items})
    groups = group_items(items, options["by"])
    holdout = set(options.get("holdout") or ())
    held = {key for key, members in groups.items() if any(m.site in holdout for m in members)}
    strata = {key: _stratum(members) for key, members in groups.items()} if options.get("stratify", True) else {}
    rest = [key for key in groups if key not in held]
    chosen = assign_splits(rest, options, options["seed"], strata) | dict.fromkeys(held, "test")
    splits = {m.image_id: chosen[key] for key, members in groups.items() for m in members}
    notes = []
    pulled = sum(1 for key in held for m in groups[key] if m.site not in holdout)
    if pulled:
        notes.append(
            f"{pulled} image(s) from sites outside the hold-out went to test with their patient, who was also "
            "seen at a hold-out site (no patient is in two splits)."
        )
    missing = sorted(holdout - {item.site for item in items})
    if missing:
        notes.append(f"Hold-out sites without images: {', '.join(missing)}.")
    folds: dict[int, int] = {}
    if options.get("folds"):
        pool = [key for key in groups if chosen[key] != "test"]
        fold_of = assign_folds(pool, options["folds"], options["seed"], strata)
        folds = {m.image_id: fold_of[key] for key in pool for m in groups[key]}
        if len(pool) < options["folds"]:
            notes.append(
                f"Only {len(pool)} patient group(s) outside test for {options['folds']} folds: some are empty."
            )
    return SplitPlan(splits=splits, folds=folds, notes=tuple(notes))
