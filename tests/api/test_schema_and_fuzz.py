"""The OpenAPI schema validates; no request body, however wrong, makes the API answer 500."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
KEYS = [
    "label",
    "frame",
    "geometry",
    "attributes",
    "source",
    "x",
    "y",
    "w",
    "h",
    "points",
    "rle",
    "id",
    "version",
    "create",
    "update",
    "delete",
    "name",
    "kind",
    "color",
    "hotkey",
    "format",
    "options",
    "split",
    "images",
    "assignee",
    "reviewer",
    "decision",
    "comment",
    "username",
    "role",
    "user",
    "site",
    "description",
]
# Bodies shaped like the real ones, with wrong values inside, reach deeper than random bytes.
SHAPED = st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6) | JSON


def test_schema_validates_as_openapi3(tmp_path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "openapi: 3" in target.read_text()


ENDPOINTS = [
    ("post", "/api/v1/images/{image}/annotations/"),
    ("post", "/api/v1/images/{image}/annotations/bulk/"),
    ("patch", "/api/v1/annotations/{annotation}/"),
    ("post", "/api/v1/projects/{project}/labels/"),
    ("patch", "/api/v1/labels/{label}/"),
    ("post", "/api/v1/projects/"),
    ("patch", "/api/v1/projects/{project}/"),
    ("post", "/api/v1/projects/{project}/members/"),
    ("post", "/api/v1/projects/{project}/exports/"),
    ("post", "/api/v1/projects/{project}/assignments/"),
    ("post", "/api/v1/images/{image}/review/"),
    ("patch", "/api/v1/images/{image}/"),
    ("post", "/api/v1/auth/token/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_no_body_causes_a_500(method, path, project, owner, client_for, ready_image, bbox_label) -> None:
    from annotator.annotations.services import annotation_create

    annotation = annotation_create(
        image=ready_image, author=owner, label=bbox_label, geometry={"x": 1, "y": 1, "w": 4, "h": 4}
    )
    url = path.format(project=project.pk, image=ready_image.pk, annotation=annotation.pk, label=bbox_label.pk)
    client = client_for(owner)
    call = getattr(client, method)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(body=SHAPED)
    def check(body: object) -> None:
        try:
            payload = json.dumps(body)
        except ValueError:
            payload = str(body)
        response = call(url, data=payload, content_type="application/json", HTTP_IF_MATCH='"1"')
        assert response.status_code < 500, (body, response.content[:300])
        if response.status_code >= 400:
            assert {"detail", "code"} <= set(response.json()), response.content[:300]

    check()


def test_malformed_json_is_a_400(project, owner, client_for) -> None:
    response = client_for(owner).post("/api/v1/projects/", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


HUGE = 2**70


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/images/{image}/annotations/", {"label": HUGE, "frame": HUGE, "geometry": None}),
        ("post", "/api/v1/images/{image}/annotations/bulk/", {"update": [{"id": HUGE, "version": HUGE}]}),
        ("post", "/api/v1/projects/{project}/assignments/", {"images": [HUGE], "assignee": HUGE}),
        ("post", "/api/v1/projects/{project}/members/", {"user": HUGE, "role": "viewer"}),
        ("get", f"/api/v1/images/{HUGE}/", None),
        ("get", f"/api/v1/projects/{HUGE}/images/", None),
        ("get", f"/api/v1/images/{{image}}/tiles/{HUGE}/{HUGE}_0.jpeg", None),
        ("get", "/api/v1/projects/{project}/images/?assignee=" + str(HUGE), None),
    ],
)
def test_out_of_range_integers_are_client_errors(method, path, body, project, owner, client_for, ready_image) -> None:
    url = path.format(project=project.pk, image=ready_image.pk)
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    response = getattr(client_for(owner), method)(url, **kwargs)
    assert 400 <= response.status_code < 500 or (method == "get" and response.status_code == 200), response.content
