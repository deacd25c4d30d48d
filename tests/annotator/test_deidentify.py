"""De-identification at ingest: no identifying value of the input survives in storage or the database."""

from pathlib import Path

import pydicom
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from annotator.core.storage import media_root
from annotator.imaging.dicom.deidentify import pseudonym
from annotator.imaging.models import Image
from annotator.imaging.services import image_upload
from annotator.projects.models import Project

IDENTIFYING = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "InstitutionName",
    "ReferringPhysicianName",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "SOPInstanceUID",
)


def _values(path: Path) -> list[str]:
    ds = pydicom.dcmread(path)
    return [str(ds.get(k)) for k in IDENTIFYING if ds.get(k) not in (None, "")]


def test_identifiers_never_reach_storage_or_the_database(project: Project, owner: object, ct_path: Path) -> None:
    secrets = [v for v in _values(ct_path) if len(v) >= 4]
    assert len(secrets) >= 5  # the sample really carries identifiers to remove
    upload = SimpleUploadedFile("ct.dcm", ct_path.read_bytes())
    result = image_upload(project=project, user=owner, files=[upload])
    assert not result.rejected
    image = result.images[0]

    folder = media_root() / "images" / str(image.pk)
    stored = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert stored
    for value in secrets:
        assert value.encode() not in stored, f"{value!r} survived in storage"
    with connection.cursor() as cursor:
        cursor.execute("SELECT metadata, name FROM imaging_image WHERE id = %s", [image.pk])
        row = " ".join(str(col) for col in cursor.fetchone())
    for value in secrets:
        assert value not in row, f"{value!r} survived in the database"

    ds = pydicom.dcmread(folder / "original.dcm")
    assert ds.PatientIdentityRemoved == "YES"
    original_id = str(pydicom.dcmread(ct_path).PatientID)
    assert Image.objects.get(pk=image.pk).metadata["patient_ref"] == pseudonym(project.pseudonym_key, original_id)
    assert not any(element.tag.is_private for element in ds.iterall())
