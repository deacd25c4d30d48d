"""A frozen, ORM-free picture of a project for export formats to read."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from django.db.models import Max, QuerySet

from annotator.annotations.models import Annotation, Revision
from annotator.core.errors import RejectedFile
from annotator.core.storage import image_dir
from annotator.imaging.dicom import read as dicom_read
from annotator.imaging.dicom.frames import frame_info
from annotator.imaging.ingest import SERIES_DIR, SERIES_EXT  # a series is stored as series/<n>.dcm, n = frame
from annotator.imaging.models import Image, ImageStatus, WorkflowState
from annotator.imaging.processing import FOLDER_EXTS
from annotator.projects.models import Label, Project

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelSnap:
    id: int
    name: str
    kind: str
    color: str
    hotkey: str | None = None
    attributes: tuple[dict[str, Any], ...] = ()  # the label's attribute schema: {name, type, choices?, required}


@dataclass(frozen=True)
class AnnotationSnap:
    id: int
    label_id: int
    frame: int
    geometry: Any
    attributes: dict[str, Any]
    version: int
    source: str
    author_id: int | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class DicomFrameSnap:
    """Where one frame of a DICOM image comes from, and where it lies in patient space (LPS, millimetres)."""

    file: str  # path of the stored file, relative to the image folder
    frame_in_file: int
    sop_instance_uid: str
    sop_class_uid: str
    position: tuple[float, ...] | None = None  # ImagePositionPatient: centre of the frame's first pixel
    orientation: tuple[float, ...] | None = None  # ImageOrientationPatient: row then column direction cosines
    pixel_spacing: tuple[float, ...] | None = None  # (between rows, between columns)
    slice_thickness: float | None = None


@dataclass(frozen=True)
class ImageSnap:
    id: int
    name: str
    kind: str
    width: int
    height: int
    frames: int
    patient_ref: str | None
    site: str
    workflow_state: str
    metadata: dict[str, Any]
    folder: str
    original_ext: str
    annotations: tuple[AnnotationSnap, ...] = field(default_factory=tuple)
    assignee_id: int | None = None
    reviewer_id: int | None = None
    dicom: tuple[DicomFrameSnap, ...] = ()  # one per frame, read only for formats that need patient geometry

    @property
    def original(self) -> Path:
        """The stored original: a file, or a folder (DICOM series, DICOM slide levels, MIRAX slide)."""
        if self.original_ext in FOLDER_EXTS:
            return Path(self.folder) / self.original_ext
        return Path(self.folder) / f"original.{self.original_ext}"


@dataclass(frozen=True)
class ProjectSnap:
    id: int
    name: str
    description: str
    labels: tuple[LabelSnap, ...]
    images: ImageSource  # in id order; a tuple, or a stream read again on every pass
    changed_at: str  # the data's last change (not the clock), so unchanged data gives the same export


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def dicom_frames(image_folder: Path, original_ext: str) -> tuple[DicomFrameSnap, ...]:
    """Per-frame geometry of a stored DICOM image, read from its files' headers (no pixel data)."""
    if original_ext == SERIES_EXT:
        files = sorted((image_folder / SERIES_DIR).glob("*.dcm"))
    else:
        files = [image_folder / f"original.{original_ext}"]
    frames = []
    for path in files:
        ds = dicom_read.read_header(path)
        count = 1 if len(files) > 1 else dicom_read.frame_count(ds)
        for number in range(count):
            info = frame_info(ds, number)
            frames.append(
                DicomFrameSnap(
                    file=str(path.relative_to(image_folder)),
                    frame_in_file=number,
                    sop_instance_uid=str(ds.get("SOPInstanceUID", "")),
                    sop_class_uid=str(ds.get("SOPClassUID", "")),
                    position=info.position,
                    orientation=info.orientation,
                    pixel_spacing=info.pixel_spacing,
                    slice_thickness=info.slice_thickness,
                )
            )
    return tuple(frames)


def _dicom_frames_or_none(image_folder: Path, original_ext: str) -> tuple[DicomFrameSnap, ...]:
    """dicom_frames(), or () when a stored file cannot be read (formats then fall back or list the image)."""
    try:
        return dicom_frames(image_folder, original_ext)
    except (RejectedFile, OSError) as exc:
        logger.warning("cannot read the DICOM geometry of %s: %s", image_folder, exc)
        return ()


def _read_dicom_geometry(image: ImageSnap) -> ImageSnap:
    if image.kind != "dicom" or image.dicom:
        return image
    return replace(image, dicom=_dicom_frames_or_none(Path(image.folder), image.original_ext))


def with_dicom_geometry(snap: ProjectSnap) -> ProjectSnap:
    """The snapshot with each DICOM image's per-frame geometry read from its stored files' headers (as each
    image is reached)."""
    return replace(snap, images=MappedImages(snap.images, _read_dicom_geometry))


CHUNK = 2000  # rows per fetch of a server-side cursor
IMAGE_FIELDS = (
    "id", "name", "kind", "width", "height", "frames", "site", "workflow_state", "metadata", "original_ext",
    "assignee_id", "reviewer_id",
)  # fmt: skip
ANNOTATION_FIELDS = (
    "image_id", "id", "label_id", "frame", "geometry", "attributes", "version", "source", "author_id", "created_at",
    "updated_at",
)  # fmt: skip


LIGHT_FIELDS = ("image_id", "id", "label_id", "frame", "version", "source", "author_id")


