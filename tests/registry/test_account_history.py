"""Changes to accounts are in the history and the chain, made through the account services.

They used to be recorded only in the admin's editable ``django_admin_log``: a role given or
taken, an account deactivated, a vendor linked left no trace an auditor could trust.
"""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection

from registry import roles
from registry.accounts import services
from registry.audit import chain, history
from registry.models import User
from tests.accounts.conftest import code_for
from tests.factories import VendorFactory, user_with_role

pytestmark = pytest.mark.django_db


def verify() -> str:
    try:
        call_command("verify_audit", stdout=io.StringIO())
    except CommandError as error:
        return str(error)
    return ""


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@agency.example", "pw")


def test_each_account_change_is_a_history_record_with_who_and_why(admin_user):
    vendor = VendorFactory()
    user = services.create_user(
        by=admin_user,
        reason="Joins the licensing desk",
        username="noa",
        role_names=[roles.OFFICIALS],
        email="noa@agency.example",
    )
    services.set_roles(
        user=user, role_names=[roles.SENIOR_OFFICIALS], by=admin_user, reason="Promoted"
    )
    services.deactivate_user(user=user, by=admin_user, reason="Left the ministry")
    clerk = services.create_user(
        by=admin_user,
        reason="Vendor's compliance officer",
        username="dana",
        role_names=[roles.VENDORS],
    )
    services.link_vendor(user=clerk, vendor=vendor, by=admin_user, reason="Acme's officer")

    records = list(user.history.order_by("audit_seq"))
    assert [(r.history_type, r.history_username, r.history_change_reason) for r in records] == [
        ("+", "root", "Joins the licensing desk"),
        ("~", "root", "Promoted"),
        ("~", "root", "Left the ministry"),
    ]
    assert [(r.roles, r.is_active) for r in records] == [
        ("officials", True),
        ("senior_officials", True),
        ("senior_officials", False),
    ]
    assert clerk.history.latest().vendor_id == vendor.pk
    assert all(r.audit_seq is not None and r.audit_hash for r in records)
    assert verify() == ""


def test_the_password_hash_and_last_sign_in_are_never_in_the_history(client, official):
    fields = {f.name for f in User.history.model._meta.fields}
    assert "password" not in fields and "last_login" not in fields
    before = official.history.count()
    assert (
        client.post("/accounts/login/", {"username": "official", "password": "pw"}).status_code
        == 302
    )
    official.set_password("a-new-long-password-7")
    official.save()
    assert official.history.count() == before
    assert verify() == ""


def test_a_field_saved_outside_the_services_is_refused(official):
    official.is_active = False
    with pytest.raises(history.HistoryBypassError):
        official.save()


def test_a_group_changed_behind_the_trail_is_reported(official):
    official.groups.add(Group.objects.get(name=roles.SENIOR_OFFICIALS))
    message = verify()
    assert "official is in the groups [officials,senior_officials]" in message
    assert "records the roles [officials]" in message


def test_an_account_edited_with_sql_is_reported(official):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_user SET is_active = %s WHERE id = %s", [False, official.pk]
        )
    assert f"registry.User id {official.pk}" in verify()


def test_second_factor_enrolment_and_removal_are_recorded_without_secrets(official, admin_user):
    device = services.start_enrolment(user=official)
    _, codes = services.confirm_enrolment(user=official, code=code_for(device))
    services.replace_backup_codes(user=official)
    services.remove_second_factor(user=official, by=admin_user, reason="Lost phone")
    reasons = [r.history_change_reason for r in official.history.order_by("audit_seq")][1:]
    assert reasons == [
        "Second factor: authenticator app enrolled",
        "Second factor: backup codes replaced",
        "Second factor: authenticator app and backup codes removed — Lost phone",
    ]
    assert official.history.latest().history_username == "root"
    for record in official.history.all():
        text = chain.canonical(record).decode()
        assert device.key not in text
        assert not any(code in text for code in codes)
    assert verify() == ""


