"""Medical Segmentation Decathlon layout: Task<NN>_<name>/ with imagesTr/, labelsTr/, imagesTs/ and a
dataset.json datalist (training, validation, test) that MONAI's load_decathlon_datalist reads."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from annotator.exports.formats.cases import Case, case_stats, folder_name, write_cases
from annotator.exports.formats.mask_png import legend
from annotator.exports.formats.nifti import nifti_bytes
from annotator.exports.registry import ExportContext, Output, register

TEST = "test"


def _paths(case: Case) -> tuple[str, str]:
    if case.split == TEST:
        return f"./imagesTs/{case.name}.nii.gz", f"./labelsTs/{case.name}.nii.gz"
    return f"./imagesTr/{case.name}.nii.gz", f"./labelsTr/{case.name}.nii.gz"


def datalist(
    *,
    name: str,
    description: str,
    channel_names: tuple[str, ...],
    labels: list[dict[str, Any]],
    cases: dict[str, list[Case]],
) -> dict[str, Any]:
    """The MSD dataset.json: modality and labels by index, training and validation as {image, label} (with the
    fold when there are folds), test as image paths; paths relative to this file."""

    def item(case: Case) -> dict[str, Any]:
        image, label = _paths(case)
        return {"image": image, "label": label, **({"fold": case.fold} if case.fold is not None else {})}

    ordered = {split: sorted(group, key=lambda c: c.name) for split, group in cases.items()}
    training = [item(c) for split, group in sorted(ordered.items()) if split not in ("val", TEST) for c in group]
    return {
        "name": name,
        "description": description,
        "reference": "Exported by Annotator",
        "licence": "",
        "release": "",
        "tensorImageSize": "4D" if len(channel_names) > 1 else "3D",
        "modality": {str(n): channel for n, channel in enumerate(channel_names)},
        "labels": {str(row["value"]): row["name"] for row in labels},
        "numTraining": len(training),
        "numValidation": len(ordered.get("val", [])),
        "numTest": len(ordered.get(TEST, [])),
        "training": training,
        "validation": [item(c) for c in ordered.get("val", [])],
        "test": [_paths(c)[0] for c in ordered.get(TEST, [])],
    }


@register("decathlon", "Medical Segmentation Decathlon layout (NIfTI + datalist)", needs=("dicom_geometry",))
def write_decathlon(ctx: ExportContext, out: Output) -> dict[str, Any]:
    """Write the MSD task folder; return counts for the dataset card."""
    snap = ctx.snapshot
    root = folder_name(snap, "Task", 2)

    def write(case: Case) -> None:
        image_path, label_path = _paths(case)
        channels = case.channels[0] if len(case.channels) == 1 else np.stack(case.channels, axis=3)
        out.write_bytes(f"{root}/{image_path[2:]}", nifti_bytes(channels, case.geometry, template=case.template))
        labels = nifti_bytes(case.labels, case.geometry, template=case.template, intent="label")
        out.write_bytes(f"{root}/{label_path[2:]}", labels)

    made = write_cases(ctx, write)
    cases, rows = made["cases"], legend(list(snap.labels), made["index"])
    document = datalist(
        name=snap.name, description=snap.description, channel_names=made["channel_names"], labels=rows, cases=cases
    )
    out.write_bytes(f"{root}/dataset.json", json.dumps(document, indent=2, ensure_ascii=False).encode())
    notes = [
        f"`{root}/` follows the Medical Segmentation Decathlon layout: imagesTr/ and labelsTr/ for the train (and "
        "val) splits, imagesTs/ for test (with labelsTs/ for evaluation), one NIfTI per case (`case_<image id>`; "
        "channels along a 4th axis when there are several).",
        f"`{root}/dataset.json` is the datalist: `training` and `validation` list {{image, label}} paths relative "
        "to it (with `fold` when the export has folds), `test` the test images; "
        "monai.data.load_decathlon_datalist(path, data_list_key='training') reads it.",
        "Labels are 0 background, then the box, polygon and mask labels in label order; voxels and affines are "
        "those of the nifti format.",
    ]
    return case_stats(made, root=root, notes=notes, legend=rows)
