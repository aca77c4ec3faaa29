"""A web sign-in ends after a while without activity, and some hours after it began; signed-in
pages and exports are never kept by a browser's or a proxy's cache."""

import time

import pytest
from django.test import override_settings

from registry.sessions import SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


def _shift_session(client, **seconds_ago):
    """Moves the session's stored timestamps into the past, as if the clock had moved on."""
    client.get("/")
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def _assert_signed_out_to_sign_in(client, path, message):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={path}"
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert message in page.content.decode()
    assert client.get("/vendors/").status_code == 302


def test_a_signed_in_user_goes_on_working_within_the_timeouts(client, official):
    client.force_login(official)
    _shift_session(client, **{SEEN_AT: 29 * 60, SIGNED_IN_AT: 11 * 3600})
    assert client.get("/vendors/").status_code == 200
    assert client.session[SEEN_AT] > time.time() - 60


def test_thirty_minutes_without_a_request_sign_the_user_out(client, official):
    client.force_login(official)
    _shift_session(client, **{SEEN_AT: 30 * 60 + 1})
    _assert_signed_out_to_sign_in(client, "/vendors/", "after 30 minutes without activity")


def test_twelve_hours_after_signing_in_the_user_is_signed_out_however_active(client, official):
    client.force_login(official)
    _shift_session(client, **{SIGNED_IN_AT: 12 * 3600 + 1, SEEN_AT: 5})
    _assert_signed_out_to_sign_in(client, "/licences/", "12 hours after signing in")


@override_settings(SESSION_IDLE_TIMEOUT_MINUTES=5, SESSION_ABSOLUTE_TIMEOUT_HOURS=1)
def test_the_timeouts_follow_the_settings(client, auditor):
    client.force_login(auditor)
    _shift_session(client, **{SEEN_AT: 5 * 60 + 1})
    _assert_signed_out_to_sign_in(client, "/audit/", "after 5 minutes without activity")
    client.force_login(auditor)
    _shift_session(client, **{SIGNED_IN_AT: 3601})
    _assert_signed_out_to_sign_in(client, "/audit/", "1 hours after signing in")


def test_signing_in_through_the_form_starts_the_clocks(client, official):
    client.post("/accounts/login/", {"username": "official", "password": "pw"})
    client.get("/")
    assert time.time() - client.session[SIGNED_IN_AT] < 60
    assert time.time() - client.session[SEEN_AT] < 60


def test_signed_in_pages_and_exports_are_not_stored(client, official, auditor):
    client.force_login(official)
    for path in ("/", "/vendors/", "/applications/", "/licences/", "/countries/"):
        assert "no-store" in client.get(path)["Cache-Control"], path
    client.force_login(auditor)
    for path in (
        "/audit/",
        "/audit/?format=csv",
        "/audit/whitelist/?format=json",
        "/audit/whitelist/diff/?from=2021-01-01&to=2022-01-01&format=csv",
        "/no-such-page/",
    ):
        assert "no-store" in client.get(path)["Cache-Control"], path
    signed_in = client.post("/accounts/login/", {"username": "official", "password": "pw"})
    assert "no-store" in signed_in["Cache-Control"]


def test_static_files_keep_their_own_cache_headers(client, official):
    anonymous = client.get("/static/registry/registry.css")
    client.force_login(official)
    signed_in = client.get("/static/registry/registry.css")
    assert signed_in.status_code == 200
    assert signed_in.get("Cache-Control") == anonymous.get("Cache-Control")
    assert "no-store" not in signed_in.get("Cache-Control", "")
