"""The one error hierarchy services raise; the API maps each to a status code."""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base error: a human sentence plus a machine code."""

    code = "error"

    def __init__(self, detail: str, *, code: str | None = None, errors: dict | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors
        self.extra = extra or {}


class ValidationFailed(AnnotatorError):
    """Input is wrong; `errors` names the fields."""

    code = "invalid"


class NotFound(AnnotatorError):
    """The object does not exist or the caller may not see it."""

    code = "not_found"


class PermissionDenied(AnnotatorError):
    """The caller may see the object but not do this to it."""

    code = "permission_denied"


class Conflict(AnnotatorError):
    """The request conflicts with the object's current state."""

    code = "conflict"


class PreconditionFailed(AnnotatorError):
    """A stale version was given (If-Match did not match)."""

    code = "stale_version"


class PreconditionRequired(AnnotatorError):
    """A version was required but not given."""

    code = "precondition_required"


class RejectedFile(AnnotatorError):
    """An uploaded file cannot be ingested; the detail says why."""

    code = "rejected_file"


class TooLarge(AnnotatorError):
    """A declared size, a chunk or a file exceeds a limit."""

    code = "too_large"


class Gone(AnnotatorError):
    """The object existed but can no longer be used (expired, aborted, finished)."""

    code = "gone"


class TooManyAttempts(AnnotatorError):
    """Too many failed logins for an account or from an address; `retry_after` in seconds."""

    code = "too_many_attempts"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after
