"""The export registry refuses duplicate keys and knows the COCO writer."""

import pytest

from annotator.exports.registry import DuplicateFormat, get_format, register


def test_coco_is_registered() -> None:
    fmt = get_format("coco")
    assert fmt is not None and fmt.key == "coco"


def test_registering_a_taken_key_raises() -> None:
    with pytest.raises(DuplicateFormat, match="coco"):
        register("coco", "again")(lambda ctx, out: {})
