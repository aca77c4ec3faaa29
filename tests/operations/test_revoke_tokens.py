"""An incident: every API token of a vendor stops working at once, and the history says why."""

import io

import pytest
from django.core.management import call_command

from registry import roles
from tests.factories import register_vendor, user_with_role

pytestmark = pytest.mark.django_db


def _token(username: str) -> str:
    out = io.StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_revoking_a_vendors_tokens_stops_every_one_and_is_recorded(
    client, vendor, official, django_capture_on_commit_callbacks
):
    first = user_with_role(role=roles.VENDORS, username="acme-1", vendor=vendor)
    user_with_role(role=roles.VENDORS, username="acme-2", vendor=vendor)
    other_vendor = register_vendor(by=official, registration_number="51-9990001", name="Other")
    user_with_role(role=roles.VENDORS, username="other-1", vendor=other_vendor)
    tokens = [_token("acme-1"), _token("acme-1"), _token("acme-2")]
    untouched = _token("other-1")
    for token in [*tokens, untouched]:
        assert (
            client.get("/api/v1/countries/FR/", HTTP_AUTHORIZATION=f"Token {token}").status_code
            == 200
        )

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # as the command's commit does
        call_command(
            "revoke_tokens",
            vendor=vendor.registration_number,
            reason="Incident 2027-014: a token leaked",
            stdout=out,
        )
    assert "3 API token(s) revoked for acme-1, acme-2" in out.getvalue()
    for token in tokens:
        assert (
            client.get("/api/v1/countries/FR/", HTTP_AUTHORIZATION=f"Token {token}").status_code
            == 401
        )
    assert (
        client.get("/api/v1/countries/FR/", HTTP_AUTHORIZATION=f"Token {untouched}").status_code
        == 200
    )
    record = first.history.order_by("-history_id").first()
    assert (
        "2 API token(s) revoked: Incident 2027-014: a token leaked" in record.history_change_reason
    )
    assert "manage.py revoke_tokens" in record.history_change_reason
