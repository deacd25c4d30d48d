"""One error body for every failure: {"detail", "code", "errors"?}; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, DataError, IntegrityError, ProgrammingError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotator.core import errors

logger = logging.getLogger(__name__)
DATABASE_DOWN = "The database became unreachable during the request; try again in a few seconds."

_STATUS = {
    errors.TooLarge: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    errors.Gone: status.HTTP_410_GONE,
    errors.ValidationFailed: status.HTTP_400_BAD_REQUEST,
    errors.RejectedFile: status.HTTP_400_BAD_REQUEST,
    errors.NotFound: status.HTTP_404_NOT_FOUND,
    errors.PermissionDenied: status.HTTP_403_FORBIDDEN,
    errors.Conflict: status.HTTP_409_CONFLICT,
    errors.PreconditionFailed: status.HTTP_412_PRECONDITION_FAILED,
    errors.PreconditionRequired: status.HTTP_428_PRECONDITION_REQUIRED,
    errors.TooManyAttempts: status.HTTP_429_TOO_MANY_REQUESTS,
}


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(x) for x in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(detail: str, code: str, field_errors: dict | None = None) -> dict[str, Any]:
    """The error body every endpoint answers with."""
    body: dict[str, Any] = {"detail": detail, "code": code}
    if field_errors:
        body["errors"] = field_errors
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain errors and DRF errors to the documented error body."""
    if isinstance(exc, errors.AnnotatorError):
        code = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), status.HTTP_400_BAD_REQUEST)
        response = Response({**error_body(exc.detail, exc.code, exc.errors), **exc.extra}, status=code)
        if isinstance(exc, errors.TooManyAttempts):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DatabaseError) and not isinstance(exc, IntegrityError | DataError | ProgrammingError):
        logger.warning("database unavailable during %s: %s", context.get("view").__class__.__name__, exc)
        response = Response(
            error_body(DATABASE_DOWN, "database_unavailable"),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = "5"
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field_errors = _flatten(exc.detail)
        first = next(iter(field_errors.items()))
        detail = f"Invalid input: {first[0]}: {first[1][0]}"
        response.data = error_body(detail, "invalid", field_errors)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = error_body(str(exc.detail), codes if isinstance(codes, str) else "error")
    return response
