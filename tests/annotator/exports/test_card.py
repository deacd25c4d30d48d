"""The dataset card: per-split counts and cohort from metadata, no identifiers, user text escaped in Markdown."""

from __future__ import annotations

from annotator.exports.cohort import image_facts, splits_summary
from annotator.exports.package import dataset_card, md

from .builders import LESION, ORGAN, ann, image, project

CT = {"modality": "CT", "manufacturer": "ACME [beta]", "patient_sex": "F", "age_band": "40-44", "slice_thickness": 2.5}


def _snap():
    return project(
        image(1, ann(LESION, {"x": 1, "y": 1, "w": 2, "h": 2}, author_id=7), metadata={**CT, "study_uid": "1.2.3"}),
        image(2, ann(ORGAN, {"points": [[0, 0], [3, 0], [1, 2]]}, author_id=8), metadata={**CT, "slice_thickness": 1}),
        image(3, frames=4, metadata={"modality": "MR"}, site="south", workflow_state="submitted", patient_ref="p1"),
    )


def _summary(snap, splits):
    return splits_summary(snap, splits, [image_facts(i) for i in snap.images])


def test_summary_per_split_counts_and_cohort() -> None:
    summary = _summary(_snap(), {1: "train", 2: "train", 3: "test"})
    train, test = summary["train"], summary["test"]
    assert (train["images"], train["frames"], train["patients"], train["annotators"]) == (2, 2, 2, 2)
    assert train["annotations_by_label"] == {"Lesion": 1, "Organ": 1} and train["review_states"] == {"accepted": 2}
    assert train["cohort"]["manufacturer"] == {"ACME [beta]": 2} and train["cohort"]["sex"] == {"F": 2}
    assert train["cohort"]["slice_thickness_mm"] == {"min": 1.0, "max": 2.5}
    assert test["frames"] == 4 and test["cohort"]["site"] == {"south": 1} and test["cohort"]["sex"] == {"unknown": 1}
    assert test["cohort"]["slice_thickness_mm"] is None and test["review_states"] == {"submitted": 1}
    assert "1.2.3" not in str(summary)  # identifiers (UIDs, patient refs, ids of annotators) stay out
    assert "p1" not in str(summary)


def test_readme_escapes_user_text() -> None:
    snap = _snap()
    card = {
        "format": "coco",
        "project": {"name": "Lungs *v2* | [site](http://x)", "description": "# Not a heading\n<script>x</script>"},
        "data_changed_at": "2025-01-01T00:00:00+00:00",
        "software": {"version": "1"},
        "counts": {"images": 3, "annotations": 2},
        "options": {"split": {"holdout": ["a`b"]}},
        "labels": [{"id": 1, "name": "_under_ | pipe", "kind": "bbox"}],
        "splits": _summary(snap, {1: "train", 2: "train", 3: "test"}),
    }
    text = dataset_card(card)
    assert text.startswith("# Lungs \\*v2\\* \\| \\[site\\]\\(http\\:")
    assert "\n\\# Not a heading\n\\<script\\>x\\</script\\>" in text
    assert "| 1 | \\_under\\_ \\| pipe | bbox |" in text
    assert "|  | train | test |" in text and "| manufacturer | ACME \\[beta\\]: 2 | unknown: 1 |" in text
    assert "| slice thickness (mm) | 1–2.5 | — |" in text and "| age band | 40\\-44: 2 | unknown: 1 |" in text
    assert "a`b" not in text
    assert md("a\nb|c") == "a b\\|c"
