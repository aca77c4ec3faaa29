"""API tokens, self-service: the services and the tokens page (``/account/tokens/``)."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from registry import roles
from registry.accounts import selectors, services
from registry.audit import chain
from registry.errors import DomainError
from registry.models import ApiToken
from tests.factories import VendorFactory, user_with_role

pytestmark = pytest.mark.django_db

TOKENS = "/account/tokens/"


@pytest.fixture
def acme(vendor):
    return vendor


@pytest.fixture
def holder(acme):
    return user_with_role(role=roles.VENDORS, username="acme-dev", vendor=acme)


@pytest.fixture
def admin(acme):
    user = user_with_role(role=roles.VENDORS, username="acme-admin", vendor=acme)
    return services.set_roles(
        user=user,
        role_names=[roles.VENDORS, roles.VENDOR_ADMINS],
        by=user,
        reason="Compliance lead manages the tokens",
    )


@pytest.fixture
def stranger(db):
    other = VendorFactory(name="Globex Intelligence Ltd")
    return user_with_role(role=roles.VENDORS, username="globex-dev", vendor=other)


def in_days(days):
    return timezone.now() + datetime.timedelta(days=days)


def make(user, name="CI pipeline", days=30):
    return services.create_token(user=user, by=user, name=name, expires_at=in_days(days))


def api_status(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/products/").status_code


# --- Services ---------------------------------------------------------------------------------


def test_a_token_is_recorded_with_history_and_works(holder):
    token, key = make(holder)
    assert key.startswith(token.prefix)
    assert token.digest != key and key not in token.digest
    record = token.history.get()
    assert record.history_username == "acme-dev"
    assert "CI pipeline" in record.history_change_reason
    assert api_status(key) == 200
    token.refresh_from_db()
    assert token.last_used_at is not None  # noted without a history record
    assert token.history.count() == 1


def test_revoking_keeps_the_record_and_the_token_answers_401(
    holder, django_capture_on_commit_callbacks
):
    token, key = make(holder)
    assert api_status(key) == 200  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_token(token=token, by=holder, reason="Laptop lost")
    assert api_status(key) == 401
    token.refresh_from_db()
    assert token.state == "revoked" and token.revoked_by == holder
    assert token.history.latest().history_change_reason == "API token revoked: Laptop lost"
    assert not AuthToken.objects.filter(digest=token.digest).exists()
    assert chain.verify_chain().ok
    with pytest.raises(DomainError):
        services.revoke_token(token=token, by=holder, reason="again")


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [
        ("", 30, "name"),
        ("ok", -1, "expires_on"),
        ("ok", 0, "expires_on"),
        ("ok", 400, "expires_on"),
    ],
)
def test_a_token_needs_a_name_and_an_expiry_in_the_coming_year(holder, name, days, field):
    with pytest.raises(ValidationError) as error:
        make(holder, name=name, days=days)
    assert field in error.value.message_dict
    assert not ApiToken.objects.exists() and not AuthToken.objects.exists()


def test_only_a_vendors_user_gets_a_token(official):
    with pytest.raises(DomainError):
        make(official)


def test_a_vendor_admin_manages_every_token_of_the_vendor_and_no_other(holder, admin, stranger):
    mine, _ = make(holder)
    theirs, _ = make(stranger)
    assert list(selectors.manageable_tokens(admin)) == [mine]
    assert list(selectors.manageable_tokens(holder)) == [mine]
    assert list(selectors.manageable_tokens(stranger)) == [theirs]
    with pytest.raises(DomainError):
        services.revoke_token(token=theirs, by=admin, reason="not mine")
    services.revoke_token(token=mine, by=admin, reason="Developer left the company")
    assert mine.history.latest().history_username == "acme-admin"


def test_issue_token_records_the_token_for_the_tokens_page(holder):
    out = io.StringIO()
    call_command("issue_token", holder.username, "--days", "7", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    (token,) = selectors.manageable_tokens(holder)
    assert key.startswith(token.prefix)
    assert token.history.get().history_username == "system"


# --- The tokens page --------------------------------------------------------------------------


def test_a_vendor_user_creates_sees_once_and_revokes_a_token(client, holder):
    client.force_login(holder)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(f"{TOKENS}new/", {"name": "Order system", "expires_on": tomorrow})
    assert response.status_code == 302
    page = client.get(TOKENS).content.decode()
    token = ApiToken.objects.get()
    assert "Copy it now" in page and token.prefix in page
    assert "Copy it now" not in client.get(TOKENS).content.decode()  # shown once

    revoke = f"{TOKENS}{token.key}/revoke/"
    check = client.post(revoke, {"reason": "Replaced"})
    assert b"Check your answers" in check.content
    assert ApiToken.objects.get().revoked_at is None  # not yet
    done = client.post(revoke, {"reason": "Replaced", "confirmed": "on"})
    assert done.status_code == 302
    assert ApiToken.objects.get().state == "revoked"


def test_an_expiry_in_the_past_is_refused_with_an_error_summary(client, holder):
    client.force_login(holder)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(f"{TOKENS}new/", {"name": "Order system", "expires_on": yesterday})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "The expiry date must be today or later." in html
    assert not ApiToken.objects.exists()


def test_a_revocation_without_a_reason_is_refused(client, holder):
    token, _ = make(holder)
    client.force_login(holder)
    response = client.post(f"{TOKENS}{token.key}/revoke/", {"reason": "", "confirmed": "on"})
    assert b"There is a problem" in response.content
    assert ApiToken.objects.get().revoked_at is None


def test_another_vendors_token_is_404_even_for_a_vendor_admin(client, admin, stranger):
    theirs, _ = make(stranger)
    client.force_login(admin)
    url = f"{TOKENS}{theirs.key}/revoke/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "confirmed": "on"}).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_a_colleagues_token_is_404_for_a_plain_vendor_user(client, holder, acme):
    colleague = user_with_role(role=roles.VENDORS, username="acme-ops", vendor=acme)
    token, _ = make(colleague)
    client.force_login(holder)
    assert client.get(f"{TOKENS}{token.key}/revoke/").status_code == 404


def test_the_tokens_pages_are_for_vendor_users_only(client, official, auditor):
    assert client.get(TOKENS).url.startswith("/accounts/login/")
    for user in (official, auditor):
        client.force_login(user)
        assert client.get(TOKENS).status_code == 403
        assert client.get(f"{TOKENS}new/").status_code == 403


def test_auditors_find_token_changes_in_the_timeline(client, holder, auditor):
    token, _ = make(holder, name="Order system")
    services.revoke_token(token=token, by=holder, reason="Replaced")
    client.force_login(auditor)
    html = client.get("/audit/", {"kind": "api-token"}).content.decode()
    assert "API token revoked: Replaced" in html
    assert "API token created for acme-dev: Order system" in html
