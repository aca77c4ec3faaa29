"""The app as production runs it: gunicorn, DEBUG off, static files served by WhiteNoise."""

import json
import re
import urllib.request

import pytest
from django.db import connection

from tests.support.servers import Gunicorn, database_url, production_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def server(db):
    env = production_env(DATABASE_URL=database_url(connection.settings_dict))
    with Gunicorn(env=env, workers=1) as gunicorn:
        yield gunicorn


def get(url, **headers):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return r.status, r.headers, r.read()


def test_whitenoise_serves_the_hashed_stylesheet_cached_for_ever(server):
    status, _, page = get(f"{server.url}/accounts/login/")
    assert status == 200
    [stylesheet] = re.findall(rb'href="(/static/registry/registry\.[0-9a-f]{12}\.css)"', page)
    status, headers, body = get(server.url + stylesheet.decode(), **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert (
        "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    )
    assert headers["Content-Encoding"] == "gzip"


def test_the_server_sends_the_security_headers_and_logs_each_request_as_json(server):
    _, headers, _ = get(f"{server.url}/accounts/login/", **{"X-Request-ID": "trace-42"})
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    lines = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    [entry] = [line for line in lines if line.get("request_id") == "trace-42"]
    assert entry["path"] == "/accounts/login/" and entry["status"] == 200


@pytest.mark.parametrize("preload", ["true", "false"])
def test_workers_replaced_every_few_requests_keep_answering_from_the_database(db, preload):
    """Workers are forked from a master that has loaded the app (preload, unless turned off); a
    recycled worker must start with no connection of the master's or a sibling's, however often
    it happens."""
    from concurrent.futures import ThreadPoolExecutor

    env = production_env(
        DATABASE_URL=database_url(connection.settings_dict),
        GUNICORN_MAX_REQUESTS=3,
        GUNICORN_MAX_REQUESTS_JITTER=0,
        GUNICORN_PRELOAD=preload,
    )
    env.pop("DJANGO_SETTINGS_MODULE")  # as gunicorn is started by hand: registry.wsgi sets it
    with Gunicorn(env=env, workers=2) as server:

        def health(_):
            status, _, body = get(f"{server.url}/healthz")
            return status, json.loads(body)["database"]

        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(health, range(60)))
        log = server.output()
    assert answers == [(200, "up")] * 60
    assert log.count("Autorestarting worker after current request") >= 10
