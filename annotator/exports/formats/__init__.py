"""Export formats; importing this package registers each of them."""

from annotator.exports.formats import coco  # noqa: F401
