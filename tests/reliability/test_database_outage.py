"""The database going away: 503s that say so, nothing half written, recovery when it returns.

A TCP proxy between the app server and PostgreSQL is cut and restored, so the app sees what it would
see when the database restarts or the network drops: its open connection dies and new ones fail.
"""

import json

import pytest

from tests.reliability.http_client import (
    ELIGIBILITY,
    WITH_SESSION,
    WITH_TOKEN,
    assert_api_unavailable,
    fetch,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_a_lost_database_gives_503_pages_and_the_app_recovers_when_it_returns(
    app_behind_proxy, db_proxy
):
    base = app_behind_proxy.url
    assert fetch(f"{base}/healthz")[0] == 200
    assert fetch(f"{base}/", WITH_SESSION)[0] == 302  # to the sign-in page: the session was read

    db_proxy.cut()  # the worker's open connection dies mid-use; new ones are refused

    status, headers, body = fetch(f"{base}/", WITH_SESSION)
    assert status == 503, app_behind_proxy.output()
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Retry-After"] == "5"
    assert b"temporarily unavailable" in body
    status, _, body = fetch(f"{base}/healthz")
    assert status == 503
    assert json.loads(body)["database"] == "down"

    db_proxy.restore()

    assert fetch(f"{base}/healthz")[0] == 200
    assert fetch(f"{base}/", WITH_SESSION)[0] == 302
    assert "Traceback" not in app_behind_proxy.output()


def test_a_lost_database_gives_503_json_on_the_api_and_it_recovers(app_behind_proxy, db_proxy):
    base = app_behind_proxy.url
    assert fetch(base + ELIGIBILITY, WITH_TOKEN)[0] == 401  # the token was looked up: unknown

    db_proxy.cut()

    assert_api_unavailable(
        base + ELIGIBILITY, WITH_TOKEN, code="database_unavailable", server=app_behind_proxy
    )

    db_proxy.restore()

    assert fetch(base + ELIGIBILITY, WITH_TOKEN)[0] == 401
    assert "Traceback" not in app_behind_proxy.output()
