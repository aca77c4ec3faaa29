"""Calls without a token, or with a token that is refused, count against the caller's address."""

import secrets

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/countries/FR/"


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anonymous": "2/minute"},
    }


def client_with(header=None, address="10.1.2.3"):
    client = APIClient(REMOTE_ADDR=address)
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.mark.parametrize(
    "header",
    [
        None,
        f"Token {secrets.token_hex(32)}",  # well formed, never issued
        "Token not-a-key",
        "Bearer",
    ],
    ids=["no token", "unknown token", "malformed token", "no key"],
)
def test_refused_calls_get_429_with_retry_after_once_over_the_anonymous_rate(low_rates, header):
    client = client_with(header)
    statuses = [client.get(CHECK).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    response = client.get(CHECK)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_unknown_tokens_and_no_token_share_the_addresss_count(low_rates):
    client_with(f"Token {secrets.token_hex(32)}").get(CHECK)
    client_with(None).get(CHECK)
    assert client_with(f"Token {secrets.token_hex(32)}").get(CHECK).status_code == 429
    assert client_with(None, address="10.9.9.9").get(CHECK).status_code == 401


def test_a_valid_token_is_not_held_back_by_refused_calls_from_its_address(
    low_rates, user_a, api_client_for
):
    for _ in range(3):
        client_with(f"Token {secrets.token_hex(32)}").get(CHECK)
    api = api_client_for(user=user_a)
    api.defaults["REMOTE_ADDR"] = "10.1.2.3"
    assert api.get(CHECK).status_code == 200
