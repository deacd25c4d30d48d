"""What-if variants of the app for the annotations API benchmark: proposed changes patched in at start-up.

NOT the app's behaviour. `annotations_api.py --whatif NAME[,NAME]` serves this module's
`application` instead of `annotator.wsgi:application`, with BENCH_WHATIF naming the patches, so
that a recommendation comes with a measured effect before anyone changes the code. Each patch is a
sketch of the change the benchmark's README recommends, kept small; none is used outside benchmarks.

- `lock_self`: `services._lock` locks only the annotation row (`select_for_update(of=("self",))`)
  instead of the annotation, its image and its label rows.
- `gc_freeze`: `gc.freeze()` once the app is loaded, so full collections skip the app's objects.
- `list_pg_json`: the annotation list page is built as JSON by Postgres (one `json_agg` over the
  page's ids, which the cursor paginator still chooses) and sent as is, skipping model instances,
  DRF fields and json.dumps.
"""

from __future__ import annotations

import gc
import json
import os
from typing import Any

from annotator.wsgi import application  # sets Django up

WHATIF = {name for name in os.environ.get("BENCH_WHATIF", "").split(",") if name}
KNOWN = {"lock_self", "gc_freeze", "list_pg_json"}
if WHATIF - KNOWN:
    raise SystemExit(f"unknown what-if {sorted(WHATIF - KNOWN)}; known: {sorted(KNOWN)}")

PAGE_SQL = """
SELECT coalesce(json_agg(row_to_json(t) ORDER BY t.id), '[]'::json)::text FROM (
    SELECT id, image_id AS image, label_id AS label, frame, geometry, attributes, author_id AS author,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
           to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at,
           version, source
    FROM annotations_annotation WHERE id = ANY(%s)
) t
"""


def _lock_self() -> None:
    from annotator.annotations import services
    from annotator.annotations.models import Annotation

    def _lock(annotation_id: int, expected_version: int) -> Annotation:
        current = (
            Annotation.objects.select_for_update(of=("self",)).select_related("image", "label").get(pk=annotation_id)
        )
        if current.version != expected_version:
            raise services._stale(current, expected_version)
        return current

    services._lock = _lock


def _list_pg_json() -> None:
    from django.db import connection
    from django.http import HttpResponse

    from api.annotations import AnnotationListView

    def list_view(self: Any, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        ids_page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values("id"))
        with connection.cursor() as cursor:
            cursor.execute(PAGE_SQL, [[row["id"] for row in ids_page]])
            results = cursor.fetchone()[0]
        paginator = self.paginator
        head = json.dumps({"next": paginator.get_next_link(), "previous": paginator.get_previous_link()})
        return HttpResponse(head[:-1] + ',"results":' + results + "}", content_type="application/json")

    AnnotationListView.list = list_view


if "lock_self" in WHATIF:
    _lock_self()
if "list_pg_json" in WHATIF:
    _list_pg_json()
if "gc_freeze" in WHATIF:
    gc.collect()
    gc.freeze()

__all__ = ["application"]
