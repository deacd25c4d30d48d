"""The annotation list's fast path answers exactly what the AnnotationOut serializer answered, page by page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from rest_framework.generics import ListAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory, force_authenticate

from annotator.annotations import selectors
from annotator.annotations.models import Annotation
from api.annotations import AnnotationListView, AnnotationOut

UTC = dt.UTC
GEOMETRIES: list[Any] = [
    {"x": 1, "y": 2.5, "w": 0.1, "h": 1e-7},
    {"points": [[0.30000000000000004, 12345.678], [1e20, 2**53 + 1], [-0.0, 3]]},
    None,
]
ATTRIBUTES: list[dict[str, Any]] = [
    {},
    {"note": 'é "quoted" \\ back\nslash\u2028\u2029 😀', "nested": {"b": [1, 2.0, None, True], "a": False}},
    {"grade": 3, "big": 2**70},
]
TIMESTAMPS = [
    dt.datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC),
    dt.datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=UTC),
    dt.datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
]


class SerializerList(AnnotationListView):
    """The list as it was: model instances through AnnotationOut(many=True) and DRF's JSONRenderer."""

    list = ListAPIView.list


def _make(image: Any, label: Any, author: Any, n: int) -> list[Annotation]:
    made = []
    for i in range(n):
        annotation = Annotation.objects.create(
            image=image,
            label=label,
            frame=i % 3,
            geometry=GEOMETRIES[i % len(GEOMETRIES)],
            attributes=ATTRIBUTES[i % len(ATTRIBUTES)],
            author=author if i % 4 else None,
            version=1 + i % 5,
            source=["human", "import", "model"][i % 3],
        )
        created, updated = TIMESTAMPS[i % len(TIMESTAMPS)], TIMESTAMPS[(i + 1) % len(TIMESTAMPS)]
        Annotation.objects.filter(pk=annotation.pk).update(created_at=created, updated_at=updated)
        made.append(annotation)
    return made


def _serialized(ids: list[int]) -> list[dict[str, Any]]:
    """What AnnotationOut rendered by DRF's JSONRenderer gives for these annotations, decoded."""
    rows = Annotation.objects.filter(pk__in=ids).order_by("id")
    return json.loads(JSONRenderer().render(AnnotationOut(rows, many=True).data))


def _get(view: Any, user: Any, url: str, image_id: int) -> Any:
    request = APIRequestFactory().get(url)
    force_authenticate(request, user=user)
    response = view(request, image_id=image_id)
    assert response.status_code == 200
    return json.loads(response.render().content if hasattr(response, "render") else response.content)


def test_page_equals_what_the_serializer_rendered(owner, client_for, ready_image, bbox_label) -> None:
    made = _make(ready_image, bbox_label, owner, 12)
    response = client_for(owner).get(f"/api/v1/images/{ready_image.pk}/annotations/?page_size=1000")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["next", "previous", "results"] and body["next"] is None and body["previous"] is None
    assert body["results"] == _serialized([a.pk for a in made])
    assert [list(row) for row in body["results"]] == [list(AnnotationOut.Meta.fields)] * len(made)


def test_timestamps_keep_microseconds_only_when_non_zero(owner, ready_image, bbox_label) -> None:
    made = _make(ready_image, bbox_label, owner, 3)
    listed = json.loads(selectors.annotations_json(ids=[a.pk for a in made]))
    assert [row["created_at"] for row in listed] == [
        "2026-11-25T10:00:00Z",
        "2026-11-25T10:00:00.123456Z",
        "2026-01-01T21:34:05.000001Z",
    ]
    assert [row["created_at"] for row in _serialized([a.pk for a in made])] == [row["created_at"] for row in listed]


def test_selector_is_in_id_order_and_empty_is_an_empty_list(owner, ready_image, bbox_label) -> None:
    made = _make(ready_image, bbox_label, owner, 6)
    ids = [a.pk for a in made]
    assert json.loads(selectors.annotations_json(ids=list(reversed(ids)))) == _serialized(ids)
    assert selectors.annotations_json(ids=[]) == "[]"
    assert "\u2028" not in selectors.annotations_json(ids=ids)  # escaped, as DRF's JSONRenderer does


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path needs Postgres (set DATABASE_URL)")
def test_postgres_and_python_paths_agree(owner, ready_image, bbox_label) -> None:
    ids = [a.pk for a in _make(ready_image, bbox_label, owner, 9)]
    in_sql = selectors._annotations_json_pg(ids)
    assert json.loads(in_sql) == json.loads(selectors._annotations_json_py(ids)) == _serialized(ids)


def test_walk_forward_and_back_matches_the_serializer_list(owner, ready_image, bbox_label) -> None:
    ids = [a.pk for a in _make(ready_image, bbox_label, owner, 23)]
    fast, old = AnnotationListView.as_view(), SerializerList.as_view()
    url, seen, pages = f"/api/v1/images/{ready_image.pk}/annotations/?page_size=5", [], []
    while url:
        page = _get(fast, owner, url, ready_image.pk)
        assert page == _get(old, owner, url, ready_image.pk)
        seen += [row["id"] for row in page["results"]]
        pages.append(page)
        url = page["next"]
    assert seen == ids and len(pages) == 5
    url, back = pages[-1]["previous"], []
    while url:
        page = _get(fast, owner, url, ready_image.pk)
        assert page == _get(old, owner, url, ready_image.pk)
        back = [row["id"] for row in page["results"]] + back
        url = page["previous"]
    assert back == ids[:20]


def test_list_runs_four_queries_whatever_the_page_size(
    owner, client_for, ready_image, bbox_label, django_assert_num_queries
) -> None:
    _make(ready_image, bbox_label, owner, 30)
    client = client_for(owner)
    for size in (1, 30):
        # token, image with project and the caller's role, the page's ids, the page's JSON
        with django_assert_num_queries(4):
            assert client.get(f"/api/v1/images/{ready_image.pk}/annotations/?page_size={size}").status_code == 200


def test_browsable_api_still_renders_the_list(owner, client_for, ready_image, bbox_label) -> None:
    _make(ready_image, bbox_label, owner, 2)
    response = client_for(owner).get(f"/api/v1/images/{ready_image.pk}/annotations/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_unseen_image_is_404(make_user, client_for, ready_image, bbox_label, owner) -> None:
    _make(ready_image, bbox_label, owner, 1)
    response = client_for(make_user("eve")).get(f"/api/v1/images/{ready_image.pk}/annotations/")
    assert response.status_code == 404


def test_one_annotation_is_shown_as_the_serializer_showed_it(owner, ready_image, bbox_label) -> None:
    for annotation in _make(ready_image, bbox_label, owner, 6):
        annotation.refresh_from_db()
        shown = json.loads(JSONRenderer().render(selectors.annotation_listed(annotation)))
        assert shown == json.loads(JSONRenderer().render(AnnotationOut(annotation).data))
        assert list(shown) == list(AnnotationOut.Meta.fields)
