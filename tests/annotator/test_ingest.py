"""Ingest: zips (hostile ones too), DICOM series grouped into one image, files without pixels refused."""

from __future__ import annotations

import io
import os
import random
import stat
import zipfile
from pathlib import Path

import numpy as np
import pydicom
from django.core.files.uploadedfile import SimpleUploadedFile
from pydicom.encaps import encapsulate, generate_frames
from pydicom.uid import RLELossless, generate_uid

from annotator.core.storage import image_dir, media_root
from annotator.imaging.models import Image
from annotator.imaging.processing import image_process
from annotator.imaging.services import image_upload
from tests.annotator.dicom.factories import image as dicom_image
from tests.conftest import png_bytes


def _dicom_bytes(ds) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _upload(project, owner, *files: tuple[str, bytes]):
    return image_upload(project=project, user=owner, files=[SimpleUploadedFile(n, d) for n, d in files])


def test_zip_of_good_and_hostile_entries(project, owner, tmp_path) -> None:
    payload = _zip(
        {
            "scans/a.png": png_bytes(40, 30),
            "scans/b.png": png_bytes(50, 30),
            "../escape.png": png_bytes(10, 10),
            "/abs/path.png": png_bytes(10, 10),
            "inner.zip": _zip({"c.png": png_bytes(10, 10)}),
            "notes.txt": b"hello there, not an image",
            "__MACOSX/._a.png": b"resource fork",
        },
        symlink="scans/link.png",
    )
    result = _upload(project, owner, ("batch.zip", payload))
    assert sorted(i.name for i in result.images) == ["a.png", "b.png"]
    codes = {r["filename"]: r["code"] for r in result.rejected}
    assert codes == {
        "batch.zip/../escape.png": "unsafe_path",
        "batch.zip//abs/path.png": "unsafe_path",
        "batch.zip/scans/link.png": "unsafe_path",
        "batch.zip/inner.zip": "nested_archive",
        "batch.zip/notes.txt": "unsupported_format",
        "batch.zip/__MACOSX/._a.png": "hidden_file",
    }
    stored = {p.name for p in media_root().rglob("*")}
    assert "escape.png" not in stored and "path.png" not in stored
    assert not (Path(os.sep) / "abs").exists()


