"""App config: Export jobs and dataset formats."""

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "annotator.exports"
    label = "exports"
    verbose_name = "Exports"
