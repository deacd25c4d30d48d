"""A resumable upload: a declared size, the bytes received so far, and where it stands."""

from django.conf import settings
from django.db import models


class UploadStatus(models.TextChoices):
    OPEN = "open", "Receiving"
    COMPLETE = "complete", "Complete (ingested)"
    FAILED = "failed", "Failed"
    ABORTED = "aborted", "Aborted"


class Upload(models.Model):
    """One file on its way in; its bytes live under settings.ANNOTATOR_UPLOAD_DIR/<id>.part."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="uploads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    size = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    site = models.CharField(max_length=100, blank=True, default="")
    status = models.CharField(max_length=16, choices=UploadStatus.choices, default=UploadStatus.OPEN)
    error = models.TextField(blank=True, default="")
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"upload {self.pk} of {self.filename} ({self.offset}/{self.size})"
