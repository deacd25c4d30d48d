"""Admin for images: thumbnails, filters, actions; "Add" goes to the upload page so every image takes the one ingest."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import QueryDict
from django.template.response import TemplateResponse
from django.utils.html import format_html

from annotator.annotations import workflow
from annotator.core.errors import AnnotatorError
from annotator.imaging.models import Image, ImageStatus, WorkflowState
from annotator.imaging.services import image_delete, image_reprocess


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.order_by("username"), required=False)
    reviewer = forms.ModelChoiceField(queryset=get_user_model().objects.order_by("username"), required=False)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "preview",
        "name",
        "project",
        "kind",
        "status",
        "width",
        "height",
        "frames",
        "workflow_state",
        "assignee",
        "reviewer",
    ]
    list_filter = ["status", "kind", "workflow_state", "project", "site"]
    search_fields = ["name", "site", "assignee__username", "reviewer__username"]
    list_select_related = ["project", "assignee", "reviewer"]
    raw_id_fields = ["assignee", "reviewer", "uploaded_by"]
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
    actions = ["reprocess", "assign", "reopen", "mark_accepted"]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        """An image without its file would stay pending forever: "Add" opens the app's upload page instead."""
        filters = QueryDict(request.GET.get("_changelist_filters", ""))
        project = filters.get("project__id__exact") or request.GET.get("project", "")
        target = f"/#/projects/{project}/upload" if project.isdigit() else "/#/"
        if not project.isdigit():
            self.message_user(request, "Open a project and choose Upload images.", messages.INFO)
        return HttpResponseRedirect(target)

    def delete_model(self, request: HttpRequest, obj: Image) -> None:
        image_delete(image=obj)  # the service also removes the image's files

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        for image in queryset:
            image_delete(image=image)

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

    @admin.action(description="Assign selected images to an annotator and/or reviewer")
    def assign(self, request: HttpRequest, queryset: QuerySet[Image]) -> HttpResponse | None:
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            assignee, reviewer = form.cleaned_data["assignee"], form.cleaned_data["reviewer"]
            done = 0
            for project_id in set(queryset.values_list("project_id", flat=True)):
                images = queryset.filter(project_id=project_id)
                try:
                    workflow.assignment_set(
                        project=images.first().project,
                        image_ids=list(images.values_list("pk", flat=True)),
                        assignee=assignee.pk if assignee else None,
                        reviewer=reviewer.pk if reviewer else None,
                    )
                    done += images.count()
                except AnnotatorError as exc:
                    self.message_user(request, f"Project {project_id}: {exc.detail}", messages.ERROR)
            if done:
                self.message_user(request, f"{done} image(s) assigned.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Assign images",
            "form": form,
            "images": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/imaging/assign.html", context)

    @admin.action(description="Reopen selected images (back to in progress)")
    def reopen(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        count = queryset.update(workflow_state=WorkflowState.IN_PROGRESS)
        self.message_user(request, f"{count} image(s) reopened.", messages.SUCCESS)

    @admin.action(description="Mark selected images accepted")
    def mark_accepted(self, request: HttpRequest, queryset: QuerySet[Image]) -> None:
        count = queryset.update(workflow_state=WorkflowState.ACCEPTED)
        self.message_user(request, f"{count} image(s) marked accepted.", messages.SUCCESS)
