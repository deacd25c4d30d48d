"""App config: Images, ingest and tiles."""

from django.apps import AppConfig


class ImagingConfig(AppConfig):
    name = "annotator.imaging"
    label = "imaging"
    verbose_name = "Imaging"
