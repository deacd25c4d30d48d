"""Hostile uploads: corrupt zip entries and unusable file names are refused one by one, the rest goes on."""

from __future__ import annotations

import io
import struct
import zipfile

from annotator.core.storage import image_dir
from annotator.imaging.models import Image
from tests.conftest import png_bytes

BOUNDARY = "----hostile-names"


def corrupt_zip() -> bytes:
    """good.png, crc.png (one data byte flipped), short.png (central header understates its size),
    then later.png — plus entries with hostile names."""
    crc_data, short_data = png_bytes(30, 20), png_bytes(40, 20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("good.png", png_bytes(20, 20))
        archive.writestr("crc.png", crc_data)  # stored, so its bytes appear verbatim in the archive
        archive.writestr(zipfile.ZipInfo("short.png"), short_data, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("x" * 1000 + ".png", png_bytes(10, 10))
        archive.writestr("..", b"dots")
        archive.writestr("sub/.DS_Store", b"finder")
        archive.writestr("later.png", png_bytes(20, 30))
    raw = bytearray(buffer.getvalue())
    at = raw.index(crc_data) + len(crc_data) // 2
    raw[at] ^= 0xFF
    central = raw.index(b"PK\x01\x02")  # the first central directory record
    while True:  # find short.png's central directory record and shrink its uncompressed size
        name_length = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_length] == b"short.png":
            struct.pack_into("<I", raw, central + 24, 100)
            break
        extra, comment = struct.unpack_from("<HH", raw, central + 30)
        central += 46 + name_length + extra + comment
    return bytes(raw)


def test_corrupt_entries_are_refused_one_by_one(project, owner, client_for) -> None:
    answer = client_for(owner).post(
        f"/api/v1/projects/{project.pk}/images/",
        {"file": [_named("batch.zip", corrupt_zip())]},
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert sorted(i["name"] for i in body["images"]) == ["good.png", "later.png"]
    codes = {r["filename"][:40]: r["code"] for r in body["rejected"]}
    assert codes == {
        "batch.zip/crc.png": "corrupt_entry",
        "batch.zip/short.png": "corrupt_entry",
        "batch.zip/" + "x" * 30: "bad_filename",
        "batch.zip/..": "unsafe_path",
        "batch.zip/sub/.DS_Store": "hidden_file",
    }
    assert all(r["detail"] for r in body["rejected"])
    assert "checksum" in next(r["detail"] for r in body["rejected"] if r["filename"].endswith("crc.png"))
    assert sorted(p.name for p in image_dir(body["images"][0]["id"]).iterdir()) == ["original.png"]
    assert Image.objects.filter(project=project).count() == 2


def _named(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/zip")


def _multipart(files: list[tuple[str, bytes]]) -> bytes:
    out = b""
    for name, data in files:
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'.encode()
        out += b"Content-Type: image/png\r\n\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def test_unusable_file_names_get_a_reason_and_the_rest_goes_on(project, owner, client_for) -> None:
    # filename="" is what a browser sends for a file input left empty; Django skips that part as intended.
    names = ["  ", "..", ".", "a" * 1000 + ".png", "\x07", "good.png"]
    answer = client_for(owner).generic(
        "POST",
        f"/api/v1/projects/{project.pk}/images/",
        _multipart([(name, png_bytes(12, 12)) for name in names]),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert [i["name"] for i in body["images"]] == ["good.png"]
    rejected = body["rejected"]
    assert [r["code"] for r in rejected] == ["bad_filename"] * 5
    assert [r["filename"][:4] for r in rejected] == ["(no ", "..", ".", "aaaa", "(no "]
    assert "1004 characters" in rejected[3]["detail"]
    assert Image.objects.filter(project=project).count() == 1


def test_only_unusable_names_is_still_an_answer(project, owner, client_for) -> None:
    answer = client_for(owner).generic(
        "POST",
        f"/api/v1/projects/{project.pk}/images/",
        _multipart([("..", png_bytes(12, 12))]),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["images"] == [] and answer.json()["rejected"][0]["code"] == "bad_filename"


def test_resumable_upload_with_an_unusable_name_is_refused_with_the_reason(project, owner, client_for) -> None:
    answer = client_for(owner).post(
        f"/api/v1/projects/{project.pk}/uploads/", {"filename": "..", "size": 10}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "bad_filename" and "filename" in answer.json()["errors"]
