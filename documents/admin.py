from django.contrib import admin

from documents.models import DeclarationTemplate, Document, IssuedDocument
from registry.admin import ReadOnlyHistoryAdmin


@admin.register(Document)
class DocumentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("key", "application", "kind", "version", "content_type", "size", "review")
    list_filter = ("kind", "review", "content_type")
    list_select_related = ("application",)
    search_fields = ("application__reference", "sha256", "original_name")


@admin.register(DeclarationTemplate)
class DeclarationTemplateAdmin(ReadOnlyHistoryAdmin):
    list_display = ("version", "title", "in_force_from")


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("key", "kind", "application", "licence", "issued_at", "sha256")
    list_filter = ("kind",)
    list_select_related = ("application", "licence")
    search_fields = ("application__reference", "licence__number", "sha256")
