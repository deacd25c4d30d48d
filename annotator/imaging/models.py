"""Images: one uploaded picture, slide, DICOM file or series, with its processing state."""

from django.conf import settings
from django.db import models

from annotator.core.models import TimeStampedModel


class ImageKind(models.TextChoices):
    RASTER = "raster", "Raster (PNG/JPEG/TIFF)"
    SLIDE = "slide", "Whole slide"
    DICOM = "dicom", "DICOM"


class ImageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    HELD = "held", "Held for review of burned-in text"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class WorkflowState(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class TileFormat(models.TextChoices):
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"


class Image(TimeStampedModel):
    """An image of a project; files live under storage.image_dir(id)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="images")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=ImageKind.choices)
    status = models.CharField(max_length=16, choices=ImageStatus.choices, default=ImageStatus.PENDING, db_index=True)
    error = models.TextField(blank=True, default="")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    frames = models.PositiveIntegerField(default=1)
    metadata = models.JSONField(default=dict, blank=True)
    original_ext = models.CharField(max_length=8, default="bin")
    tile_format = models.CharField(max_length=8, choices=TileFormat.choices, default=TileFormat.JPEG)
    site = models.CharField(max_length=100, blank=True, default="")
    workflow_state = models.CharField(
        max_length=16, choices=WorkflowState.choices, default=WorkflowState.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # refreshed by the worker while processing
    attempts = models.PositiveSmallIntegerField(default=0)  # processing runs started since the last (re)queue

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return self.name
