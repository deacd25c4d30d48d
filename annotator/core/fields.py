"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class TextJSONField(models.JSONField):
    """A JSONField kept by Postgres as `json` (its text as written) rather than `jsonb`.

    Listing annotations prints thousands of geometries; Postgres copies `json` text out as it is but
    re-prints `jsonb` number by number, which took half of a 1,000-polygon page (14 against 7 ms).
    The price: no JSON operators, indexes or equality on the column, which nothing here uses.
    Other databases store JSONField as text already.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is not None and not isinstance(value, str):
            return value  # psycopg2 decodes `json` columns itself (it hands Django `jsonb` as text)
        return super().from_db_value(value, expression, connection)