class ImageSource(Protocol):
    """A snapshot's images: iterable (in id order, any number of times) and sized. A tuple is one."""

    def __iter__(self) -> Iterator[ImageSnap]: ...

    def __len__(self) -> int: ...


class DatabaseImages:
    """A project's images read afresh on every pass through two server-side cursors (images, and annotations in
    image order, merged), so a pass holds one image's annotations at a time whatever the project's size."""

    def __init__(self, queryset: QuerySet[Image], *, shapes: bool = True) -> None:
        self.queryset = queryset
        self.shapes = shapes  # False: annotations without geometry or attributes (a cheaper pass for counts)
        self._count: int | None = None

    def without_shapes(self) -> DatabaseImages:
        """The same images, their annotations read without geometry and attributes."""
        return DatabaseImages(self.queryset, shapes=False)

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __iter__(self) -> Iterator[ImageSnap]:
        fields = ANNOTATION_FIELDS if self.shapes else LIGHT_FIELDS
        annotations = (
            Annotation.objects.filter(image__in=self.queryset)
            .order_by("image_id", "id")
            .values_list(*fields)
            .iterator(chunk_size=CHUNK)
        )
        make = _annotation if self.shapes else _light_annotation
        pending = next(annotations, None)
        for row in self.queryset.values_list(*IMAGE_FIELDS).iterator(chunk_size=CHUNK):
            image_id = row[0]
            mine = []
            while pending is not None and pending[0] <= image_id:
                if pending[0] == image_id:
                    mine.append(make(pending))
                pending = next(annotations, None)
            yield _image(row, tuple(mine))


class MappedImages:
    """Another source's images, each passed through a function on every pass."""

    def __init__(self, source: ImageSource, change: Callable[[ImageSnap], ImageSnap]) -> None:
        self.source, self.change = source, change

    def __len__(self) -> int:
        return len(self.source)

    def __iter__(self) -> Iterator[ImageSnap]:
        return (self.change(image) for image in self.source)


def _annotation(row: tuple[Any, ...]) -> AnnotationSnap:
    _, pk, label_id, frame, geometry, attributes, version, source, author_id, created, updated = row
    return AnnotationSnap(
        id=pk,
        label_id=label_id,
        frame=frame,
        geometry=geometry,
        attributes=dict(attributes or {}),
        version=version,
        source=source,
        author_id=author_id,
        created_at=_iso(created),
        updated_at=_iso(updated),
    )


def _light_annotation(row: tuple[Any, ...]) -> AnnotationSnap:
    _, pk, label_id, frame, version, source, author_id = row
    return AnnotationSnap(
        id=pk, label_id=label_id, frame=frame, geometry=None, attributes={}, version=version, source=source,
        author_id=author_id,
    )  # fmt: skip


def without_shapes(images: ImageSource) -> ImageSource:
    """A cheaper pass over the images when only their annotations' labels, frames and authors are needed."""
    return images.without_shapes() if isinstance(images, DatabaseImages) else images


def _image(row: tuple[Any, ...], annotations: tuple[AnnotationSnap, ...]) -> ImageSnap:
    pk, name, kind, width, height, frames, site, state, metadata, ext, assignee, reviewer = row
    return ImageSnap(
        id=pk,
        name=name,
        kind=kind,
        width=width or 0,
        height=height or 0,
        frames=frames,
        patient_ref=(metadata or {}).get("patient_ref"),
        site=site,
        workflow_state=state,
        metadata=dict(metadata or {}),
        folder=str(image_dir(pk)),
        original_ext=ext,
        annotations=annotations,
        assignee_id=assignee,
        reviewer_id=reviewer,
    )


def take_snapshot(*, project_id: int, only_accepted: bool = False, dicom_geometry: bool = False) -> ProjectSnap:
    """A project's ready images, labels and annotations as plain dataclasses; the images are streamed from the
    database on each pass (DatabaseImages), never all held at once.

    With dicom_geometry, each DICOM image also gets its per-frame patient geometry from its stored files' headers.
    """
    project = Project.objects.get(pk=project_id)
    labels = tuple(
        LabelSnap(
            id=lb.pk,
            name=lb.name,
            kind=lb.kind,
            color=lb.color,
            hotkey=lb.hotkey,
            attributes=tuple(dict(a) for a in lb.attributes or ()),
        )
        for lb in project.labels.order_by("id")
    )
    images_qs = Image.objects.filter(project_id=project_id, status=ImageStatus.READY).order_by("id")
    if only_accepted:
        images_qs = images_qs.filter(workflow_state=WorkflowState.ACCEPTED)
    snap = ProjectSnap(
        id=project.pk,
        name=project.name,
        description=project.description,
        labels=labels,
        images=DatabaseImages(images_qs),
        changed_at=_iso(data_changed_at(project=project, images=images_qs)),
    )
    return with_dicom_geometry(snap) if dicom_geometry else snap


def data_changed_at(*, project: Project, images: QuerySet[Image]) -> datetime | None:
    """The latest change to anything an export reads: the project, its labels, the images, their annotations
    and the revisions of those annotations (which also date deletions)."""
    moments = [
        project.updated_at,
        Label.objects.filter(project=project).aggregate(m=Max("updated_at"))["m"],
        images.aggregate(m=Max("updated_at"))["m"],
        Annotation.objects.filter(image__in=images).aggregate(m=Max("updated_at"))["m"],
        Revision.objects.filter(image__in=images).aggregate(m=Max("at"))["m"],
    ]
    present = [m for m in moments if m is not None]
    return max(present) if present else None
