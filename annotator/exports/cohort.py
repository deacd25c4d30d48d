"""Per-split facts for the dataset card: counts, labels, annotators, review states and a cohort table drawn
from stored metadata (modality, manufacturer, site, sex, age band, slice thickness) — never an identifier."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from annotator.exports.snapshot import ImageSnap, ProjectSnap
from annotator.exports.splits import SPLIT_NAMES

UNKNOWN = "unknown"
# Cohort column -> where its value lives (image metadata key, or the image's site).
COHORT_FIELDS = {
    "modality": "modality",
    "manufacturer": "manufacturer",
    "site": None,
    "sex": "patient_sex",
    "age_band": "age_band",
}


def _value(image: ImageSnap, key: str | None) -> str:
    raw = image.site if key is None else image.metadata.get(key)
    text = str(raw).strip() if raw not in (None, "") else ""
    return text or UNKNOWN


def _thickness(images: list[ImageSnap]) -> dict[str, float] | None:
    values = []
    for image in images:
        try:
            value = float(image.metadata.get("slice_thickness") or 0)
        except (TypeError, ValueError):
            continue
        if value > 0:
            values.append(value)
    return {"min": min(values), "max": max(values)} if values else None


@dataclass(frozen=True)
class ImageFacts:
    """What the card needs of one image's annotations (kept instead of the annotations themselves)."""

    labels: dict[int, int]  # label id -> annotations
    authors: frozenset[int]


def image_facts(image: ImageSnap) -> ImageFacts:
    return ImageFacts(
        labels=dict(Counter(ann.label_id for ann in image.annotations)),
        authors=frozenset(ann.author_id for ann in image.annotations if ann.author_id is not None),
    )


def split_summary(images: list[ImageSnap], facts: Mapping[int, ImageFacts], label_names: Mapping[int, str]) -> dict:
    """The facts of one split's images."""
    by_label: Counter[str] = Counter()
    authors: set[int] = set()
    for image in images:
        fact = facts[image.id]
        for label_id, n in fact.labels.items():
            by_label[label_names.get(label_id, str(label_id))] += n
        authors |= fact.authors
    cohort: dict[str, Any] = {
        column: dict(sorted(Counter(_value(i, key) for i in images).items())) for column, key in COHORT_FIELDS.items()
    }
    cohort["slice_thickness_mm"] = _thickness(images)
    return {
        "images": len(images),
        "frames": sum(max(i.frames, 1) for i in images),
        "patients": len({i.patient_ref or f"image-{i.id}" for i in images}),
        "annotations": sum(by_label.values()),
        "annotations_by_label": dict(sorted(by_label.items())),
        "annotators": len(authors),
        "review_states": dict(sorted(Counter(i.workflow_state for i in images).items())),
        "cohort": cohort,
    }


def splits_summary(
    snap: ProjectSnap, splits: Mapping[int, str], images: Iterable[ImageSnap], facts: Mapping[int, ImageFacts]
) -> dict[str, dict[str, Any]]:
    """split name -> its facts: train, val, test, then any other (default) split. images: the snapshot's images
    (their annotations unused: facts holds what is needed of them)."""
    names = {label.id: label.name for label in snap.labels}
    members: dict[str, list[ImageSnap]] = {}
    for image in images:
        members.setdefault(splits.get(image.id, "default"), []).append(image)
    order = {name: n for n, name in enumerate(SPLIT_NAMES)}
    ordered = sorted(members.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    return {split: split_summary(group, facts, names) for split, group in ordered}
