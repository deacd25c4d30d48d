"""Create a demo user and a demo project with real sample images shipped by installed packages."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import skimage
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from pydicom.data import get_testdata_file

from annotator.imaging.demo_slide import demo_slide_write
from annotator.imaging.services import image_upload
from annotator.projects.models import Project
from annotator.projects.services import label_create, project_create

DEMO_PROJECT = "Demo: CT, MR and microscopy"
LABELS = (
    ("Lesion", "bbox", "#e5484d", "l"),
    ("Cell", "bbox", "#30a46c", "c"),
    ("Nodule", "polygon", "#0090ff", "n"),
    ("Normal", "tag", "#8e4ec6", None),
)


def sample_files() -> list[tuple[str, Path]]:
    """Real sample images from installed packages: pydicom's test DICOM, scikit-image's micrographs."""
    skimage_data = Path(skimage.__file__).parent / "data"
    return [
        ("CT_small.dcm", Path(get_testdata_file("CT_small.dcm"))),
        ("MR_small.dcm", Path(get_testdata_file("MR_small.dcm"))),
        ("ihc_immunohistochemistry.png", skimage_data / "ihc.png"),
        ("retina_fundus.jpg", skimage_data / "retina.jpg"),
    ]


class Command(BaseCommand):
    help = "Create the demo user and project (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        username = os.environ.get("DEMO_USERNAME", "demo")
        password = os.environ.get("DEMO_PASSWORD", "demo-annotator")
        users = get_user_model()
        user = users.objects.filter(username=username).first()
        if user is None:
            user = users.objects.create_superuser(username=username, email="", password=password)
        if not Project.objects.filter(name=DEMO_PROJECT).exists():
            project = project_create(
                creator=user,
                name=DEMO_PROJECT,
                description=(
                    "Sample CT and MR slices (pydicom test data), micrographs (scikit-image data) "
                    "and a generated whole-slide image."
                ),
            )
            for name, kind, color, hotkey in LABELS:
                label_create(project=project, name=name, kind=kind, color=color, hotkey=hotkey)
            uploads = [SimpleUploadedFile(name, path.read_bytes()) for name, path in sample_files()]
            with tempfile.TemporaryDirectory() as scratch:  # a generated pyramidal slide, 0.25 µm/px
                slide = demo_slide_write(path=Path(scratch) / "demo_slide.svs")
                uploads.append(SimpleUploadedFile("demo_slide.svs", slide.read_bytes()))
            result = image_upload(project=project, user=user, files=uploads, site="demo")
            for rejected in result.rejected:
                self.stderr.write(f"demo image rejected: {rejected}")
        self.stdout.write(self.style.SUCCESS(f"Demo login: username {username!r}, password {password!r}"))
