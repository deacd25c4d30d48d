"""Admin for annotations and their read-only revision trail."""

from django.contrib import admin
from django.http import HttpRequest

from annotator.annotations.models import Annotation, Revision


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["id", "image", "label", "frame", "author", "version", "source", "updated_at"]
    list_filter = ["source", "label__kind"]
    search_fields = ["image__name", "label__name"]
    readonly_fields = ["version", "created_at", "updated_at"]
    raw_id_fields = ["image", "label", "author"]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["id", "annotation_id", "image", "action", "actor", "version", "at"]
    list_filter = ["action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
