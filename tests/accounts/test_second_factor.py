"""The second factor of staff: enrolment, signing in with a code or a backup code, throttling,
and no page reachable before the code is confirmed."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from licenses.models import Vendor
from registry import roles
from tests.accounts.conftest import (
    ENROL,
    LOGIN,
    SECOND_FACTOR,
    code_for,
    enrolled,
    sign_in_with_password,
)
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("otp_required")]


def test_a_new_official_is_made_to_enrol_with_a_qr_code_and_gets_backup_codes_once(
    client, official
):
    sign_in_with_password(client, "official")
    response = client.get("/vendors/")
    assert response.status_code == 302
    assert response.url == f"{SECOND_FACTOR}?next=%2Fvendors%2F"
    response = client.get(response.url)
    assert response.url == f"{ENROL}?next=%2Fvendors%2F"

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<?xml" not in html
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    secret = re.search(r'<p class="secret"><code>([A-Z2-7 ]+)</code>', html).group(1)
    assert len(secret.replace(" ", "")) == 32  # the key, in base32, for typing in by hand
    assert client.get(response.url).content.decode().count(secret) == 1  # a reload keeps it

    confirmed = client.post(ENROL, {"code": code_for(device), "next": "/vendors/"})
    assert confirmed.status_code == 302 and confirmed.url == "/accounts/second-factor/backup-codes/"
    codes_page = client.get(confirmed.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10
    assert 'href="/vendors/"' in codes_page
    again = client.get(confirmed.url).content.decode()
    assert not any(code in again for code in codes)
    assert "10 unused backup codes" in again
    assert client.get("/vendors/").status_code == 200


def test_a_wrong_code_at_enrolment_is_refused_and_nothing_is_confirmed(client, official):
    sign_in_with_password(client, "official")
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=official, confirmed=True).exists()
    assert client.get("/").status_code == 302


def test_an_enrolled_official_signs_in_with_the_code_of_the_app(client, official):
    device, _ = enrolled(official)
    sign_in_with_password(client, "official")
    page = client.get(SECOND_FACTOR + "?next=/countries/")
    assert page.status_code == 200
    assert b'<label for="id_code">Code' in page.content
    response = client.post(
        SECOND_FACTOR, {"code": code_for(device, steps_ahead=1), "next": "/countries/"}
    )
    assert response.status_code == 302 and response.url == "/countries/"
    assert client.get("/countries/").status_code == 200


def test_a_wrong_code_is_refused_and_repeated_wrong_codes_lock_the_step(client, official):
    device, _ = enrolled(official)
    sign_in_with_password(client, "official")
    wrong = client.post(SECOND_FACTOR, {"code": "123456"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()

    # Straight after a wrong code even the right one is not looked at, and each further wrong
    # code doubles the wait.
    locked = client.post(SECOND_FACTOR, {"code": code_for(device, steps_ahead=1)})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.content.decode()
    assert client.get("/").status_code == 302
    for _ in range(5):
        device.refresh_from_db()
        device.throttling_failure_timestamp -= datetime.timedelta(hours=1)
        device.save()
        client.post(SECOND_FACTOR, {"code": "123456"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 6
    assert "Wait 32 seconds" in client.post(SECOND_FACTOR, {"code": "654321"}).content.decode()

    device.throttling_failure_timestamp -= datetime.timedelta(hours=1)
    device.save()
    response = client.post(SECOND_FACTOR, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_backup_code_signs_in_once(client, official):
    _, codes = enrolled(official)
    sign_in_with_password(client, "official")
    response = client.post(SECOND_FACTOR, {"code": codes[3].upper()})
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "You used a backup code; 9 left" in page.content.decode()

    client.post("/accounts/logout/")
    sign_in_with_password(client, "official")
    again = client.post(SECOND_FACTOR, {"code": codes[3]})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()
    assert client.get("/").status_code == 302


STAFF_PAGES = [
    "/",
    "/countries/",
    "/countries/revisions/",
    "/vendors/",
    "/applications/",
    "/licences/",
    "/audit/",
    "/audit/whitelist/",
    "/admin/",
    "/admin/licenses/vendor/",
    "/accounts/",
    "/accounts/password/change/",
    "/accounts/second-factor/backup-codes/",
    "/no-such-page/",
]


@pytest.mark.parametrize("role", [roles.OFFICIALS, roles.SENIOR_OFFICIALS, roles.AUDITORS, None])
def test_staff_who_have_not_passed_the_second_factor_reach_no_page(client, django_user_model, role):
    if role is None:
        user = django_user_model.objects.create_superuser("root", password="pw")
    else:
        user = user_with_role(role=role, username="staff")
    enrolled(user)
    sign_in_with_password(client, user.username)
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(SECOND_FACTOR), path
    before = Vendor.objects.count()
    response = client.post("/vendors/new/", {"name": "Sneaky Ltd", "reason": "x"})
    assert response.status_code == 302 and response.url == SECOND_FACTOR
    assert Vendor.objects.count() == before


def test_an_unverified_session_can_still_sign_out(client, official):
    sign_in_with_password(client, "official")
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_vendors_are_not_asked_for_a_second_factor(client, vendor_user):
    user = vendor_user
    _, key = AuthToken.objects.create(user=user)
    response = client.get("/api/v1/countries/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    client.force_login(user)
    assert client.get("/").status_code != 302  # the web has nothing for them, but no code step


def test_a_staff_session_token_does_not_reach_the_api_unverified(client, official):
    sign_in_with_password(client, "official")
    response = client.get("/api/v1/countries/")
    assert response.status_code in (401, 403)


def test_with_otp_off_the_demo_accounts_sign_in_with_the_password_alone(client, settings):
    from licenses import demo

    settings.OTP_REQUIRED = False
    demo.ensure_accounts()
    for username in ("official", "senior", "auditor"):
        client.logout()
        sign_in_with_password(client, username, demo.DEMO_PASSWORD)
        assert client.get("/").status_code == 200, username


def test_replacing_the_app_needs_a_verified_session_and_starts_enrolment_again(client, official):
    device, _ = enrolled(official)
    sign_in_with_password(client, "official")
    client.post(SECOND_FACTOR, {"code": code_for(device, steps_ahead=1)})
    account = client.get("/accounts/").content.decode()
    assert "Replace your authenticator app" in account
    response = client.post("/accounts/second-factor/remove/")
    assert response.status_code == 302 and response.url == ENROL
    assert not TOTPDevice.objects.filter(user=official).exists()
    assert client.get("/").status_code == 302  # the old device no longer verifies this session


def test_new_backup_codes_replace_the_old_ones(client, official):
    device, old = enrolled(official)
    sign_in_with_password(client, "official")
    client.post(SECOND_FACTOR, {"code": code_for(device, steps_ahead=1)})
    response = client.post("/accounts/second-factor/backup-codes/")
    new = re.findall(
        r"<li><code>([a-z2-7]{8})</code></li>", client.get(response.url).content.decode()
    )
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/accounts/logout/")
    sign_in_with_password(client, "official")
    assert client.post(SECOND_FACTOR, {"code": old[0]}).status_code == 200
    assert client.post(SECOND_FACTOR, {"code": new[0]}).status_code == 429  # wait after a miss


def test_the_second_factor_pages_answer_no_store(client, official):
    sign_in_with_password(client, "official")
    for path in (SECOND_FACTOR, ENROL):
        response = client.get(path, follow=True)
        assert "no-store" in response["Cache-Control"], path


def test_the_login_page_still_shows_for_an_unverified_session(client, official):
    sign_in_with_password(client, "official")
    assert client.get(LOGIN).status_code == 200


def test_an_operator_resets_a_lost_second_factor_and_the_person_enrols_again(client, official):
    enrolled(official)
    out = io.StringIO()
    call_command("reset_second_factor", "official", "--reason", "Lost phone", stdout=out)
    assert "Removed official's authenticator app" in out.getvalue()
    sign_in_with_password(client, "official")
    assert client.get(SECOND_FACTOR).url.startswith(ENROL)
    with pytest.raises(CommandError, match="no authenticator app"):
        call_command("reset_second_factor", "official", "--reason", "Again")
    with pytest.raises(CommandError, match="No user named"):
        call_command("reset_second_factor", "nobody", "--reason", "Lost phone")
