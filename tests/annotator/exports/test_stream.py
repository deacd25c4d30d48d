"""The database snapshot streams: every pass reads the images again, each with exactly its own annotations."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.annotations.models import Annotation
from annotator.exports import snapshot as snapshot_module
from annotator.exports.snapshot import take_snapshot
from annotator.imaging.models import Image

BOX = {"x": 1, "y": 1, "w": 2, "h": 2}


def test_images_stream_with_their_own_annotations(project, owner, bbox_label, monkeypatch) -> None:
    monkeypatch.setattr(snapshot_module, "CHUNK", 3)  # several fetches per pass
    images = [
        Image.objects.create(project=project, name=f"i{n}.png", kind="raster", status="ready", width=8, height=8)
        for n in range(7)
    ]
    Image.objects.create(project=project, name="pending.png", kind="raster", status="pending", width=8, height=8)
    expected: dict[int, list[int]] = {image.pk: [] for image in images}
    for n in range(20):
        target = images[(n * 3) % 7 if n % 4 else 0]
        if target is images[5]:
            continue  # an image without annotations between ones with
        ann = Annotation.objects.create(image=target, label=bbox_label, geometry=BOX, author=owner)
        expected[target.pk].append(ann.pk)
    snap = take_snapshot(project_id=project.pk)
    with CaptureQueriesContext(connection) as first_pass:
        seen = {image.id: [a.id for a in image.annotations] for image in snap.images}
    assert seen == expected and len(snap.images) == 7
    assert {image.id: [a.id for a in image.annotations] for image in snap.images} == expected  # a second pass
    assert len(first_pass) <= 12  # cursor fetches, not a query per image
