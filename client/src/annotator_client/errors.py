"""The one exception the client raises for an API error, carrying the server's code and detail."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed request: HTTP status, the API's machine `code`, its sentence `detail` and field `errors`."""

    def __init__(self, status: int, code: str, detail: str, errors: dict[str, Any] | None = None, body: Any = None):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or {}
        self.body = body

    @classmethod
    def from_response(cls, response: Any) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            return cls(
                response.status_code,
                str(body.get("code", f"http_{response.status_code}")),
                str(body.get("detail", response.reason)),
                body.get("errors"),
                body,
            )
        return cls(response.status_code, f"http_{response.status_code}", response.reason or "request failed")


class ChecksumError(Exception):
    """A downloaded file does not match its SHA-256."""
