"""Signing in and out, and the throttling of repeated failed sign-ins."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_an_official_signs_in_and_lands_on_the_dashboard(client, official):
    response = attempt(client, "official", "pw")
    assert response.status_code == 302
    assert response.url == "/"
    page = client.get("/")
    assert b"Review queue" in page.content
    assert b"<span>official</span>" in page.content


def test_a_wrong_password_shows_the_error_summary_and_keeps_the_username(client, official):
    response = attempt(client, "official", "not the password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'value="official"' in html
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, official):
    for _ in range(2):
        assert attempt(client, "official", "guess").status_code == 200
    locked = attempt(client, "official", "guess")
    assert locked.status_code == 429
    assert b"Sign-in is paused" in locked.content
    # Now even the right password is refused until the cool-off ends.
    response = attempt(client, "official", "pw")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_lockout_is_per_username_so_others_can_still_sign_in(client, official, senior):
    for _ in range(3):
        attempt(client, "official", "guess")
    assert attempt(client, "senior", "pw").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_successful_sign_in_resets_the_failure_count(client, official):
    attempt(client, "official", "guess")
    attempt(client, "official", "guess")
    assert attempt(client, "official", "pw").status_code == 302
    client.post("/accounts/logout/")
    attempt(client, "official", "guess")
    attempt(client, "official", "guess")
    assert attempt(client, "official", "pw").status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(client, official):
    client.force_login(official)
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_the_login_page_serves_its_own_stylesheet(client):
    html = client.get(LOGIN).content.decode()
    assert "/static/registry/registry.css" in html
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
