"""List endpoints run a constant number of queries, however many objects they list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.accounts.models import Membership
from annotator.annotations.services import annotation_create, annotation_update
from annotator.annotations.workflow import image_review, image_submit
from annotator.exports.models import ExportJob
from annotator.imaging.models import Image
from annotator.projects.services import label_create


def _grow(project, owner, image, label, n: int, first) -> None:
    """Add n of everything the lists below show (including revisions of the first annotation)."""
    from django.contrib.auth import get_user_model

    from annotator.annotations.models import Annotation

    for _ in range(n):
        version = Annotation.objects.get(pk=first.pk).version
        annotation_update(annotation_id=first.pk, actor=owner, expected_version=version, changes={})
        ann = annotation_create(image=image, author=owner, label=label, geometry={"x": 1, "y": 1, "w": 4, "h": 4})
        annotation_update(annotation_id=ann.pk, actor=owner, expected_version=1, changes={"attributes": {}})
        Image.objects.create(project=project, name="x.png", kind="raster", status="ready", width=10, height=10)
        ExportJob.objects.create(project=project, format="coco")
        label_create(project=project, name=f"L{Image.objects.count()}", kind="point")
        user = get_user_model().objects.create_user(f"u{Image.objects.count()}")
        Membership.objects.create(project=project, user=user, role="viewer")


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/",
        "/api/v1/projects/{project}/",
        "/api/v1/projects/{project}/images/",
        "/api/v1/projects/{project}/labels/",
        "/api/v1/projects/{project}/members/",
        "/api/v1/projects/{project}/exports/",
        "/api/v1/projects/{project}/progress/",
        "/api/v1/images/{image}/annotations/",
        "/api/v1/images/{image}/reviews/",
        "/api/v1/annotations/{annotation}/history/",
    ],
)
def test_query_count_does_not_grow_with_the_data(
    path, project, owner, client_for, ready_image, bbox_label, django_assert_max_num_queries
) -> None:
    client = client_for(owner)
    first = annotation_create(
        image=ready_image, author=owner, label=bbox_label, geometry={"x": 1, "y": 1, "w": 4, "h": 4}
    )
    image_submit(image_id=ready_image.pk, user=owner, role="owner")
    image_review(image_id=ready_image.pk, user=owner, role="owner", decision="reject", comment="again")
    url = path.format(project=project.pk, image=ready_image.pk, annotation=first.pk)
    _grow(project, owner, ready_image, bbox_label, 2, first)
    small = _count(client, url)
    _grow(project, owner, ready_image, bbox_label, 20, first)
    with django_assert_max_num_queries(small):
        client.get(url)
    assert small <= 12, f"{url} needs {small} queries"
