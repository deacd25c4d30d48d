"""App config: resumable uploads."""

from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "annotator.uploads"
    label = "uploads"
    verbose_name = "Uploads"
