from django.contrib import admin

from licenses.models import (
    Appeal,
    CaseNote,
    DeliveryReport,
    InformationRequest,
    Licence,
    LicenceApplication,
    Party,
    Product,
    Vendor,
)
from registry.admin import ReadOnlyHistoryAdmin


@admin.register(Vendor)
class VendorAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "registration_number", "status")
    list_filter = ("status",)
    search_fields = ("name", "registration_number")


@admin.register(Product)
class ProductAdmin(ReadOnlyHistoryAdmin):
    list_display = ("reference", "name", "vendor", "control_entry", "category")
    list_filter = ("category",)
    list_select_related = ("vendor",)
    search_fields = ("reference", "name", "control_entry")


@admin.register(LicenceApplication)
class LicenceApplicationAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "reference",
        "vendor",
        "licence_type",
        "destination",
        "status",
        "submitted_at",
    )
    list_filter = ("status", "licence_type")
    list_select_related = ("vendor", "destination")
    search_fields = ("reference",)


@admin.register(Licence)
class LicenceAdmin(ReadOnlyHistoryAdmin):
    list_display = ("number", "application", "status", "valid_from", "valid_until")
    list_filter = ("status",)
    list_select_related = ("application",)
    search_fields = ("number",)


@admin.register(Party)
class PartyAdmin(ReadOnlyHistoryAdmin):
    list_display = ("key", "application", "role", "name", "country", "kind")
    list_filter = ("role", "kind")
    list_select_related = ("application", "country")
    search_fields = ("application__reference", "name")


@admin.register(InformationRequest)
class InformationRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = ("application", "status", "due_on", "raised_by", "raised_at")
    list_filter = ("status",)
    list_select_related = ("application", "raised_by")


@admin.register(CaseNote)
class CaseNoteAdmin(ReadOnlyHistoryAdmin):
    list_display = ("application", "author", "shared", "created_at")
    list_filter = ("shared",)
    list_select_related = ("application", "author")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyHistoryAdmin):
    list_display = ("application", "status", "lodged_at", "refused_by", "decided_by")
    list_filter = ("status",)
    list_select_related = ("application", "refused_by", "decided_by")
    search_fields = ("application__reference",)


@admin.register(DeliveryReport)
class DeliveryReportAdmin(ReadOnlyHistoryAdmin):
    list_display = ("licence", "delivered_on", "systems", "installation_country", "reported_at")
    list_filter = ("remote_maintenance",)
    list_select_related = ("licence", "installation_country")
    search_fields = ("licence__number",)
