from django.contrib import admin

from registry.admin import ReadOnlyHistoryAdmin
from screening.models import ConcernEntry, DenialRecord, PartyMatch, WatchlistSnapshot


@admin.register(WatchlistSnapshot)
class WatchlistSnapshotAdmin(ReadOnlyHistoryAdmin):
    list_display = ("pk", "source", "fetched_at", "entry_count", "status", "sha256")
    list_filter = ("source", "status")


@admin.register(ConcernEntry)
class ConcernEntryAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "status", "added_by", "added_at")
    list_filter = ("status",)
    search_fields = ("name",)


@admin.register(DenialRecord)
class DenialRecordAdmin(admin.ModelAdmin):
    list_display = ("application", "end_user_name", "country", "product_category", "refused_at")
    list_select_related = ("application", "country")
    search_fields = ("end_user_name", "application__reference")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartyMatch)
class PartyMatchAdmin(ReadOnlyHistoryAdmin):
    list_display = ("pk", "party", "entry_name", "source", "score", "status", "found_at")
    list_filter = ("status", "source")
    list_select_related = ("party",)
    search_fields = ("entry_name", "party__name", "party__application__reference")
