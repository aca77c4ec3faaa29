"""Redis going away: the API answers 503 JSON that says so, the web pages go on, and both
recover when it returns.

A TCP proxy between the app server and Redis is cut and restored, as a Redis restart or a
network drop would look to the app.
"""

import json
import os
import urllib.parse

import pytest
import redis
from django.db import connection

from tests.reliability.http_client import (
    ELIGIBILITY,
    WITH_SESSION,
    WITH_TOKEN,
    assert_api_unavailable,
    fetch,
)
from tests.support.servers import Gunicorn, database_url, production_env
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def redis_proxy():
    url = urllib.parse.urlsplit(os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/2"))
    try:
        redis.Redis(host=url.hostname, port=url.port or 6379).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis (set REDIS_TEST_URL)")
    proxy = TcpProxy(url.hostname, url.port or 6379)
    yield proxy, url.path or "/0"
    proxy.close()


@pytest.fixture
def app_behind_redis_proxy(db, redis_proxy):
    proxy, database = redis_proxy
    env = production_env(
        DATABASE_URL=database_url(connection.settings_dict),
        CACHE_URL=f"redis://127.0.0.1:{proxy.port}{database}",
    )
    with Gunicorn(env=env, workers=1) as server:
        yield server


def test_a_lost_cache_gives_503_json_on_the_api_and_the_web_goes_on(
    app_behind_redis_proxy, redis_proxy
):
    proxy, _ = redis_proxy
    base = app_behind_redis_proxy.url
    assert fetch(base + ELIGIBILITY, WITH_TOKEN)[0] == 401  # looked up, unknown
    assert json.loads(fetch(f"{base}/healthz")[2])["cache"] == "up"

    proxy.cut()

    assert_api_unavailable(
        base + ELIGIBILITY, WITH_TOKEN, code="cache_unavailable", server=app_behind_redis_proxy
    )
    # The web keeps its sessions in the database: officials are not stopped.
    assert fetch(f"{base}/", WITH_SESSION)[0] == 302
    status, _, body = fetch(f"{base}/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "up", "cache": "down"}

    proxy.restore()

    assert fetch(base + ELIGIBILITY, WITH_TOKEN)[0] == 401
    assert json.loads(fetch(f"{base}/healthz")[2])["cache"] == "up"
    assert "Traceback" not in app_behind_redis_proxy.output()
