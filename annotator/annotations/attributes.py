"""Pure validation of an annotation's attribute values against its label's attribute schema."""

from __future__ import annotations

from typing import Any

from annotator.core.errors import ValidationFailed

_CHECKS = {
    "text": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
}


def validate_attributes(schema: list[dict[str, Any]], values: Any) -> dict[str, Any]:
    """Check values against the schema: known names, right types, required present."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationFailed("Attributes must be an object.", errors={"attributes": ["must be an object"]})
    spec = {item["name"]: item for item in schema}
    problems: list[str] = []
    for name, value in values.items():
        item = spec.get(name)
        if item is None:
            problems.append(f"unknown attribute {name!r}")
        elif item["type"] == "choice":
            if value not in item.get("choices", []):
                problems.append(f"{name!r} must be one of {item.get('choices', [])}")
        elif not _CHECKS.get(item["type"], lambda v: False)(value):
            problems.append(f"{name!r} must be of type {item['type']}")
    for name, item in spec.items():
        if item.get("required") and name not in values:
            problems.append(f"{name!r} is required")
    if problems:
        raise ValidationFailed("Invalid attributes: " + "; ".join(problems) + ".", errors={"attributes": problems})
    return values
