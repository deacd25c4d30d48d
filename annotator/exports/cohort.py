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


def _thickness_of(image: ImageSnap) -> float | None:
    try:
        value = float(image.metadata.get("slice_thickness") or 0)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What the card needs of one image and its annotations, kept instead of them (a few hundred bytes: the
    values many images share are held once, see Shared)."""

    id: int
    name: str
    patient_ref: str | None
    site: str
    frames: int
    workflow_state: str
    cohort: tuple[str, ...]  # the COHORT_FIELDS values, in that order
    thickness: float | None
    labels: tuple[tuple[int, int], ...]  # (label id, annotations), by label id
    authors: frozenset[int]


class Shared:
    """One copy of each equal value (patients, sites, cohort rows, label tallies) across a project's images."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        return self._values.setdefault((type(value), value), value)  # by type too: 1 and 1.0 stay apart


def image_facts(image: ImageSnap, shared: Shared | None = None) -> ImageFacts:
    one = shared or Shared()
    return ImageFacts(
        id=image.id,
        name=image.name,
        patient_ref=one(image.patient_ref),
        site=one(image.site),
        frames=image.frames,
        workflow_state=one(image.workflow_state),
        cohort=one(tuple(one(_value(image, key)) for key in COHORT_FIELDS.values())),
        thickness=_thickness_of(image),
        labels=one(tuple(sorted(Counter(ann.label_id for ann in image.annotations).items()))),
        authors=one(frozenset(ann.author_id for ann in image.annotations if ann.author_id is not None)),
    )


def split_summary(images: list[ImageFacts], label_names: Mapping[int, str]) -> dict:
    """The facts of one split's images."""
    by_label: Counter[str] = Counter()
    authors: set[int] = set()
    for fact in images:
        for label_id, n in fact.labels:
            by_label[label_names.get(label_id, str(label_id))] += n
        authors |= fact.authors
    cohort: dict[str, Any] = {
        column: dict(sorted(Counter(i.cohort[n] for i in images).items())) for n, column in enumerate(COHORT_FIELDS)
    }
    thickness = [i.thickness for i in images if i.thickness is not None]
    cohort["slice_thickness_mm"] = {"min": min(thickness), "max": max(thickness)} if thickness else None
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
    snap: ProjectSnap, splits: Mapping[int, str], facts: Iterable[ImageFacts]
) -> dict[str, dict[str, Any]]:
    """split name -> its facts: train, val, test, then any other (default) split; facts: of each image."""
    names = {label.id: label.name for label in snap.labels}
    members: dict[str, list[ImageFacts]] = {}
    for fact in facts:
        members.setdefault(splits.get(fact.id, "default"), []).append(fact)
    order = {name: n for n, name in enumerate(SPLIT_NAMES)}
    ordered = sorted(members.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    return {split: split_summary(group, names) for split, group in ordered}