def test_the_user_admin_refuses_every_write(client, admin_user, official):
    client.force_login(admin_user)
    change = f"/admin/registry/user/{official.pk}/change/"
    assert client.get(change).status_code == 200
    posts = {
        change: {"username": "official", "is_active": "", "groups": []},
        "/admin/registry/user/add/": {
            "username": "x",
            "password1": "p-8-long-x",
            "password2": "p-8-long-x",
        },
        f"/admin/registry/user/{official.pk}/password/": {
            "password1": "p-8-long-x",
            "password2": "p-8-long-x",
        },
        f"/admin/registry/user/{official.pk}/delete/": {"post": "yes"},
        "/admin/registry/user/": {"action": "delete_selected", "_selected_action": [official.pk]},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    official.refresh_from_db()
    assert official.is_active and official.roles == "officials"
    assert official.check_password("pw")
    assert official.history.count() == 1


def test_operators_manage_accounts_with_commands(admin_user):
    vendor = VendorFactory()
    out = io.StringIO()
    call_command(
        "create_user",
        "maya",
        "--role",
        "vendors",
        "--vendor",
        vendor.registration_number,
        "--email",
        "maya@acme.example",
        "--reason",
        "Acme's new officer",
        "--actor",
        "root",
        stdout=out,
    )
    call_command("set_roles", "maya", "--none", "--reason", "Role review", stdout=out)
    call_command("link_vendor", "maya", "--unlink", "--reason", "Left Acme", stdout=out)
    call_command("deactivate_user", "maya", "--reason", "Left Acme", stdout=out)
    call_command("activate_user", "maya", "--reason", "Back", stdout=out)
    maya = User.objects.get(username="maya")
    records = list(maya.history.order_by("audit_seq"))
    assert [r.history_username for r in records] == ["root", "system", "system", "system", "system"]
    assert records[0].history_change_reason.startswith(
        "Acme's new officer (manage.py create_user, OS user "
    )
    assert (records[-1].roles, records[-1].vendor_id, records[-1].is_active) == ("", None, True)
    assert verify() == ""


@pytest.mark.parametrize(
    "args,message",
    [
        (["create_user", "x", "--role", "officials"], "--reason"),
        (
            ["create_user", "x", "--role", "officials", "--reason", "r", "--actor", "official"],
            "not an active superuser",
        ),
        (["create_user", "official", "--role", "officials", "--reason", "r"], "already exists"),
        (["set_roles", "nobody", "--role", "officials", "--reason", "r"], "No user named"),
        (["deactivate_user", "system", "--reason", "r"], "system actor never signs in"),
        (["link_vendor", "official", "51-0000404", "--reason", "r"], "No vendor"),
    ],
)
def test_account_commands_refuse_bad_requests_clearly(official, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())


def test_the_auditors_pages_show_account_changes(client, auditor, admin_user, official):
    services.set_roles(
        user=official, role_names=[roles.AUDITORS], by=admin_user, reason="Moved to audit"
    )
    client.force_login(auditor)
    page = client.get("/audit/user/official/").content.decode()
    assert "Moved to audit" in page
    timeline = client.get("/audit/?kind=user").content.decode()
    assert "Moved to audit" in timeline


def test_builders_and_the_system_actor_have_their_history(system):
    user = user_with_role(role=roles.AUDITORS, username="aud")
    assert user.history.count() == 1 and user.roles == "auditors"
    assert system.history.exists()


def test_a_long_username_keeps_its_whole_key_on_the_timeline(client, auditor, admin_user):
    name = "u" * 150
    services.create_user(by=admin_user, reason="Long name", username=name, role_names=[])
    client.force_login(auditor)
    timeline = client.get("/audit/?kind=user").content.decode()
    assert f"/audit/user/{name}/" in timeline
    assert "Long name" in client.get(f"/audit/user/{name}/").content.decode()


def test_the_second_factor_device_admin_refuses_every_write(client, admin_user, official):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = services.start_enrolment(user=official)
    services.confirm_enrolment(user=official, code=code_for(device))
    client.force_login(admin_user)
    static = StaticDevice.objects.get(user=official)
    for url in (
        f"/admin/otp_totp/totpdevice/{device.pk}/delete/",
        f"/admin/otp_static/staticdevice/{static.pk}/delete/",
        "/admin/otp_totp/totpdevice/add/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    assert TOTPDevice.objects.filter(user=official, confirmed=True).exists()
    assert StaticDevice.objects.filter(user=official).exists()
