"""The object store against a live SeaweedFS: publish, fetch, ranged reads, presigned URLs, delete."""

from __future__ import annotations

import io
import urllib.request
from pathlib import Path

import pytest

from annotator.core.storage import StoreError, image_dir, store, working_root

pytestmark = pytest.mark.s3


def test_a_folder_round_trips_through_the_bucket(object_store, tmp_path, settings) -> None:
    folder = image_dir(901)
    (folder / "series").mkdir(parents=True)
    (folder / "series" / "00000.dcm").write_bytes(b"slice zero")
    (folder / "series" / "00001.dcm").write_bytes(b"slice one")
    (folder / "thumbnail.jpg").write_bytes(bytes(range(256)) * 4)
    files = store()
    files.publish(folder)
    assert sorted(object_store.keys("images/901/")) == [
        "images/901/series/00000.dcm",
        "images/901/series/00001.dcm",
        "images/901/thumbnail.jpg",
    ]
    files.release(folder)
    assert not folder.exists()

    assert files.exists(folder / "series") and files.exists(folder / "thumbnail.jpg")
    assert not files.exists(folder / "missing.png")
    assert files.size(folder / "thumbnail.jpg") == 1024
    assert files.read_range(folder / "thumbnail.jpg", 250, 10) == bytes([250, 251, 252, 253, 254, 255, 0, 1, 2, 3])
    assert files.read_range(folder / "thumbnail.jpg", 1020, 100) == bytes([252, 253, 254, 255])  # short at the end
    assert b"".join(files.iter_chunks(folder / "thumbnail.jpg", chunk_size=100)) == bytes(range(256)) * 4

    # Another process's scratch: fetching brings the whole folder, once.
    settings.SCRATCH_DIR = tmp_path / "other-scratch"
    other = store()
    assert other is not files and working_root() == tmp_path / "other-scratch"
    fetched = other.fetch(image_dir(901) / "series")
    assert sorted(p.name for p in fetched.iterdir() if not p.name.startswith(".")) == ["00000.dcm", "00001.dcm"]
    assert (fetched / "00001.dcm").read_bytes() == b"slice one"
    assert other.fetch(image_dir(901) / "thumbnail.jpg").read_bytes()[:3] == bytes([0, 1, 2])


def test_presigned_urls_serve_the_object_and_expire_in_the_signature(object_store) -> None:
    path = image_dir(902) / "thumbnail.jpg"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xd8 a jpeg")
    store().publish(path)
    url = store().url(path, expires=60, content_type="image/jpeg", filename="t.jpg")
    assert url is not None and "X-Amz-Expires=60" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as answer:  # loopback SeaweedFS
        assert answer.read() == b"\xff\xd8 a jpeg"
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert 'filename="t.jpg"' in answer.headers["Content-Disposition"]


def test_delete_removes_every_key_below_a_folder_and_nothing_beside_it(object_store) -> None:
    for image_id in (903, 9030):
        folder = image_dir(image_id)
        folder.mkdir(parents=True)
        for n in range(3):
            (folder / f"f{n}.bin").write_bytes(b"x" * n)
        store().publish(folder)
    store().delete(image_dir(903))
    assert object_store.keys("images/903/") == []
    assert len(object_store.keys("images/9030/")) == 3  # a longer id with the same digits is untouched
    with pytest.raises(StoreError, match="missing"):
        store().size(image_dir(903) / "f1.bin")


def test_keys_come_from_the_working_root_only(object_store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not inside the working root"):
        store().publish(tmp_path / "elsewhere.txt")
    with pytest.raises(ValueError, match="not inside the working root"):
        store().delete(image_dir(1) / ".." / ".." / ".." / "etc")


def test_storage_check_creates_a_missing_bucket_and_round_trips_a_probe(object_store, settings) -> None:
    from django.core.management import call_command

    settings.AWS_STORAGE_BUCKET_NAME = object_store.bucket + "-new"
    out = io.StringIO()
    call_command("storage_check", "--create", stdout=out)
    assert f"storage ok: s3 (bucket {object_store.bucket}-new)" in out.getvalue()
    buckets = {b["Name"] for b in object_store.client().list_buckets()["Buckets"]}
    assert object_store.bucket + "-new" in buckets


def test_the_sweep_removes_orphans_from_the_bucket_only(object_store, db) -> None:
    from annotator.core.sweep import files_sweep

    orphan = image_dir(987654) / "thumbnail.jpg"  # no image has this id
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left behind by a crash")
    store().publish(orphan)
    assert files_sweep(min_age=3600)["folders"] == 0  # too new: its row may still be committing
    assert object_store.keys("images/987654/")
    counts = files_sweep(min_age=0)
    assert counts["folders"] >= 1 and object_store.keys("images/987654/") == []
