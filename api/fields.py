"""Shared serializer fields: ids and frame numbers bounded so no database sees an out-of-range integer."""

from rest_framework import serializers

MAX_ID = 2**63 - 1
MAX_FRAME = 2**31 - 1


def IdField(**kwargs: object) -> serializers.IntegerField:
    """A positive 64-bit object id."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def FrameField(**kwargs: object) -> serializers.IntegerField:
    """A frame number (0-based)."""
    return serializers.IntegerField(min_value=0, max_value=MAX_FRAME, **kwargs)
