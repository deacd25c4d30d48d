"""Admin for images: thumbnails in the list, filters by status, a re-process action."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from annotator.imaging.models import Image, ImageStatus
from annotator.imaging.services import image_reprocess


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["id", "preview", "name", "project", "kind", "status", "width", "height", "frames", "workflow_state"]
    list_filter = ["status", "kind", "workflow_state", "project"]
    search_fields = ["name", "site"]
    readonly_fields = [
        "preview",
        "kind",
        "status",
        "error",
        "width",
        "height",
        "frames",
        "metadata",
        "created_at",
        "processed_at",
        "uploaded_by",
        "original_ext",
        "tile_format",
    ]
    actions = ["reprocess"]

    @admin.display(description="thumbnail")
    def preview(self, image: Image) -> str:
        if image.status not in (ImageStatus.READY, ImageStatus.HELD):
            return "—"
        return format_html('<img src="/api/v1/images/{}/thumbnail" style="max-height:64px;max-width:96px">', image.pk)

    @admin.action(description="Re-process selected images (rebuild tiles and thumbnails)")
    def reprocess(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        for image in queryset:
            image_reprocess(image_id=image.pk)
        self.message_user(request, f"{queryset.count()} image(s) queued for re-processing.", messages.SUCCESS)
