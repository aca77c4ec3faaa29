"""No admin page writes a tracked model or a second-factor device: every POST answers 403.

simple-history's page for one history record (``…/history/<history_id>/``) shows a form without a
button, but saved whatever was POSTed to it, with no history record and no four eyes.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from countries.models import Country, WhitelistChange, WhitelistRevision
from licenses.models import Licence, LicenceApplication, Product, Vendor
from registry.admin import ReadOnlyHistoryAdmin
from registry.audit import history
from registry.audit.reconcile import tracked_models
from registry.models import User
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return User.objects.create_superuser(username="root", password="pw", email="r@example.org")


@pytest.fixture
def view_only_staff():
    """Staff who may only look at the tracked models (``view_…``), as an auditor's account might."""
    user = User.objects.create_user(username="viewer", password="pw", is_staff=True)
    codenames = [f"view_{model._meta.model_name}" for model in tracked_models()]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture(params=["superuser", "view_only_staff"])
def admin_client(request):
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(request.param))
    return client


def _one_of_each() -> dict:
    licence = LicenceFactory()
    application = licence.application
    return {
        Country: Country.objects.get(code="RU"),
        WhitelistRevision: WhitelistRevision.objects.order_by("pk").first(),
        WhitelistChange: WhitelistChange.objects.order_by("pk").first(),
        Vendor: application.vendor,
        Product: application.product,
        LicenceApplication: application,
        Licence: licence,
    }


def _hostile_form(obj) -> dict:
    """The object's own values with its text and flags changed, as a forged POST would carry."""
    data = {}
    for name, value in model_to_dict(obj).items():
        field = obj._meta.get_field(name)
        if value is None or field.auto_created:
            continue
        if isinstance(value, bool):
            if not value:
                data[name] = "on"  # an unchecked box turned on (Russia made eligible)
            continue
        if isinstance(value, datetime.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), "10:00:00"
            continue
        if isinstance(value, datetime.date):
            value = value + datetime.timedelta(days=3650)
        data[name] = value
    keys = {"reference", "number", "code", "alpha3", "currency"}
    for field in obj._meta.concrete_fields:
        text = field.get_internal_type() in {"CharField", "TextField"} and not field.choices
        if text and field.name not in keys:
            data[field.name] = "forged"
    return data


def _row(obj) -> dict:
    return model_to_dict(type(obj).objects.get(pk=obj.pk))


def test_every_tracked_model_is_in_the_admin_and_read_only():
    for model in tracked_models():
        assert isinstance(admin.site._registry.get(model), ReadOnlyHistoryAdmin), model


def test_a_post_to_any_history_record_page_is_refused_and_changes_nothing(admin_client):
    for model, obj in _one_of_each().items():
        before, records = _row(obj), model.history.filter(id=obj.pk).count()
        record = model.history.filter(id=obj.pk).order_by("-audit_seq").first()
        opts = model._meta
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_simple_history",
            args=[obj.pk, record.history_id],
        )
        response = admin_client.post(url, _hostile_form(obj))
        assert response.status_code == 403, (opts.label, response.status_code)
        assert _row(obj) == before, opts.label
        assert model.history.filter(id=obj.pk).count() == records


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_a_post_to_a_change_history_or_delete_page_is_refused(admin_client, view):
    for model, obj in _one_of_each().items():
        before = _row(obj)
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
        response = admin_client.post(url, {**_hostile_form(obj), "post": "yes"})
        assert response.status_code == 403, (opts.label, view, response.status_code)
        assert _row(obj) == before, opts.label


def test_a_post_to_an_add_page_or_a_list_action_is_refused(admin_client):
    for model in tracked_models():
        opts = model._meta
        count = model.objects.count()
        add = admin_client.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"), {})
        changelist = admin_client.post(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            {"action": "delete_selected", "_selected_action": ["1"], "post": "yes"},
        )
        assert (add.status_code, changelist.status_code) == (403, 403), opts.label
        assert model.objects.count() == count


def test_the_history_pages_still_show(superuser):
    client = Client()
    client.force_login(superuser)
    russia = Country.objects.get(code="RU")
    record = russia.history.order_by("-audit_seq").first()
    base = "admin:countries_country"
    for url in [
        reverse(f"{base}_change", args=[russia.pk]),
        reverse(f"{base}_history", args=[russia.pk]),
        reverse(f"{base}_simple_history", args=[russia.pk, record.history_id]),
    ]:
        assert client.get(url).status_code == 200, url


def test_a_saved_tracked_object_outside_the_history_helpers_is_refused():
    russia = Country.objects.get(code="RU")
    russia.eligible = True
    with pytest.raises(history.HistoryBypassError):
        russia.save()
    with pytest.raises(history.HistoryBypassError):
        russia.save_base()
    with pytest.raises(history.HistoryBypassError):
        Vendor.objects.create(name="Ghost Ltd", registration_number="51-9", contact_name="X")
    assert not Country.objects.get(code="RU").eligible
    assert not Vendor.objects.filter(name="Ghost Ltd").exists()


def test_second_factor_devices_cannot_be_changed_in_the_admin(superuser):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    totp = TOTPDevice.objects.create(user=superuser, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=superuser, name="backup", confirmed=True)
    for device in (totp, static):
        opts = device._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        for url, data in [
            (reverse(f"{base}_change", args=[device.pk]), {"name": "x", "user": superuser.pk}),
            (reverse(f"{base}_delete", args=[device.pk]), {"post": "yes"}),
            (reverse(f"{base}_add"), {"name": "x", "user": superuser.pk, "confirmed": "on"}),
        ]:
            assert client.post(url, data).status_code == 403, url
        device.refresh_from_db()
        assert device.name in {"phone", "backup"}
    assert TOTPDevice.objects.count() == StaticDevice.objects.count() == 1
