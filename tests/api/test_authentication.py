"""Tokens: hashed, expiring, revocable; ``Token`` and ``Bearer``; ``manage.py issue_token``."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from registry.accounts import services as accounts

pytestmark = pytest.mark.django_db

URL = "/api/v1/countries/FR/"


def get_with(header):
    return APIClient().get(URL, HTTP_AUTHORIZATION=header)


def issue(username, *args):
    out = io.StringIO()
    call_command("issue_token", username, *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer", "TOKEN"])
def test_a_token_is_accepted_with_either_scheme(user_a, scheme):
    _, key = AuthToken.objects.create(user=user_a)
    assert get_with(f"{scheme} {key}").status_code == 200


def test_the_token_is_stored_as_a_digest_only(user_a):
    key = issue("vendor-acme")
    stored = AuthToken.objects.get(user=user_a)
    assert key not in stored.digest
    assert len(stored.digest) == 128  # SHA-512, hexadecimal
    assert get_with(f"Token {key}").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token a b",
        "Token not-a-hex-key",
        "Token " + "0" * 64,
        "Bearer \u00e9\u00e9\u00e9",
        "Token \x00abc",
    ],
)
def test_a_malformed_or_unknown_token_is_a_401(user_a, header):
    response = get_with(header)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_no_token_is_a_401_that_names_the_scheme(db):
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_an_expired_token_is_refused_and_removed(user_a):
    _, key = AuthToken.objects.create(user=user_a, expiry=datetime.timedelta(seconds=-1))
    assert get_with(f"Token {key}").status_code == 401
    assert not AuthToken.objects.filter(user=user_a).exists()


def test_a_revoked_token_is_refused_and_the_others_still_work(user_a):
    revoked, old_key = AuthToken.objects.create(user=user_a)
    _, new_key = AuthToken.objects.create(user=user_a)
    revoked.delete()
    assert get_with(f"Token {old_key}").status_code == 401
    assert get_with(f"Token {new_key}").status_code == 200


def test_an_inactive_users_token_is_refused(user_a):
    _, key = AuthToken.objects.create(user=user_a)
    accounts.deactivate_user(user=user_a, by=user_a, reason="Left the company")
    assert get_with(f"Token {key}").status_code == 401


def test_issue_token_prints_the_key_alone_on_the_last_line_and_sets_an_expiry(user_a):
    key = issue("vendor-acme", "--days", "7")
    assert len(key) == 64 and key.isalnum()
    token = AuthToken.objects.get(user=user_a)
    assert token.expiry.date() == (token.created + datetime.timedelta(days=7)).date()
    assert get_with(f"Bearer {key}").status_code == 200


def test_issue_token_refuses_unknown_users_and_users_who_are_not_vendors(official):
    with pytest.raises(CommandError, match="No user"):
        issue("nobody")
    with pytest.raises(CommandError, match="not a vendor's user"):
        issue("official")
    assert not AuthToken.objects.exists()


def test_a_vendors_group_member_without_a_vendor_is_refused(api_client_for):
    from registry import roles
    from tests.factories import user_with_role

    loose = user_with_role(role=roles.VENDORS, username="loose")
    response = api_client_for(user=loose).get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_tokens_are_listed_per_user_and_revoked_in_the_admin(admin_client, user_a):
    token, key = AuthToken.objects.create(user=user_a)
    listing = admin_client.get("/admin/knox/authtoken/", {"q": "vendor-acme"})
    assert listing.status_code == 200
    assert token.digest in listing.content.decode()
    admin_client.post(
        "/admin/knox/authtoken/",
        {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"},
    )
    assert get_with(f"Token {key}").status_code == 401
