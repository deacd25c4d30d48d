"""nnU-Net v2 raw dataset: Dataset<NNN>_<name>/ with imagesTr/<case>_<channel>.nii.gz, labelsTr/<case>.nii.gz,
imagesTs/ for the test split, dataset.json and splits_final.json from our folds."""

from __future__ import annotations

import json
from typing import Any

from annotator.exports.formats.cases import Case, case_stats, folder_name, write_cases
from annotator.exports.formats.mask_png import legend
from annotator.exports.formats.nifti import nifti_bytes
from annotator.exports.registry import ExportContext, Output, register

FILE_ENDING = ".nii.gz"
TEST = "test"


def nnunet_dataset_json(
    *, name: str, description: str, channel_names: tuple[str, ...], labels: list[dict[str, Any]], training: int
) -> dict[str, Any]:
    """nnU-Net v2's dataset.json: channel_names by index, labels by name (background 0, then 1..n consecutive),
    numTraining and file_ending."""
    return {
        "channel_names": {str(n): channel for n, channel in enumerate(channel_names)},
        "labels": {row["name"] if row["value"] else "background": row["value"] for row in labels},
        "numTraining": training,
        "file_ending": FILE_ENDING,
        "name": name,
        "description": description,
        "reference": "Exported by Annotator",
    }


def splits_final(cases: dict[str, list[Case]], folds: int | None) -> list[dict[str, list[str]]] | None:
    """nnU-Net's splits_final.json: one {train, val} per fold (our patient-disjoint folds), or the val split as
    one fold; None when there is neither (nnU-Net then makes its own five folds)."""
    pool = sorted((c for split, group in cases.items() if split != TEST for c in group), key=lambda c: c.name)
    if folds:
        return [
            {"train": [c.name for c in pool if c.fold != k], "val": [c.name for c in pool if c.fold == k]}
            for k in range(folds)
        ]
    if "val" in cases:
        return [
            {"train": [c.name for c in pool if c.split != "val"], "val": [c.name for c in pool if c.split == "val"]}
        ]
    return None


@register("nnunet", "nnU-Net v2 raw dataset (NIfTI)", needs=("dicom_geometry",))
def write_nnunet(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write the nnU-Net raw dataset folder; return counts for the dataset card."""
    snap = ctx.snapshot
    root = folder_name(snap, "Dataset", 3)

    def write(case: Case) -> None:
        images, labels = ("imagesTs", "labelsTs") if case.split == TEST else ("imagesTr", "labelsTr")
        for number, channel in enumerate(case.channels):
            data = nifti_bytes(channel, case.geometry, template=case.template)
            out.write_bytes(f"{root}/{images}/{case.name}_{number:04d}{FILE_ENDING}", data)
        data = nifti_bytes(case.labels, case.geometry, template=case.template, intent="label")
        out.write_bytes(f"{root}/{labels}/{case.name}{FILE_ENDING}", data)

    made = write_cases(ctx, write)
    cases, rows = made["cases"], legend(list(snap.labels), made["index"])
    training = sum(len(group) for split, group in cases.items() if split != TEST)
    document = nnunet_dataset_json(
        name=snap.name,
        description=snap.description,
        channel_names=made["channel_names"],
        labels=rows,
        training=training,
    )
    out.write_bytes(f"{root}/dataset.json", json.dumps(document, indent=2, ensure_ascii=False).encode())
    folds = splits_final(cases, ctx.options.get("split", {}).get("folds") if ctx.options.get("split") else None)
    if folds is not None:
        out.write_bytes(f"{root}/splits_final.json", json.dumps(folds, indent=1).encode())
    notes = [
        f"`{root}/` is an nnU-Net v2 raw dataset: copy it into nnUNet_raw (rename it to pick another dataset id). "
        f"imagesTr/<case>_<channel>{FILE_ENDING} holds every case outside the test split, one file per channel "
        f"(channels {dict(enumerate(made['channel_names']))}); labelsTr/<case>{FILE_ENDING} its label volume; "
        "imagesTs/ (and labelsTs/, for evaluation) the test split. A case is `case_<image id>`.",
        "Labels are 0 background, then the box, polygon and mask labels in label order (dataset.json labels); "
        "voxels, affines and label rules are those of the nifti format (a 2-D picture is one slice).",
        "splits_final.json holds our patient-disjoint cross-validation folds (or the val split as one fold); "
        "nnU-Net uses it instead of drawing its own folds.",
    ]
    return {**case_stats(made, root=root, notes=notes, legend=rows), "training_cases": training}
