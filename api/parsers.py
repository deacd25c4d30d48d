"""Multipart uploads that report every file they cannot take, instead of Django's silent drop or a failed request.

Django's multipart parser silently skips a file part named "", "." or "..", and fails the whole
request when one part's headers pass 1,024 bytes (a 1,000-character file name does). This parser lets
such parts through under a placeholder name, drops their bytes, and lists each under REJECTED_KEY
with the reason, which the upload view puts in the answer's `rejected`.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import QueryDict
from django.http import multipartparser as django_multipart
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, MultiPartParser

from annotator.imaging.ingest import display_name, name_problem

REJECTED_KEY = "\x1frejected-files"  # a form key no browser sends; the view reads it
PLACEHOLDER = "\x1frejected"  # no dot: Django derives temporary-file suffixes from the extension
# A part's headers may reach this many bytes (Django's module default is 1,024); names longer than
# ANNOTATOR's limit are then refused one by one below, not as a failed request.
django_multipart.MAX_TOTAL_HEADER_SIZE = max(django_multipart.MAX_TOTAL_HEADER_SIZE, 16 * 1024)


class _ReportingParser(django_multipart.MultiPartParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused: list[dict[str, str]] = []

    def sanitize_file_name(self, file_name: str) -> str | None:
        problem = name_problem(file_name)
        if problem is None:
            return super().sanitize_file_name(file_name)
        detail, code = problem
        self.refused.append({"filename": display_name(file_name), "detail": detail, "code": code})
        return PLACEHOLDER


class ReportingMultiPartParser(MultiPartParser):
    """multipart/form-data whose badly named files come back as rejections (see the module docstring)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> DataAndFiles:
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        try:
            parser = _ReportingParser(meta, stream, request.upload_handlers, parser_context.get("encoding", "utf-8"))
            data, files = parser.parse()
        except django_multipart.MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
        if not parser.refused:
            return DataAndFiles(data, files)
        for key in list(files):
            kept = [f for f in files.getlist(key) if f.name != PLACEHOLDER]
            for dropped in files.getlist(key):
                if dropped.name == PLACEHOLDER:
                    dropped.close()
            files.setlist(key, kept)
        data = data.copy() if isinstance(data, QueryDict) else data
        data.setlist(REJECTED_KEY, [json.dumps(item) for item in parser.refused])
        return DataAndFiles(data, files)


def refused_files(data: Any) -> list[dict[str, str]]:
    """The rejections ReportingMultiPartParser recorded for a request's form data."""
    getlist = getattr(data, "getlist", None)
    return [json.loads(item) for item in getlist(REJECTED_KEY)] if getlist else []
