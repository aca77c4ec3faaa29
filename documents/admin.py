from django.contrib import admin

from documents.models import DeclarationTemplate, Document
from registry.admin import ReadOnlyHistoryAdmin


@admin.register(DeclarationTemplate)
class DeclarationTemplateAdmin(ReadOnlyHistoryAdmin):
    list_display = ("version", "title", "in_force_from")


@admin.register(Document)
class DocumentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("original_name", "kind", "version", "application", "review", "uploaded_at")
    list_filter = ("kind", "review")
    list_select_related = ("application",)
