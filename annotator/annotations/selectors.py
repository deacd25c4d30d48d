"""Reads about annotation work: per-project and per-annotator progress, and the JSON of listed annotations."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Count

from annotator.accounts.models import Membership
from annotator.annotations.models import Annotation
from annotator.imaging.models import Image, WorkflowState
from annotator.projects.models import Project


def project_progress(*, project: Project) -> dict[str, Any]:
    """Image counts by workflow state, and per member: assigned images by state and annotations authored."""
    states = {state: 0 for state in WorkflowState.values}
    for row in Image.objects.filter(project=project).values("workflow_state").annotate(n=Count("id")):
        states[row["workflow_state"]] = row["n"]
    per_user: dict[int, dict[str, Any]] = {}
    members = Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    for member in members:
        per_user[member.user_id] = {
            "user": {"id": member.user_id, "username": member.user.get_username()},
            "role": member.role,
            "assigned": 0,
            "annotations": 0,
            **{state: 0 for state in WorkflowState.values},
        }
    assigned = Image.objects.filter(project=project, assignee__isnull=False)
    for row in assigned.values("assignee_id", "workflow_state").annotate(n=Count("id")):
        entry = per_user.get(row["assignee_id"])
        if entry is not None:
            entry[row["workflow_state"]] += row["n"]
            entry["assigned"] += row["n"]
    authored = Annotation.objects.filter(image__project=project, author__isnull=False)
    for row in authored.values("author_id").annotate(n=Count("id")):
        if row["author_id"] in per_user:
            per_user[row["author_id"]]["annotations"] = row["n"]
    total = sum(states.values())
    return {
        "images": {"total": total, **states},
        "done_fraction": round(states[WorkflowState.ACCEPTED] / total, 4) if total else 0.0,
        "annotations": Annotation.objects.filter(image__project=project).count(),
        "members": list(per_user.values()),
    }


# The listed fields, in the API's order (AnnotationOut's), as (JSON key, database column).
LISTED_FIELDS = (
    ("id", "id"),
    ("image", "image_id"),
    ("label", "label_id"),
    ("frame", "frame"),
    ("geometry", "geometry"),
    ("attributes", "attributes"),
    ("author", "author_id"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
    ("version", "version"),
    ("source", "source"),
)
_TIMESTAMPS = {"created_at", "updated_at"}


def annotations_json(*, ids: Sequence[int]) -> str:
    """The JSON text of a list of the annotations with these ids, in id order, as the API lists them."""
    if not ids:
        return "[]"
    build = _annotations_json_pg if connection.vendor == "postgresql" else _annotations_json_py
    # As DRF's JSONRenderer does: these two are valid in JSON strings but not in JavaScript source.
    return build(list(ids)).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _timestamp_sql(column: str) -> str:
    """SQL rendering a timestamptz as DRF does: ISO 8601 in UTC, microseconds only when non-zero, then Z."""
    utc = f"({connection.ops.quote_name(column)} AT TIME ZONE 'UTC')"
    return f"replace(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"


def _column_sql(key: str, column: str) -> str:
    """One listed field as a select-list item named by its JSON key."""
    expression = _timestamp_sql(column) if key in _TIMESTAMPS else connection.ops.quote_name(column)
    return f"{expression} AS {connection.ops.quote_name(key)}"


def _annotations_json_pg(ids: list[int]) -> str:
    """The list built by Postgres: jsonb columns are copied as text, never decoded in Python."""
    columns = ", ".join(_column_sql(key, column) for key, column in LISTED_FIELDS)
    table = connection.ops.quote_name(Annotation._meta.db_table)
    sql = (
        "SELECT coalesce(json_agg(row_to_json(t) ORDER BY t.id), '[]'::json)::text "
        f"FROM (SELECT {columns} FROM {table} WHERE id = ANY(%s)) t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids])
        return cursor.fetchone()[0]


def api_timestamp(value: dt.datetime) -> str:
    """A datetime as DRF renders it (USE_TZ, TIME_ZONE UTC): ISO 8601 in UTC, Z for +00:00."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def annotation_listed(annotation: Annotation) -> dict[str, Any]:
    """One annotation as the API shows it (AnnotationOut's keys and values), without a serializer per response."""
    return {
        key: api_timestamp(getattr(annotation, column)) if key in _TIMESTAMPS else getattr(annotation, column)
        for key, column in LISTED_FIELDS
    }


def _annotations_json_py(ids: list[int]) -> str:
    """The same list built in Python, for databases without JSON aggregation (SQLite in development)."""
    rows = Annotation.objects.filter(id__in=ids).order_by("id").values(*(column for _, column in LISTED_FIELDS))
    listed = [
        {key: api_timestamp(row[column]) if key in _TIMESTAMPS else row[column] for key, column in LISTED_FIELDS}
        for row in rows
    ]
    return json.dumps(listed, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
