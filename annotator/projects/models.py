"""Projects and the label schema that says what may be drawn in them."""

import secrets

from django.conf import settings
from django.db import models

from annotator.core.models import TimeStampedModel


def _new_pseudonym_key() -> str:
    return secrets.token_hex(32)


class Project(TimeStampedModel):
    """A body of images labelled under one schema by one team."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deidentify = models.BooleanField(default=True, help_text="De-identify DICOM uploads at ingest.")
    pseudonym_key = models.CharField(max_length=64, default=_new_pseudonym_key, editable=False)
    annotators_see_all = models.BooleanField(
        default=True, help_text="Annotators see every image; when off, only the images assigned to them."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class LabelKind(models.TextChoices):
    TAG = "tag", "Image-level tag"
    BBOX = "bbox", "Bounding box"
    POLYGON = "polygon", "Polygon"
    POLYLINE = "polyline", "Polyline"
    POINT = "point", "Point"
    MASK = "mask", "Brush mask"


class Label(TimeStampedModel):
    """One entry of a project's label schema."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=7, default="#ff0000")
    kind = models.CharField(max_length=16, choices=LabelKind.choices)
    hotkey = models.CharField(max_length=1, null=True, blank=True)  # noqa: DJ001 (API: null means none)
    attributes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="label_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
