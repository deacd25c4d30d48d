"""TextJSONField: Postgres keeps the text as written (json, not jsonb); values come back as they went in."""

from __future__ import annotations

import pytest
from django.db import connection

from annotator.annotations.models import Annotation

VALUES = [
    {"points": [[0.1, 2.5], [1e-7, 12345.678], [3, 4]], "note": 'é "q" \\ 😀'},
    {"x": 1, "y": 2, "w": 3, "h": 4},
    None,
]


@pytest.mark.parametrize("geometry", VALUES)
def test_values_round_trip(geometry, ready_image, bbox_label, owner) -> None:
    attributes = {"grade": "2", "nested": {"list": [1, None, True], "big": 2**70}}
    made = Annotation.objects.create(
        image=ready_image, label=bbox_label, author=owner, geometry=geometry, attributes=attributes
    )
    again = Annotation.objects.get(pk=made.pk)
    assert again.geometry == geometry and again.attributes == attributes
    assert Annotation.objects.filter(pk=made.pk).values_list("geometry", flat=True).get() == geometry


def test_postgres_stores_json_not_jsonb(ready_image, bbox_label) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the column type only differs on Postgres (set DATABASE_URL)")
    made = Annotation.objects.create(image=ready_image, label=bbox_label, geometry={"x": 1.50, "y": 2})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_typeof(geometry)::text, geometry::text FROM annotations_annotation WHERE id = %s", [made.pk]
        )
        kind, text = cursor.fetchone()
    assert kind == "json" and text == '{"x": 1.5, "y": 2}'  # the text as Django wrote it, copied out as is
