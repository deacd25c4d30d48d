"""Set-up step of the annotations API benchmark: users, project, labels and images through the real app.

Run by `annotations_api.py` in its own process with the benchmark's DATABASE_URL and
DJANGO_SETTINGS_MODULE=annotator.settings; writes the ids and tokens it made as JSON to the
path given as its only argument. Users, project, membership and labels go through the
services; the 5,000 polygons of the listing image are validated with the app's own geometry
validator and stored with bulk_create (with their create revisions), as services would store them.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from annotator.accounts.models import Role  # noqa: E402
from annotator.annotations.geometry import validate_geometry  # noqa: E402
from annotator.annotations.models import Annotation, Revision, RevisionAction  # noqa: E402
from annotator.annotations.services import annotation_state  # noqa: E402
from annotator.imaging.models import Image, ImageKind, ImageStatus  # noqa: E402
from annotator.projects.models import LabelKind  # noqa: E402
from annotator.projects.services import label_create, member_add, project_create  # noqa: E402

WIDTH, HEIGHT = 40_000, 30_000  # a whole-slide-sized level 0


def polygon(rng: random.Random, points: int, width: int = WIDTH, height: int = HEIGHT) -> dict[str, Any]:
    """A simple (star-shaped, non-self-intersecting) polygon of `points` vertices inside the image."""
    radius = rng.uniform(40, 400)
    cx = rng.uniform(radius + 1, width - radius - 1)
    cy = rng.uniform(radius + 1, height - radius - 1)
    step = 2 * math.pi / points
    vertices = []
    for i in range(points):
        angle = i * step + rng.uniform(0, step * 0.8)
        r = radius * rng.uniform(0.7, 1.0)
        vertices.append([round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)])
    return {"points": vertices}


def main(out: Path, clients: int, dense_count: int, seed: int) -> None:
    users = get_user_model().objects
    owner = users.create_user("bench-owner", password=None, is_staff=True)  # staff may add anyone
    project = project_create(creator=owner, name="Annotations API benchmark")
    schema = [{"name": "reviewed", "type": "bool"}, {"name": "grade", "type": "choice", "choices": ["1", "2", "3"]}]
    bbox = label_create(project=project, name="lesion box", kind=LabelKind.BBOX, color="#00ff00", attributes=schema)
    poly = label_create(
        project=project, name="gland outline", kind=LabelKind.POLYGON, color="#0000ff", attributes=schema
    )

    tokens = []
    for i in range(clients):
        user = users.create_user(f"bench-annotator-{i:02d}", password=None)
        member_add(project=project, actor=owner, username=user.username, role=Role.ANNOTATOR)
        tokens.append(Token.objects.create(user=user).key)

    def ready_image(name: str) -> Image:
        return Image.objects.create(
            project=project,
            name=name,
            kind=ImageKind.SLIDE,
            status=ImageStatus.READY,
            width=WIDTH,
            height=HEIGHT,
            frames=1,
            uploaded_by=owner,
        )

    work = ready_image("work-slide.svs")  # the 20 clients create and update here
    dense = ready_image("dense-slide.svs")  # holds the polygons the listing reads

    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        rows = [
            Annotation(
                image=dense,
                label=poly,
                frame=0,
                geometry=validate_geometry(poly.kind, polygon(rng, rng.randint(20, 50)), width=WIDTH, height=HEIGHT),
                attributes={},
                author=owner,
            )
            for _ in range(dense_count)
        ]
        created = Annotation.objects.bulk_create(rows, batch_size=1000)
        Revision.objects.bulk_create(
            [
                Revision(
                    annotation_id=a.pk,
                    image_id=dense.pk,
                    action=RevisionAction.CREATE,
                    actor=owner,
                    version=a.version,
                    before=None,
                    after=annotation_state(a),
                )
                for a in created
            ],
            batch_size=1000,
        )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:  # what autovacuum would have done by the time anyone lists
        cursor.execute("VACUUM ANALYZE")
    point_total = sum(len(a.geometry["points"]) for a in created)

    out.write_text(
        json.dumps(
            {
                "project": project.pk,
                "labels": {"bbox": bbox.pk, "polygon": poly.pk},
                "work_image": work.pk,
                "dense_image": dense.pk,
                "dense_count": len(created),
                "dense_points": point_total,
                "dense_seconds": round(seconds, 2),
                "width": WIDTH,
                "height": HEIGHT,
                "tokens": tokens,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), clients=int(sys.argv[2]), dense_count=int(sys.argv[3]), seed=int(sys.argv[4]))
