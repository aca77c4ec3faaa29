from django.contrib import admin

from countries.models import Country, WhitelistChange, WhitelistRevision
from registry.admin import ReadOnlyHistoryAdmin


@admin.register(Country)
class CountryAdmin(ReadOnlyHistoryAdmin):
    list_display = ("code", "name", "alpha3", "eligible")
    list_filter = ("eligible",)
    search_fields = ("code", "alpha3", "name")


class WhitelistChangeInline(admin.TabularInline):
    model = WhitelistChange
    fields = ("action", "country")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WhitelistRevision)
class WhitelistRevisionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("reference", "title", "status", "applied_at")
    list_filter = ("status",)
    search_fields = ("reference", "title")
    inlines = [WhitelistChangeInline]


@admin.register(WhitelistChange)
class WhitelistChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("revision", "action", "country")
    list_filter = ("action",)
    list_select_related = ("revision", "country")
