"""Export jobs: a database row is the truth about each job's state."""

from django.conf import settings
from django.db import models


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ExportJob(models.Model):
    """One request to export a project in one format."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=32)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # refreshed by the worker while running
    attempts = models.PositiveSmallIntegerField(default=0)  # runs started (a dead worker's job is retried)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    size = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.format} export {self.pk} of project {self.project_id}"


class DatasetVersion(models.Model):
    """A frozen, immutable snapshot of a project's labels, stored as a file; exports may name it."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="dataset_versions")
    name = models.CharField(max_length=200)
    notes = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    counts = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64)  # of the stored snapshot file
    size = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="unique_version_name_per_project")]

    def __str__(self) -> str:
        return f"version {self.name!r} of project {self.project_id}"
