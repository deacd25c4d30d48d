"""OpenAPI generation: every operation documents the error answers it can give, with the error body."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorOut(serializers.Serializer):
    """{"detail", "code", "errors"?}: what every failing request answers."""

    detail = serializers.CharField(help_text="A sentence for people.")
    code = serializers.CharField(help_text="A machine code, e.g. not_found, invalid, stale_version.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation only: messages per field.",
    )


class ConflictItem(serializers.Serializer):
    id = serializers.IntegerField()
    expected = serializers.IntegerField(allow_null=True)
    current = serializers.IntegerField(allow_null=True)


class StaleOut(ErrorOut):
    """A 412: the error body plus the stale objects."""

    conflicts = ConflictItem(many=True, required=False)


class OffsetConflictOut(ErrorOut):
    """A 409 of a resumable upload: the error body plus the offset the server has."""

    offset = serializers.IntegerField(required=False)


_DESCRIPTIONS = {
    400: "Bad input; `errors` names the fields.",
    401: "No or bad credentials.",
    403: "Your role does not allow this (or a missing CSRF token with a session).",
    404: "The object does not exist or you may not see it.",
    405: "Method not allowed.",
    406: "The Accept header asks for a type this endpoint does not produce.",
    409: "Conflicts with the current state (see `code`).",
    410: "Expired or finished: it can no longer be used.",
    412: "If-Match does not match the current version.",
    413: "Too large for the limits.",
    415: "Unsupported Content-Type.",
    428: "If-Match is required.",
    429: "Too many requests; retry later.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Extra error answers for `extend_schema(responses=...)` beyond the ones every endpoint gets."""
    return {s: OpenApiResponse(StaleOut if s == 412 else ErrorOut, description=_DESCRIPTIONS[s]) for s in statuses}


def offset_conflict() -> dict[int, OpenApiResponse]:
    """409 of a chunk sent at the wrong offset: the body says where to resume."""
    return {
        409: OpenApiResponse(OffsetConflictOut, description="Wrong offset or state; `offset` says where to resume.")
    }


# Answers beyond the common ones, per operation: a declarative table instead of decorators on every view.
EXTRA_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("PATCH", "/api/v1/annotations/{annotation_id}/"): (412, 428),
    ("DELETE", "/api/v1/annotations/{annotation_id}/"): (412, 428),
    ("POST", "/api/v1/images/{image_id}/annotations/bulk/"): (412,),
    ("POST", "/api/v1/projects/{project_id}/images/"): (413,),
    ("POST", "/api/v1/projects/{project_id}/uploads/"): (413,),
    ("GET", "/api/v1/uploads/{upload_id}/"): (410,),
    ("PATCH", "/api/v1/uploads/{upload_id}/"): (410, 413),
    ("DELETE", "/api/v1/uploads/{upload_id}/"): (410,),
    ("POST", "/api/v1/uploads/{upload_id}/complete/"): (410,),
    ("GET", "/api/v1/exports/{export_id}/download"): (409, 410),
}


class ErrorAwareAutoSchema(AutoSchema):
    """Adds the error answers every operation can give: bad input, auth, permission, not found, throttling."""

    def _common_errors(self) -> list[int]:
        statuses = [400, 406, 429]
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            statuses += [401, 403]
        if "{" in self.path or self.method == "GET":  # a GET list answers 404 for a forged cursor
            statuses.append(404)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.append(415)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):  # state conflicts: in use, locked, wrong state
            statuses.append(409)
        return statuses + list(EXTRA_ERRORS.get((self.method, self.path), ()))

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for status in self._common_errors():
            if str(status) not in responses:
                body = offset_conflict()[409] if status == 409 and self.path.startswith("/api/v1/uploads/") else None
                responses[str(status)] = self._get_response_for_code(
                    body or error_responses(status)[status], str(status), direction=direction
                )
        return responses
