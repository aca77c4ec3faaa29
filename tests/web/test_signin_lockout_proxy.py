"""The sign-in lockout behind a load balancer: whose address, and a cap per username.

Behind a proxy every request arrives from the proxy's address. Keyed on ``REMOTE_ADDR``, one
client's wrong passwords locked that username for everyone behind the same proxy, so one person
could keep every official out. The client is now the address the trusted proxies saw
(``TRUSTED_PROXY_COUNT`` hops from the right of ``X-Forwarded-For``), which the client cannot
forge; and a username attacked from many addresses is locked on its own count.
"""

import pytest
from django.core import mail
from django.test import override_settings

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PROXY = "10.0.0.1"


def attempt(client, username, password, *, forwarded=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_one_client_behind_the_proxy_cannot_lock_out_another(client, official):
    for _ in range(3):
        attempt(client, "official", "guess", forwarded="203.0.113.7")
    assert attempt(client, "official", "pw", forwarded="203.0.113.7").status_code == 429
    assert attempt(client, "official", "pw", forwarded="198.51.100.20").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_a_client_cannot_escape_its_lockout_by_forging_the_left_of_the_header(client, official):
    for n in range(3):
        attempt(client, "official", "guess", forwarded=f"192.0.2.{n}, 203.0.113.7")
    response = attempt(client, "official", "pw", forwarded="192.0.2.99, 203.0.113.7")
    assert response.status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, official):
    for n in range(3):
        attempt(client, "official", "guess", forwarded=f"192.0.2.{n}", remote="203.0.113.7")
    response = attempt(client, "official", "pw", forwarded="192.0.2.99", remote="203.0.113.7")
    assert response.status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_client_is_two_hops_from_the_right(client, official):
    for _ in range(3):
        attempt(client, "official", "guess", forwarded="203.0.113.7, 10.0.0.2")
    assert attempt(client, "official", "pw", forwarded="203.0.113.7, 10.0.0.2").status_code == 429
    assert attempt(client, "official", "pw", forwarded="198.51.100.20, 10.0.0.2").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize("forwarded", ["not-an-address", "", " , "])
def test_a_malformed_forwarded_header_falls_back_to_the_proxy_address(client, official, forwarded):
    assert attempt(client, "official", "guess", forwarded=forwarded).status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3, SIGNIN_USERNAME_FAILURE_LIMIT=6, TRUSTED_PROXY_COUNT=0)
def test_failures_for_one_username_from_many_addresses_lock_that_username(client, official, senior):
    for n in range(6):
        assert attempt(client, "official", "guess", remote=f"192.0.2.{n}").status_code in (200, 429)
    fresh = attempt(client, "official", "pw", remote="198.51.100.20")
    assert fresh.status_code == 429
    assert b"Sign-in is paused" in fresh.content
    assert attempt(client, "senior", "pw", remote="198.51.100.20").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, SIGNIN_USERNAME_FAILURE_LIMIT=6, TRUSTED_PROXY_COUNT=0)
def test_below_the_username_cap_other_addresses_still_sign_in(client, official):
    for n in range(5):
        attempt(client, "official", "guess", remote=f"192.0.2.{n}")
    assert attempt(client, "official", "pw", remote="198.51.100.20").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1, PASSWORD_RESET_LIMIT_PER_CLIENT=2)
def test_the_password_reset_throttle_counts_the_client_behind_the_proxy(client, official):
    for n in range(2):
        client.post(
            "/accounts/password/reset/",
            {"email": f"someone{n}@example.org"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    other = client.post(
        "/accounts/password/reset/",
        {"email": "another@example.org"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert other.status_code == 302
    assert mail.outbox == []
