"""Admin for projects: labels and members edited inline."""

from django.contrib import admin

from annotator.accounts.models import Membership
from annotator.projects.models import Label, Project


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
    list_display = ["id", "name", "created_by", "created_at", "deidentify"]
    search_fields = ["name", "description"]
    inlines = [LabelInline, MembershipInline]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "kind", "color", "hotkey", "project"]
    list_filter = ["kind"]
    search_fields = ["name", "project__name"]
