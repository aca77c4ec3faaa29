"""Admin for accounts, and the read-only bases for tracked models and second-factor devices.

Tracked records are written only through the services, so that the admin gets the same checks and
the same history as the web forms and the API. The admin shows them, with their history, and
offers no add, change or delete of its own. Permissions alone are not enough: simple-history's
page for one history record saves whatever is POSTed to it whatever they say, so every view of
these admins answers a write with 403 before it does anything.

Second-factor devices are changed through ``registry.accounts.services`` (enrolment, backup codes,
reset), so django-otp's admins are replaced by read-only ones.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django_otp.plugins.otp_static import admin as otp_static_admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as otp_totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from registry.models import ApiToken, User

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _refuse_writes(request) -> None:
    if request.method not in _READS:
        raise PermissionDenied("The admin is read-only here: changes go through the services.")


class RefuseWritesMixin:
    """Every view answers 403 to anything but a read, and offers no add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj)]
        return fields + [f.name for f in self.model._meta.fields if f.name not in fields]

    def get_actions(self, request):
        return {}

    def changelist_view(self, request, extra_context=None):
        _refuse_writes(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        _refuse_writes(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        _refuse_writes(request)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        _refuse_writes(request)
        return super().history_view(request, object_id, extra_context)


class ReadOnlyHistoryAdmin(RefuseWritesMixin, SimpleHistoryAdmin):
    """Shows a tracked model and its history; writes go through the services."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _refuse_writes(request)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyTOTPDeviceAdmin(RefuseWritesMixin, otp_totp_admin.TOTPDeviceAdmin):
    pass


class ReadOnlyStaticDeviceAdmin(RefuseWritesMixin, otp_static_admin.StaticDeviceAdmin):
    pass


# django-otp's admin modules are imported above, so their own registrations have run.
for _model, _admin in [
    (TOTPDevice, ReadOnlyTOTPDeviceAdmin),
    (StaticDevice, ReadOnlyStaticDeviceAdmin),
]:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


@admin.register(User)
class RegistryUserAdmin(ReadOnlyHistoryAdmin, UserAdmin):
    """Shows accounts and their history; changes are made by the account commands.

    The admin's forms would change groups, activation and the vendor link with no reason and no
    history record (only the editable ``django_admin_log``), so every page of it, the password
    form included, answers a write with 403: ``manage.py create_user``, ``set_roles``,
    ``deactivate_user``, ``activate_user`` and ``link_vendor`` record who and why. The password
    hash is not shown.
    """

    fieldsets = (
        (None, {"fields": ("username",)}),
        *UserAdmin.fieldsets[1:],
        ("Vendor and roles", {"fields": ("vendor", "roles")}),
    )
    list_display = ("username", "email", "vendor", "roles", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups")
    list_select_related = ("vendor",)

    def get_readonly_fields(self, request, obj=None):
        return [name for _, options in self.fieldsets for name in options["fields"]]

    def get_urls(self):
        return [self._refusing_writes(url) for url in super().get_urls()]

    @staticmethod
    def _refusing_writes(url):
        """Every page of the user admin answers a write with 403, whatever it would do."""
        view = url.callback

        def guarded(request, *args, **kwargs):
            _refuse_writes(request)
            return view(request, *args, **kwargs)

        url.callback = update_wrapper(guarded, view)
        return url


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyHistoryAdmin):
    list_display = ("prefix", "name", "user", "created_at", "expires_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__username")
