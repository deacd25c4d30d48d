"""The browser's attribute check (frontend/src/core/attributes.ts) never lets through what the server refuses."""

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.annotations.attributes import validate_attributes
from annotator.core.errors import ValidationFailed
from annotator.projects.services import validate_label_attributes

CASES_FILE = Path(__file__).resolve().parents[2] / "frontend" / "test" / "fixtures" / "attributeCases.json"
DATA: dict[str, Any] = json.loads(CASES_FILE.read_text())
SCHEMA: list[dict[str, Any]] = validate_label_attributes(DATA["schema"])


def _accepts(values: dict[str, Any]) -> bool:
    try:
        validate_attributes(SCHEMA, values)
    except ValidationFailed:
        return False
    return True


def test_the_shared_schema_is_one_the_server_stores_unchanged() -> None:
    assert DATA["schema"] == SCHEMA


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["name"] for c in DATA["cases"]])
def test_server_verdict_on_the_raw_input_is_what_the_case_says(case: dict[str, Any]) -> None:
    assert _accepts(case["input"]) is case["server_accepts_input"]


@pytest.mark.parametrize("case", [c for c in DATA["cases"] if c["browser"]["ok"]], ids=lambda c: c["name"])
def test_values_the_browser_cleans_are_accepted_by_the_server(case: dict[str, Any]) -> None:
    assert _accepts(case["browser"]["values"])
