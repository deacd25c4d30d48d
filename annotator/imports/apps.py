"""App config: imports of annotations (pre-labels) from COCO and native JSON."""

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "annotator.imports"
    label = "imports"
    verbose_name = "Imports"
