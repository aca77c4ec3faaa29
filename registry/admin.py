"""Admin for accounts, and the read-only base for tracked models.

Tracked records are written only through the services, so that the admin gets the same checks and
the same history as the web forms and the API. The admin shows them, with their history, and
offers no add, change or delete of its own.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import User


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Shows a tracked model and its history; writes go through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Vendor", {"fields": ("vendor",)}),)
    list_display = ("username", "email", "vendor", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups")
    list_select_related = ("vendor",)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: history names them.
        return False
