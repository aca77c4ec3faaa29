"""Admin for accounts, and the read-only base for tracked models.

Tracked records are written only through the services, so that the admin gets the same checks and
the same history as the web forms and the API. The admin shows them, with their history, and
offers no add, change or delete of its own.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
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
    """Shows accounts; changes to them are made by the account commands, through the services.

    The admin's forms would change groups, activation and the vendor link with no reason and no
    history record (only the editable ``django_admin_log``), so every write is refused (403):
    ``manage.py create_user``, ``set_roles``, ``deactivate_user``, ``activate_user`` and
    ``link_vendor`` record who and why.
    """

    fieldsets = UserAdmin.fieldsets + (("Vendor and roles", {"fields": ("vendor", "roles")}),)
    list_display = ("username", "email", "vendor", "roles", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups")
    list_select_related = ("vendor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    def get_urls(self):
        return [self._refusing_writes(url) for url in super().get_urls()]

    @staticmethod
    def _refusing_writes(url):
        """Every page of the user admin answers a write with 403, whatever it would do."""
        view = url.callback

        def guarded(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                raise PermissionDenied("Accounts are changed by the account commands.")
            return view(request, *args, **kwargs)

        if hasattr(url, "callback") and hasattr(url, "pattern"):
            url.callback = update_wrapper(guarded, view)
        return url


# django-otp registers admins for the second factor's devices that add, edit and delete them: a
# key or a backup code changed there would bypass the account services and their history
# record. They are shown only (keys hidden); removal is ``manage.py reset_second_factor``.
class ReadOnlyDeviceAdmin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for _model, _admin in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_admin.__name__, (ReadOnlyDeviceAdmin, _admin), {}))
