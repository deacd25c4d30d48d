"""Turn uploaded files, and the files inside uploaded zips, into pending images; DICOM de-identified first."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from annotator.core.errors import RejectedFile
from annotator.core.outbox import outbox_enqueue
from annotator.core.storage import ensure_dir, image_dir, remove_tree, store
from annotator.imaging import archive, mirax
from annotator.imaging.dicom import read as dicom_read
from annotator.imaging.dicom.burned_in import burned_in_risk
from annotator.imaging.dicom.deidentify import deidentify, pseudonym
from annotator.imaging.dicom.series import group_series
from annotator.imaging.dicom.transfer import has_pixels
from annotator.imaging.dicom.wsi import WSI_DIR, is_tiled_slide, label_photo_reason, wsi_image_kind
from annotator.imaging.models import Image, ImageKind
from annotator.imaging.sniff import HEAD_BYTES, sniff
from annotator.imaging.strip import FORMATS, MalformedImage, strip_metadata
from annotator.projects.models import Project

SERIES_DIR = "series"
SERIES_EXT = "series"
PROCESS_TASK = "annotator.imaging.tasks.process_image"


@dataclass(frozen=True)
class Incoming:
    """One file to ingest: a display name and a private temporary copy we own (or an unpacked MIRAX slide)."""

    name: str
    path: Path
    mirax: mirax.Bundle | None = None


@dataclass
class UploadResult:
    images: list[Image] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)

    def reject(self, name: str, detail: str, code: str) -> None:
        self.rejected.append({"filename": name, "detail": detail, "code": code})


MAX_NAME = 255  # characters of a file's own name (Image.name's length)


def name_problem(raw: str | None) -> tuple[str, str] | None:
    """Why a client's file name cannot name an image, as (detail, code), or None when it can."""
    base = re.split(r"[\\/]", raw or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if not base:
        return "the file has no name; give it one and upload it again", "bad_filename"
    if base in {".", ".."}:
        return f"{base!r} is not a file name; rename the file and upload it again", "bad_filename"
    if len(base) > MAX_NAME:
        return f"the file name is {len(base)} characters long, above the limit of {MAX_NAME}", "bad_filename"
    return None


def display_name(raw: str | None) -> str:
    """A client's file name as messages show it: printable, shortened, '(no name)' when there is none."""
    shown = "".join(ch for ch in raw or "" if ch.isprintable()).strip()
    return (shown[:80] + "…" if len(shown) > 80 else shown) or "(no name)"


def clean_name(raw: str | None) -> str:
    """A display name from a client filename: last path part, printable, at most 255 chars."""
    base = re.split(r"[\\/]", raw or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or "unnamed"


@contextmanager
def workspace() -> Iterator[Path]:
    """A private temporary folder outside media storage, removed with everything in it afterwards."""
    with tempfile.TemporaryDirectory(prefix="annotator-ingest-", dir=settings.FILE_UPLOAD_TEMP_DIR) as folder:
        yield Path(folder)


def archive_limits() -> archive.Limits:
    """Archive limits from settings."""
    return archive.Limits(
        max_entries=settings.ANNOTATOR_ZIP_MAX_ENTRIES,
        max_total_bytes=settings.ANNOTATOR_ZIP_MAX_BYTES,
        max_entry_bytes=settings.ANNOTATOR_MAX_UPLOAD_BYTES,
    )


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def expand(files: Iterable[Incoming], work: Path, result: UploadResult) -> list[Incoming]:
    """Replace each zip by its entries (copied into work under numbered names); nested zips are refused."""
    out: list[Incoming] = []
    for item in files:
        if not archive.looks_like_zip(_head(item.path)):
            out.append(item)
            continue
        try:
            out.extend(_unzip(item, work, result))
        except archive.ArchiveError as exc:
            result.reject(item.name, exc.detail, exc.code)
    return out


def _unzip(item: Incoming, work: Path, result: UploadResult) -> list[Incoming]:
    limits = archive_limits()
    entries: list[Incoming] = []
    with item.path.open("rb") as handle, archive.open_archive(handle) as zipped:
        readable, problems = archive.scan(zipped, limits)
        for problem in problems:
            result.reject(f"{item.name}/{problem.name}", problem.detail, problem.code)
        slides, readable = _mirax_bundles(zipped, readable, work, limits, item.name, result)
        entries.extend(slides)
        for entry in readable:
            name = f"{item.name}/{entry.name}"
            with tempfile.NamedTemporaryFile(dir=work, prefix="entry-", delete=False) as out:
                try:
                    archive.copy_entry(zipped, entry, out, limits)
                except archive.EntryError as exc:  # this entry alone is refused; the others go on
                    result.reject(name, exc.detail, exc.code)
                    bad = True
                else:
                    bad = False
            target = Path(out.name)
            if bad:
                target.unlink()
                continue
            if archive.looks_like_zip(_head(target)):
                result.reject(
                    name, "archives inside archives are not accepted; upload the inner zip itself", "nested_archive"
                )
                target.unlink()
                continue
            entries.append(Incoming(name, target))
    return entries


def _mirax_bundles(
    zipped: Any, readable: list[archive.Entry], work: Path, limits: archive.Limits, zip_name: str, result: UploadResult
) -> tuple[list[Incoming], list[archive.Entry]]:
    """Unpack each MIRAX slide (x.mrxs beside a folder x/) into its own private folder; return the other entries."""
    slides: list[Incoming] = []
    taken: set[str] = set()
    for entry in readable:
        stem = mirax.stem_of(entry.name)
        if not stem:  # only .mrxs entries scan the others: no quadratic walk over a large zip
            continue
        members = [e for e in readable if e.name.startswith(f"{stem}/")]
        if not members:
            continue
        folder = Path(tempfile.mkdtemp(dir=work, prefix="mrxs-"))
        taken |= {entry.name, *(member.name for member in members)}
        try:
            _unpack_mirax(zipped, members, len(stem) + 1, folder, limits, zip_name, result)
        except archive.EntryError as exc:  # a slide missing one of its files cannot be read: refuse it whole
            result.reject(f"{zip_name}/{entry.name}", f"a file of this MIRAX slide is damaged: {exc.detail}", exc.code)
            continue
        slides.append(Incoming(f"{zip_name}/{entry.name}", folder, mirax.Bundle(folder)))
    return slides, [entry for entry in readable if entry.name not in taken]


def _unpack_mirax(
    zipped: Any,
    members: list[archive.Entry],
    prefix: int,
    folder: Path,
    limits: archive.Limits,
    zip_name: str,
    result: UploadResult,
) -> None:
    for member in members:
        relative = member.name[prefix:]
        if not mirax.SAFE_NAME.match(relative):  # MIRAX folders are flat; anything else is not part of it
            result.reject(f"{zip_name}/{member.name}", "not a file of the MIRAX slide", "unsupported_format")
            continue
        if (folder / relative).exists():
            result.reject(f"{zip_name}/{member.name}", "the archive holds this file twice", "duplicate_entry")
            continue
        with (folder / relative).open("xb") as out:
            archive.copy_entry(zipped, member, out, limits)


def _store_mirax(project: Project, user: AbstractBaseUser | None, item: Incoming, site: str) -> Image:
    """Store a MIRAX slide de-identified (see mirax.py) as the folder mrxs/ of a new image."""
    assert item.mirax is not None
    fields = {"name": clean_name(item.name), "kind": ImageKind.SLIDE, "original_ext": mirax.STORED_DIR}
    with _stored_image(project, user, site=site[:100], **fields) as (image, folder):
        mirax.store(item.mirax, folder / mirax.STORED_DIR, key=project.pseudonym_key)
    return image


def ingest(
    *, project: Project, user: AbstractBaseUser | None, files: list[Incoming], site: str, result: UploadResult
) -> None:
    """Create an image for each good file (a whole DICOM series becomes one image); refuse the rest."""
    dicom: list[Incoming] = []
    for item in files:
        try:
            if item.mirax is not None:
                result.images.append(_store_mirax(project, user, item, site))
                continue
            sniffed = sniff(_head(item.path))
            if sniffed.kind == ImageKind.DICOM:
                dicom.append(item)
            else:
                result.images.append(_store_raster(project, user, item, sniffed.kind, sniffed.ext, site))
        except RejectedFile as exc:
            result.reject(item.name, exc.detail, exc.code)
    for group in _dicom_groups(dicom, result):
        try:
            result.images.append(_store_dicom(project, user, group, site))
        except RejectedFile as exc:
            for item in group:
                result.reject(item.name, exc.detail, exc.code)


def _dicom_groups(items: list[Incoming], result: UploadResult) -> list[list[Incoming]]:
    """Files of one stackable series together (in slice order); every other file on its own."""
    if len(items) == 1:  # nothing to group: the file is parsed once, whole, when it is stored
        return [items]
    headers: list[tuple[Incoming, Any]] = []
    groups: list[list[Incoming]] = []
    levels: dict[str, list[tuple[Incoming, Any]]] = {}
    for item in items:
        try:
            header = dicom_read.read_header(item.path)
        except RejectedFile as exc:
            result.reject(item.name, exc.detail, exc.code)
            continue
        if is_tiled_slide(header):  # the levels of one whole-slide image: one slide, largest level first
            levels.setdefault(str(header.get("SeriesInstanceUID", "")), []).append((item, header))
        elif wsi_image_kind(header):  # a label or overview photo: refused on its own when stored
            groups.append([item])
        else:
            headers.append((item, header))
    for members in levels.values():
        members.sort(key=lambda pair: -int(pair[1].TotalPixelMatrixColumns) * int(pair[1].TotalPixelMatrixRows))
        groups.append([item for item, _ in members])
    by_dataset = {id(ds): item for item, ds in headers}
    for series in group_series([ds for _, ds in headers]):
        members = [by_dataset[id(ds)] for ds in series.datasets]
        if series.stackable and len(members) > 1:
            groups.append(members)
        else:
            groups.extend([member] for member in members)
    return groups


def _fresh_folder(image_id: int) -> Path:
    """An empty folder for a new image (SQLite may reuse the id of a deleted image whose files linger)."""
    folder = image_dir(image_id)
    if folder.exists():
        remove_tree(folder)
    return ensure_dir(folder)


@contextmanager
def _stored_image(project: Project, user: AbstractBaseUser | None, **fields: Any) -> Iterator[tuple[Image, Path]]:
    """A new pending image and its empty folder, committed with its processing task; when anything fails —
    writing the original, or the commit itself (a lost database connection) — the folder goes too."""
    folder: Path | None = None
    try:
        with transaction.atomic():
            image = Image.objects.create(project=project, uploaded_by=user, **fields)
            folder = _fresh_folder(image.pk)
            yield image, folder
            store().publish(folder)  # with an object store: into the bucket before the row commits
            enqueue(image.pk)
    except BaseException:
        if folder is not None:
            store().delete(folder)
        raise
    store().release(folder)  # with an object store, the worker fetches the original into its own scratch


def _store_raster(
    project: Project, user: AbstractBaseUser | None, item: Incoming, kind: str, ext: str, site: str
) -> Image:
    fields = {"name": clean_name(item.name), "kind": kind, "original_ext": ext, "site": site[:100]}
    with _stored_image(project, user, **fields) as (image, folder):
        _store_stripped(item, folder / f"original.{ext}", ext)
    return image


def _store_stripped(item: Incoming, target: Path, ext: str) -> None:
    """Copy a raster original without its text metadata (names can hide in PNG text, EXIF, TIFF tags)."""
    if ext not in FORMATS:
        shutil.copyfile(item.path, target)
        return
    try:
        strip_metadata(item.path, target, fmt=ext)
    except MalformedImage as exc:
        raise RejectedFile(f"the file is damaged ({exc})", code="malformed_image") from exc


def _deidentified(project: Project, path: Path) -> tuple[Any, str, str | None]:
    dataset = dicom_read.read_dataset(path)
    if not has_pixels(dataset):
        raise RejectedFile("this DICOM file has no pixel data (a report or structure set?)", code="no_pixels")
    label_photo = label_photo_reason(dataset)
    if label_photo:
        raise RejectedFile(label_photo, code="slide_label")
    hold = burned_in_risk(dataset)
    if project.deidentify:
        patient_ref = deidentify(dataset, key=project.pseudonym_key)
    else:
        patient_ref = pseudonym(project.pseudonym_key, str(dataset.get("PatientID", "")))
    return dataset, patient_ref, hold


def _store_dicom(project: Project, user: AbstractBaseUser | None, group: list[Incoming], site: str) -> Image:
    first, patient_ref, hold = _deidentified(project, group[0].path)
    series = len(group) > 1
    slide = series and is_tiled_slide(first)  # the levels of one whole-slide image, not slices of a stack
    metadata = dicom_read.metadata(first, patient_ref=patient_ref)
    if hold:
        metadata["hold_reason"] = hold
    more = f" (+{len(group) - 1} {'levels' if slide else 'slices'})" if series else ""
    stored_as = WSI_DIR if slide else SERIES_EXT if series else "dcm"
    fields = {
        "name": f"{clean_name(group[0].name)}{more}"[:255],
        "kind": ImageKind.DICOM,
        "site": site[:100],
        "metadata": metadata,
        "original_ext": stored_as,
        "frames": 1 if slide else len(group) if series else dicom_read.frame_count(first),
    }
    with _stored_image(project, user, **fields) as (image, folder):
        if not series:
            dicom_read.write_dataset(first, folder / "original.dcm")
        else:
            _write_series(project, first, group, ensure_dir(folder / stored_as))
    return image


def _write_series(project: Project, first: Any, group: list[Incoming], folder: Path) -> None:
    """Write each slice de-identified, named by its position in the series (frame n is file n)."""
    dicom_read.write_dataset(first, folder / f"{0:05d}.dcm")
    for index, item in enumerate(group[1:], start=1):
        try:
            dataset, _, _ = _deidentified(project, item.path)
        except RejectedFile as exc:
            raise RejectedFile(f"slice {item.name} of the series: {exc.detail}", code=exc.code) from exc
        dicom_read.write_dataset(dataset, folder / f"{index:05d}.dcm")


def enqueue(image_id: int) -> None:
    """Queue an image's processing through the outbox (call inside the transaction that made it pending)."""
    outbox_enqueue(task=PROCESS_TASK, args=[image_id])
