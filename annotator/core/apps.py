"""App config for shared building blocks."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "annotator.core"
    label = "core"
