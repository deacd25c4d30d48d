"""Resumable uploads: open one, append chunks at the agreed offset, complete (verify, ingest), abort, reap."""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from annotator.core.errors import Conflict, Gone, TooLarge, ValidationFailed
from annotator.core.storage import remove_part, upload_part
from annotator.imaging import ingest
from annotator.projects.models import Project
from annotator.uploads.models import Upload, UploadStatus

CHUNK = 1024 * 1024
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


part_path = upload_part  # where an upload's received bytes are kept


def upload_open(
    *, project: Project, user: AbstractBaseUser, filename: str, size: int, sha256: str = "", site: str = ""
) -> Upload:
    """Reserve room for a file of a declared size; refuse it before any byte arrives if it cannot fit."""
    if size <= 0:
        raise ValidationFailed("The declared size must be a positive number of bytes.", errors={"size": ["positive"]})
    if size > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
        raise TooLarge(f"The file is {size} bytes, above the limit of {settings.ANNOTATOR_MAX_UPLOAD_BYTES}.")
    problem = ingest.name_problem(filename)
    if problem is not None:
        detail, code = problem
        raise ValidationFailed(f"The file name cannot be used: {detail}.", code=code, errors={"filename": [detail]})
    sha256 = sha256.lower()
    if sha256 and not SHA256_RE.match(sha256):
        raise ValidationFailed("sha256 must be 64 hexadecimal digits.", errors={"sha256": ["not a SHA-256"]})
    reserved = upload_reserved_bytes(user=user)
    if reserved + size > settings.ANNOTATOR_UPLOAD_QUOTA_BYTES:
        raise TooLarge(
            f"You have {reserved} bytes of unfinished uploads; this file would pass your quota of "
            f"{settings.ANNOTATOR_UPLOAD_QUOTA_BYTES}. Complete or abort some first.",
        )
    folder = Path(settings.ANNOTATOR_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.disk_usage(folder).free < size * 2:  # the bytes, and room to ingest them
        raise TooLarge("The server does not have room for this file right now; try again later.")
    upload = Upload.objects.create(
        project=project,
        user=user,
        filename=ingest.clean_name(filename),
        size=size,
        sha256=sha256,
        site=site[:100],
        expires_at=timezone.now() + timedelta(hours=settings.ANNOTATOR_UPLOAD_TTL_HOURS),
    )
    part_path(upload.pk).write_bytes(b"")  # fresh, even if an old file of a reused id lingers
    return upload


def upload_reserved_bytes(*, user: AbstractBaseUser) -> int:
    """What counts against a user's quota: the declared size of each open upload (its bytes may still come)
    plus the bytes on disk of any other upload of theirs whose file is still there."""
    reserved = Upload.objects.filter(user=user, status=UploadStatus.OPEN).aggregate(n=Sum("size"))["n"] or 0
    closed = Upload.objects.filter(user=user).exclude(status=UploadStatus.OPEN).values_list("pk", flat=True)
    for upload_id in closed.iterator():
        try:
            reserved += upload_part(upload_id).stat().st_size
        except FileNotFoundError:
            continue
    return reserved


def _usable(upload: Upload) -> None:
    if upload.status != UploadStatus.OPEN:
        raise Gone(f"This upload is {upload.status}; start a new one.")
    if upload.expires_at <= timezone.now():
        raise Gone("This upload expired; start a new one.")


def upload_append(*, upload_id: int, offset: int, length: int | None, stream: IO[bytes]) -> Upload:
    """Write a chunk at offset (which must equal the bytes received so far); return the updated upload."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload_id)
        _usable(upload)
        if offset != upload.offset:
            raise Conflict(
                f"The upload has {upload.offset} bytes; send the chunk that starts there (you sent {offset}).",
                code="offset_mismatch",
                extra={"offset": upload.offset},
            )
        if length is None:
            raise ValidationFailed("Send Content-Length with each chunk.", errors={"Content-Length": ["required"]})
        if length > settings.ANNOTATOR_UPLOAD_CHUNK_BYTES:
            raise TooLarge(f"A chunk may hold at most {settings.ANNOTATOR_UPLOAD_CHUNK_BYTES} bytes.")
        if upload.offset + length > upload.size:
            raise TooLarge(f"The chunk goes past the declared size of {upload.size} bytes.")
        written = _write_at(part_path(upload.pk), upload.offset, stream, length)
        if written != length:
            raise ValidationFailed(
                f"The chunk ended after {written} of its {length} bytes; send it again from offset {upload.offset}.",
                code="short_chunk",
            )
        Upload.objects.filter(pk=upload.pk).update(offset=F("offset") + written, updated_at=timezone.now())
        upload.refresh_from_db()
    return upload


def _write_at(path: Path, offset: int, stream: IO[bytes], length: int) -> int:
    written = 0
    with path.open("r+b") as out:
        out.seek(offset)
        while written < length:
            chunk = stream.read(min(CHUNK, length - written))
            if not chunk:
                break
            out.write(chunk)
            written += len(chunk)
        out.truncate(offset + written)  # a dropped connection leaves no stray bytes past the offset
    return written


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def upload_complete(*, upload_id: int) -> ingest.UploadResult:
    """Check the bytes are all there (and match the checksum), then ingest them like a multipart upload."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload_id)
        _usable(upload)
        if upload.offset != upload.size:
            raise Conflict(
                f"Only {upload.offset} of {upload.size} bytes have arrived.",
                code="incomplete",
                extra={"offset": upload.offset},
            )
        path = part_path(upload.pk)
        if upload.sha256 and _digest(path) != upload.sha256:
            _finish(upload, UploadStatus.FAILED, error="The received bytes do not match the declared SHA-256.")
            mismatch = True
        else:
            mismatch = False
            result = ingest.UploadResult()
            with ingest.workspace() as work:
                files = ingest.expand([ingest.Incoming(upload.filename, path)], work, result)
                ingest.ingest(project=upload.project, user=upload.user, files=files, site=upload.site, result=result)
            _finish(
                upload,
                UploadStatus.COMPLETE,
                result={
                    "images": [image.pk for image in result.images],
                    "rejected": result.rejected,
                },
            )
    if mismatch:  # raised after the commit, so the upload stays marked failed
        raise ValidationFailed(
            "The received bytes do not match the declared SHA-256; the upload was discarded.",
            code="checksum_mismatch",
            errors={"sha256": ["mismatch"]},
        )
    return result


def _finish(upload: Upload, status: str, *, error: str = "", result: dict | None = None) -> None:
    upload.status, upload.error, upload.result = status, error, result
    upload.save(update_fields=["status", "error", "result", "updated_at"])
    path = part_path(upload.pk)
    transaction.on_commit(lambda: remove_part(path))


def upload_abort(*, upload_id: int) -> None:
    """Stop an upload and delete its bytes."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload_id)
        if upload.status == UploadStatus.OPEN:
            _finish(upload, UploadStatus.ABORTED)


def uploads_reap() -> int:
    """Abort expired open uploads and delete their bytes; return how many."""
    expired = list(
        Upload.objects.filter(status=UploadStatus.OPEN, expires_at__lte=timezone.now()).values_list("pk", flat=True)
    )
    for upload_id in expired:
        upload_abort(upload_id=upload_id)
    return len(expired)
