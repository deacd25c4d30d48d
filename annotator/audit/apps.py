"""App config: the append-only audit log."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "annotator.audit"
    label = "audit"
    verbose_name = "Audit log"
