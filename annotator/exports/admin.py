"""Admin for export jobs (read-only: they are created through the API)."""

from django.contrib import admin
from django.http import HttpRequest

from annotator.exports.models import DatasetVersion, ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "format", "status", "progress", "created_by", "created_at", "finished_at", "size"]
    list_filter = ["status", "format"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(DatasetVersion)
class DatasetVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "name", "created_by", "created_at", "sha256"]
    readonly_fields = [f.name for f in DatasetVersion._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # versions are immutable