def test_zip_bomb_entry_is_refused_without_unpacking(project, owner) -> None:
    bomb = _zip({"zeros.png": b"\x89PNG\r\n\x1a\n" + bytes(40 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024
    result = _upload(project, owner, ("bomb.zip", bomb))
    assert result.images == []
    assert [r["code"] for r in result.rejected] == ["zip_bomb"]


def test_broken_zip_and_too_many_entries(project, owner, settings) -> None:
    settings.ANNOTATOR_ZIP_MAX_ENTRIES = 3
    many = _zip({f"{i}.png": png_bytes(8, 8) for i in range(5)})
    result = _upload(project, owner, ("many.zip", many), ("cut.zip", many[: len(many) // 2]))
    assert [r["code"] for r in result.rejected] == ["bad_archive", "bad_archive"]
    assert "above the limit of 3" in result.rejected[0]["detail"]


def _series(count: int, *, study: str | None = None) -> list:
    series_uid, study_uid = generate_uid(), study or generate_uid()
    slices = []
    for index in range(count):
        pixels = np.full((16, 16), index * 10, dtype=np.int16)
        ds = dicom_image(
            pixels,
            SeriesInstanceUID=series_uid,
            StudyInstanceUID=study_uid,
            Modality="CT",
            PatientName="Doe^Jane",
            PatientID="PID-778899",
            InstanceNumber=count - index,
            ImageOrientationPatient=[1, 0, 0, 0, 1, 0],
            ImagePositionPatient=[0, 0, float(index * 2.5)],
        )
        slices.append(ds)
    return slices


def test_files_of_one_series_become_one_image_in_slice_order(project, owner) -> None:
    slices = _series(5)
    shuffled = list(enumerate(slices))
    random.Random(3).shuffle(shuffled)
    files = [(f"IM{i:04d}", _dicom_bytes(ds)) for i, ds in shuffled]
    lone = _series(1)[0]
    result = _upload(project, owner, *files, ("lone.dcm", _dicom_bytes(lone)))
    assert not result.rejected
    assert len(result.images) == 2
    volume = next(i for i in result.images if i.frames == 5)
    assert volume.name.endswith("(+4 slices)") and volume.original_ext == "series"
    stored = sorted((image_dir(volume.pk) / "series").iterdir())
    positions = [float(pydicom.dcmread(p).ImagePositionPatient[2]) for p in stored]
    assert positions == [0.0, 2.5, 5.0, 7.5, 10.0]  # ascending along the normal, whatever the upload order
    for path in stored:
        assert b"PID-778899" not in path.read_bytes() and b"Doe^Jane" not in path.read_bytes()
    assert Image.objects.get(pk=volume.pk).metadata["patient_ref"]


def test_series_zip_and_bad_slice_rejects_the_series_with_its_reason(project, owner) -> None:
    slices = _series(3)
    good = {f"study/{i}.dcm": _dicom_bytes(ds) for i, ds in enumerate(slices)}
    assert len(_upload(project, owner, ("study.zip", _zip(good))).images) == 1
    broken = _series(3)
    broken[2].PixelData = broken[2].PixelData[:10]  # shorter than its header says
    files = [(f"s{i}.dcm", _dicom_bytes(ds)) for i, ds in enumerate(broken)]
    result = _upload(project, owner, *files)
    assert result.images == []
    assert [r["code"] for r in result.rejected] == ["truncated_pixels"] * 3  # the series fails as one
    assert "slice s2.dcm" in result.rejected[0]["detail"] and "shorter than" in result.rejected[0]["detail"]


def test_a_corrupt_compressed_slice_fails_the_series_at_processing_naming_it(project, owner) -> None:
    slices = _series(4)
    for ds in slices:
        ds.compress(RLELossless)
    frame = next(generate_frames(slices[2].PixelData, number_of_frames=1))
    slices[2].PixelData = encapsulate([frame[:70]])  # the RLE header promises segments the bytes do not hold
    result = _upload(project, owner, *[(f"s{i}.dcm", _dicom_bytes(ds)) for i, ds in enumerate(slices)])
    assert not result.rejected  # compressed pixels are only decoded on the worker
    image_process(image_id=result.images[0].pk)
    image = Image.objects.get(pk=result.images[0].pk)
    assert image.status == "failed"
    assert image.error.startswith("slice 3 of 4: the pixel data (RLE Lossless) cannot be decoded"), image.error


def test_dicom_without_pixels_is_refused(project, owner) -> None:
    ds = _series(1)[0]
    del ds.PixelData
    result = _upload(project, owner, ("report.dcm", _dicom_bytes(ds)))
    assert [r["code"] for r in result.rejected] == ["no_pixels"]


def test_ultrasound_without_burned_in_flag_is_marked_to_hold(project, owner) -> None:
    ds = _series(1)[0]
    ds.Modality = "US"
    result = _upload(project, owner, ("us.dcm", _dicom_bytes(ds)))
    assert "ultrasound" in result.images[0].metadata["hold_reason"]


def test_empty_upload_is_refused(project, owner) -> None:
    result = _upload(project, owner, ("empty.png", b""))
    assert result.rejected[0]["code"] == "empty_file"


def test_png_text_metadata_never_reaches_storage(project, owner) -> None:
    from PIL import Image as PILImage
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("PatientName", "Doe^Jane-7731")
    buffer = io.BytesIO()
    PILImage.new("RGB", (20, 10), (200, 10, 10)).save(buffer, format="PNG", pnginfo=info)
    result = _upload(project, owner, ("photo.png", buffer.getvalue()))
    assert not result.rejected
    stored = (image_dir(result.images[0].pk) / "original.png").read_bytes()
    assert b"Doe^Jane-7731" not in stored
    assert PILImage.open(io.BytesIO(stored)).size == (20, 10)
