"""Import jobs and the content keys that make importing the same file twice create nothing new."""

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """One uploaded COCO or native file whose annotations become pre-labels of a project."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True, default="")  # for people only; never a path
    mapping = models.JSONField(default=dict, blank=True)  # category name -> label id of this project
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # refreshed by the worker while running
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"import {self.pk} into project {self.project_id}"


class ImportKey(models.Model):
    """The content key of one imported annotation: hash of (image, frame, label, geometry, attributes)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    annotation = models.OneToOneField("annotations.Annotation", on_delete=models.CASCADE, related_name="import_key")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="unique_import_key_per_project")]

    def __str__(self) -> str:
        return f"import key {self.key[:12]} of annotation {self.annotation_id}"
