"""App config: Annotations and their revisions."""

from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotator.annotations"
    label = "annotations"
    verbose_name = "Annotations"
