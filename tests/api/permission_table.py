"""The permission table: every endpoint, which roles may call it, and what success looks like.

Rows read: method, path (placeholders filled from the test world), request body, the status a permitted
role gets, and the roles permitted. Any other member role gets 403; a foreign object (a project the caller
is not in) gets 404 for every role; an anonymous caller gets 401.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALL = frozenset({"owner", "manager", "reviewer", "annotator", "viewer"})
MANAGERS = frozenset({"owner", "manager"})
ANNOTATORS = frozenset({"owner", "manager", "reviewer", "annotator"})
REVIEWERS = frozenset({"owner", "manager", "reviewer"})
OWNER = frozenset({"owner"})


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    ok: int
    allowed: frozenset[str]
    body: Any = None
    fmt: str = "json"
    headers: dict[str, str] = field(default_factory=dict)
    foreign: bool = True  # the path names an object that can belong to another project
    overrides: dict[str, int] = field(default_factory=dict)  # role -> status where the rule differs

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    def expected(self, role: str) -> int:
        if role in self.overrides:
            return self.overrides[role]
        return self.ok if role in self.allowed else 403


IF_MATCH = {"HTTP_IF_MATCH": '"1"'}
NOT_YOURS = {role: 404 for role in ALL - OWNER}
HIDDEN_HELD = {role: 404 for role in ALL - MANAGERS}  # held images (burned-in text?) exist only for managers
BOX = {"x": 1, "y": 1, "w": 5, "h": 5}

TABLE: tuple[Row, ...] = (
    Row("GET", "/api/v1/auth/me/", 200, ALL, foreign=False),
    Row("POST", "/api/v1/auth/logout/", 204, ALL, foreign=False),
    Row("GET", "/api/v1/projects/", 200, ALL, foreign=False),
    Row("POST", "/api/v1/projects/", 201, ALL, body={"name": "New"}, foreign=False),
    Row("GET", "/api/v1/projects/{project}/", 200, ALL),
    Row("PATCH", "/api/v1/projects/{project}/", 200, MANAGERS, body={"description": "d"}),
    Row("DELETE", "/api/v1/projects/{project}/", 204, OWNER),
    Row("GET", "/api/v1/projects/{project}/members/", 200, ALL),
    Row("POST", "/api/v1/projects/{project}/members/", 201, MANAGERS, body={"username": "newbie", "role": "viewer"}),
    Row("PATCH", "/api/v1/projects/{project}/members/{membership}/", 200, MANAGERS, body={"role": "reviewer"}),
    Row("DELETE", "/api/v1/projects/{project}/members/{membership}/", 204, MANAGERS),
    Row("GET", "/api/v1/projects/{project}/audit/", 200, MANAGERS),
    Row("GET", "/api/v1/projects/{project}/labels/", 200, ALL),
    Row("POST", "/api/v1/projects/{project}/labels/", 201, MANAGERS, body={"name": "Extra", "kind": "point"}),
    Row("GET", "/api/v1/labels/{label}/", 200, ALL),
    Row("PATCH", "/api/v1/labels/{label}/", 200, MANAGERS, body={"color": "#123456"}),
    Row("DELETE", "/api/v1/labels/{label}/", 409, MANAGERS),  # in use by the world's annotation
    Row("DELETE", "/api/v1/labels/{spare_label}/", 204, MANAGERS),
    Row("GET", "/api/v1/projects/{project}/images/", 200, ALL),
    Row("POST", "/api/v1/projects/{project}/images/", 201, MANAGERS, body="upload", fmt="multipart"),
    Row("POST", "/api/v1/projects/{project}/uploads/", 201, MANAGERS, body={"filename": "big.tif", "size": 10}),
    # An upload belongs to the person who opened it (the owner here): to anyone else it does not exist.
    Row("GET", "/api/v1/uploads/{upload}/", 200, OWNER, overrides=NOT_YOURS),
    Row("PATCH", "/api/v1/uploads/{upload}/", 204, OWNER, body="chunk", overrides=NOT_YOURS),
    Row("POST", "/api/v1/uploads/{upload}/complete/", 409, OWNER, overrides=NOT_YOURS),  # bytes still missing
    Row("DELETE", "/api/v1/uploads/{upload}/", 204, OWNER, overrides=NOT_YOURS),
    Row("GET", "/api/v1/images/{image}/", 200, ALL),
    Row("PATCH", "/api/v1/images/{image}/", 200, MANAGERS, body={"site": "b"}),
    Row("DELETE", "/api/v1/images/{image}/", 204, MANAGERS),
    Row("POST", "/api/v1/images/{held_image}/release/", 200, MANAGERS, overrides=HIDDEN_HELD),
    Row("POST", "/api/v1/images/{image}/reprocess/", 202, MANAGERS),
    Row("GET", "/api/v1/images/{held_image}/", 200, MANAGERS, overrides=HIDDEN_HELD),
    Row("GET", "/api/v1/images/{image}/thumbnail", 200, ALL),
    Row("GET", "/api/v1/images/{image}/dzi", 200, ALL),
    Row("GET", "/api/v1/images/{image}/tiles/{top_level}/0_0.{tile_format}", 200, ALL),
    Row("GET", "/api/v1/images/{image}/frames/0", 200, ALL),
    Row("GET", "/api/v1/images/{image}/annotations/", 200, ALL),
    Row("POST", "/api/v1/images/{image}/annotations/", 201, ANNOTATORS, body={"label": "{label}", "geometry": BOX}),
    Row(
        "POST",
        "/api/v1/images/{image}/annotations/bulk/",
        200,
        ANNOTATORS,
        body={"create": [{"label": "{label}", "geometry": BOX}], "update": [], "delete": []},
    ),
    Row("GET", "/api/v1/annotations/{annotation}/", 200, ALL),
    Row("PATCH", "/api/v1/annotations/{annotation}/", 200, ANNOTATORS, body={"geometry": BOX}, headers=IF_MATCH),
    Row("DELETE", "/api/v1/annotations/{annotation}/", 204, ANNOTATORS, headers=IF_MATCH),
    Row("GET", "/api/v1/annotations/{annotation}/history/", 200, ALL),
    Row(
        "POST",
        "/api/v1/projects/{project}/assignments/",
        200,
        MANAGERS,
        body={"images": ["{image}"], "assignee": "{annotator_id}"},
    ),
    Row("GET", "/api/v1/projects/{project}/next/", 200, ANNOTATORS, overrides={"viewer": 204}),
    Row("GET", "/api/v1/projects/{project}/progress/", 200, ALL),
    Row("POST", "/api/v1/images/{image}/submit/", 200, ANNOTATORS),
    Row("POST", "/api/v1/images/{submitted_image}/review/", 201, REVIEWERS, body={"decision": "accept"}),
    Row("GET", "/api/v1/images/{image}/reviews/", 200, ALL),
    Row("GET", "/api/v1/projects/{project}/exports/", 200, REVIEWERS),
    Row("POST", "/api/v1/projects/{project}/exports/", 202, REVIEWERS, body={"format": "coco"}),
    Row("GET", "/api/v1/exports/{export}/", 200, REVIEWERS),
    Row("GET", "/api/v1/exports/{export}/download", 200, REVIEWERS),
    Row("POST", "/api/v1/exports/{export}/cancel/", 409, REVIEWERS),  # the world's export is done already
    # Importing pre-labels changes many images at once: managers and owners; any member may read the jobs.
    Row("GET", "/api/v1/projects/{project}/imports/", 200, ALL),
    Row("POST", "/api/v1/projects/{project}/imports/", 202, MANAGERS, body="import", fmt="multipart"),
    Row("GET", "/api/v1/imports/{import}/", 200, ALL),
    Row("GET", "/api/v1/projects/{project}/versions/", 200, REVIEWERS),
    Row("POST", "/api/v1/projects/{project}/versions/", 201, REVIEWERS, body={"name": "v2"}),
    Row("GET", "/api/v1/projects/{project}/versions/{version}/", 200, REVIEWERS),
    Row("GET", "/api/v1/projects/{project}/versions/{version}/diff/{version}/", 200, REVIEWERS),
)
