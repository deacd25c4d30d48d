"""nnU-Net and Decathlon layouts of 2-D pictures: RGB as three channels (nnU-Net) or a 4th axis (MSD), folds in
splits_final.json and in the datalist, labels on the pictures' grid."""

from __future__ import annotations

import gzip
import json

import nibabel
import numpy as np
from PIL import Image as PILImage

from tests.api.test_export_formats import decathlon_datalist, nnunet_rules

from .builders import LESION, ORGAN, ann, image, project, run


class _Zip:
    """The few zipfile methods the reader checks use, over the files a format wrote."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def namelist(self) -> list[str]:
        return list(self.files)

    def read(self, name: str) -> bytes:
        return self.files[name]


def _pictures(tmp_path, count: int):
    images = []
    for n in range(1, count + 1):
        folder = tmp_path / str(n)
        folder.mkdir()
        pixels = np.zeros((30, 40, 3), dtype=np.uint8)
        pixels[:, :, 0] = n
        PILImage.fromarray(pixels).save(folder / "original.png")
        box = ann(LESION, {"x": n, "y": 2, "w": 4, "h": 3})
        images.append(image(n, box, folder=str(folder), patient_ref=f"p{n}"))
    return images


def test_nnunet_pictures_with_folds(tmp_path) -> None:
    images = _pictures(tmp_path, 4)
    splits = {1: "train", 2: "train", 3: "train", 4: "test"}
    folds = {1: 0, 2: 1, 3: 0}
    snap = project(*images, labels=(LESION, ORGAN))
    out, stats = run("nnunet", snap, splits=splits, folds=folds, split={"folds": 2})
    root = stats["details"]["folder"]
    archive = _Zip(out.files)
    meta = nnunet_rules(archive, root)
    assert meta["channel_names"] == {"0": "R", "1": "G", "2": "B"} and meta["numTraining"] == 3
    assert json.loads(out.files[f"{root}/splits_final.json"]) == [
        {"train": ["case_000002"], "val": ["case_000001", "case_000003"]},
        {"train": ["case_000001", "case_000003"], "val": ["case_000002"]},
    ]
    red = nibabel.Nifti1Image.from_bytes(gzip.decompress(out.files[f"{root}/imagesTr/case_000003_0000.nii.gz"]))
    assert red.shape == (40, 30, 1) and int(np.asarray(red.dataobj).max()) == 3
    label = nibabel.Nifti1Image.from_bytes(gzip.decompress(out.files[f"{root}/labelsTr/case_000003.nii.gz"]))
    assert np.asarray(label.dataobj)[3:7, 2:5, 0].all() and np.asarray(label.dataobj).sum() == 12
    assert f"{root}/imagesTs/case_000004_0000.nii.gz" in out.files


def test_decathlon_pictures_with_folds(tmp_path) -> None:
    images = _pictures(tmp_path, 3)
    snap = project(*images, labels=(LESION,))
    out, stats = run("decathlon", snap, splits={1: "train", 2: "val", 3: "test"}, folds={1: 0, 2: 0})
    root = stats["details"]["folder"]
    archive = _Zip(out.files)
    training = decathlon_datalist(archive, root, "training")
    assert training == [
        {"image": f"{root}/imagesTr/case_000001.nii.gz", "label": f"{root}/labelsTr/case_000001.nii.gz", "fold": 0}
    ]
    assert [i["image"] for i in decathlon_datalist(archive, root, "validation")] == [
        f"{root}/imagesTr/case_000002.nii.gz"
    ]
    assert decathlon_datalist(archive, root, "test") == [{"image": f"{root}/imagesTs/case_000003.nii.gz"}]
    document = json.loads(out.files[f"{root}/dataset.json"])
    assert document["tensorImageSize"] == "4D" and document["modality"] == {"0": "R", "1": "G", "2": "B"}
    assert (document["numTraining"], document["numValidation"], document["numTest"]) == (1, 1, 1)
    picture = nibabel.Nifti1Image.from_bytes(gzip.decompress(out.files[f"{root}/imagesTr/case_000001.nii.gz"]))
    assert picture.shape == (40, 30, 1, 3)
