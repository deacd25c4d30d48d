"""The demo slide is a real pyramidal slide: OpenSlide reads it as Aperio with its resolution, ingest keeps it."""

from __future__ import annotations

from pathlib import Path

import openslide
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.imaging.demo_slide import DEMO_MPP, demo_slide_write
from annotator.imaging.models import Image
from annotator.imaging.processing import image_process
from annotator.imaging.services import image_upload


def test_openslide_reads_levels_and_resolution(tmp_path: Path) -> None:
    path = demo_slide_write(path=tmp_path / "demo.svs", width=1200, height=900)
    with openslide.OpenSlide(str(path)) as slide:
        assert slide.properties["openslide.vendor"] == "aperio"
        assert float(slide.properties[openslide.PROPERTY_NAME_MPP_X]) == pytest.approx(DEMO_MPP)
        assert slide.dimensions == (1200, 900) and slide.level_count >= 3


@pytest.mark.django_db
def test_ingest_makes_a_slide_with_its_pixel_spacing(tmp_path: Path, project, owner) -> None:
    path = demo_slide_write(path=tmp_path / "demo.svs", width=1200, height=900)
    result = image_upload(
        project=project, user=owner, files=[SimpleUploadedFile("demo.svs", path.read_bytes())], site="demo"
    )
    image_process(image_id=result.images[0].pk)
    image = Image.objects.get(pk=result.images[0].pk)
    assert image.status == "ready", image.error
    assert image.kind == "slide" and (image.width, image.height) == (1200, 900)
    assert image.metadata["pixel_spacing"] == pytest.approx([DEMO_MPP / 1000, DEMO_MPP / 1000])
