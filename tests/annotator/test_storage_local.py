"""The local store (the embedded default): working folder and store are one folder under MEDIA_ROOT."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from annotator.core.storage import StoreError, image_dir, store


def test_local_store_reads_what_is_in_the_media_folder(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    path = image_dir(5) / "thumbnail.jpg"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"0123456789")
    files = store()
    assert not files.remote and files.fetch(path) == path
    files.publish(path)  # nothing to move
    assert files.exists(path) and files.exists(image_dir(5)) and not files.exists(image_dir(6))
    assert files.read_range(path, 3, 4) == b"3456" and files.size(path) == 10
    assert files.files_below(image_dir(5)) == [path]
    assert files.url(path, expires=60) is None
    files.delete(image_dir(5))
    assert not image_dir(5).exists()
    with pytest.raises(StoreError, match=r"images/5/thumbnail\.jpg is missing"):
        files.read(path)
    with pytest.raises(ValueError, match="not inside the working root"):
        files.delete(tmp_path)


def test_storage_check_passes_on_the_local_folder(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("storage_check", stdout=out)
    assert "storage ok: local" in out.getvalue()
    assert not list((tmp_path / "media" / "probe").iterdir())
