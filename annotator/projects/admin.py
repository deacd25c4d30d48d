"""Admin for projects: labels and members edited inline, a progress page, deletes through the service."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from annotator.accounts.models import Membership
from annotator.annotations.selectors import project_progress
from annotator.projects.models import Label, Project
from annotator.projects.services import project_delete


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0
    fields = ["name", "kind", "color", "hotkey", "attributes"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "created_by", "created_at", "deidentify", "annotators_see_all", "progress_link"]
    list_filter = ["deidentify", "annotators_see_all"]
    search_fields = ["name", "description"]
    inlines = [LabelInline, MembershipInline]
    readonly_fields = ["created_at", "updated_at"]

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.progress_view)
        return [path("<int:project_id>/progress/", view, name="projects_project_progress"), *super().get_urls()]

    @admin.display(description="progress")
    def progress_link(self, project: Project) -> str:
        return format_html('<a href="{}">progress</a>', reverse("admin:projects_project_progress", args=[project.pk]))

    def progress_view(self, request: HttpRequest, project_id: int) -> HttpResponse:
        project = get_object_or_404(Project, pk=project_id)
        if not self.has_view_permission(request, project):
            return HttpResponse(status=403)
        progress = project_progress(project=project)
        states = [(k, v) for k, v in progress["images"].items() if k != "total"]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Progress of {project.name}",
            "project": project,
            "progress": progress,
            "states": states,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/projects/progress.html", context)

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        project_delete(project=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            project_delete(project=project)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        deleted, counts, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, []  # annotations go with the project on purpose


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "kind", "color", "hotkey", "project"]
    list_filter = ["kind"]
    search_fields = ["name", "project__name"]
