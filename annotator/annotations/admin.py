"""Admin for annotations, revisions and review decisions: read-only, so no edit bypasses the history."""

from django.contrib import admin
from django.http import HttpRequest

from annotator.annotations.models import Annotation, ReviewDecision, Revision


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible, never added, changed or deleted through the admin (writes go through services)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    list_display = ["id", "image", "label", "frame", "author", "version", "source", "updated_at"]
    list_filter = ["source", "label__kind"]
    search_fields = ["image__name", "label__name", "author__username"]
    list_select_related = ["image", "label", "author"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "annotation_id", "image", "action", "actor", "version", "at"]
    list_filter = ["action"]
    search_fields = ["=annotation_id", "actor__username"]
    list_select_related = ["image", "actor"]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "image", "decision", "reviewer", "at", "comment"]
    list_filter = ["decision"]
    search_fields = ["image__name", "reviewer__username", "comment"]
    list_select_related = ["image", "reviewer"]
