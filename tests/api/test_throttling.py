"""Rates per token, counted in the shared cache, answered 429 with Retry-After when exceeded."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anonymous": "2/minute"},
    }


@pytest.mark.django_db
def test_a_token_over_its_rate_gets_429_with_retry_after(api_a, low_rates):
    statuses = [api_a.get("/api/v1/countries/FR/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api_a.get("/api/v1/countries/FR/")
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.django_db
def test_each_token_has_its_own_count(user_a, low_rates):
    busy, quiet = APIClient(), APIClient()
    for client in (busy, quiet):
        _, key = AuthToken.objects.create(user=user_a)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for _ in range(3):
        busy.get("/api/v1/countries/")
    assert busy.get("/api/v1/countries/").status_code == 429
    assert quiet.get("/api/v1/countries/").status_code == 200


@pytest.mark.django_db
def test_anonymous_calls_are_counted_by_address(low_rates):
    client = APIClient()
    statuses = [client.get("/api/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert APIClient(REMOTE_ADDR="10.0.0.9").get("/api/schema/").status_code == 200


# Counts one token's calls in a separate process, through the cache at CACHE_URL.
_COUNT_IN_A_PROCESS = textwrap.dedent(
    """
    import django, sys
    django.setup()
    from knox.models import AuthToken
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory
    from registry.api.throttles import TokenRateThrottle

    request = Request(APIRequestFactory().get("/api/v1/countries/"))
    request._authenticator = None
    request._user, request._auth = None, AuthToken(digest=sys.argv[1])
    allowed = sum(TokenRateThrottle().allow_request(request, None) for _ in range(int(sys.argv[2])))
    print(allowed)
    """
)


@pytest.mark.redis
def test_two_server_processes_share_one_count_through_redis():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {REDIS_URL} (set REDIS_TEST_URL)")
    digest = os.urandom(20).hex()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "CACHE_URL": REDIS_URL,
        "API_THROTTLE_RATE": "10/day",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _COUNT_IN_A_PROCESS, digest, "8"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    allowed = [int(process.communicate(timeout=60)[0].strip()) for process in processes]
    assert all(process.returncode == 0 for process in processes)
    assert sum(allowed) == 10  # 16 calls, 10 allowed between the two processes
