"""Production settings: the deploy checks, the security headers, secure cookies, request logs."""

import json
import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.db import connection, transaction

from countries.models import Country
from registry.db_router import replica_reads
from registry.json_logging import JsonFormatter
from tests.support.servers import ROOT


def manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "PYTEST"))
        and k not in ("DEBUG", "SECRET_KEY", "AUDIT_KEY")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "AUDIT_KEY": secrets.token_urlsafe(32),
    "AUDIT_SIGNING_KEY_FILE": str(ROOT / "tests" / "keys" / "audit-signing.key"),
    "ALLOWED_HOSTS": "registry.example.org",
}


def test_check_deploy_is_clean_with_the_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_a_production_run_that_turns_the_protections_off():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", SECURE_COOKIES="false", **PRODUCTION
    )
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE


def test_production_settings_hold_the_secure_values():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.DEBUG, s.STORAGES['staticfiles']['BACKEND']]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="registry.settings")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        True,
        True,
        True,
        31_536_000,
        False,
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_every_response_carries_the_security_headers(client):
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_the_session_cookie_http_only(
    client, django_user_model
):
    django_user_model.objects.create_user(username="dana", password="a-long-password-1")
    page = client.get("/accounts/login/", secure=True)
    assert page.cookies["csrftoken"]["secure"] is True
    signed_in = client.post(
        "/accounts/login/",
        {"username": "dana", "password": "a-long-password-1"},
        secure=True,
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True


@pytest.mark.django_db
def test_each_request_writes_one_structured_log_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="registry.requests"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-4711")
    assert response["X-Request-ID"] == "lb-4711"
    [record] = [r for r in caplog.records if r.name == "registry.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "lb-4711"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_fresh_one(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


# --- The read-replica router --------------------------------------------------------------------


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr("registry.db_router.replica_configured", lambda: True)


@pytest.mark.django_db
def test_without_a_replica_every_read_uses_the_primary():
    with replica_reads():
        assert Country.objects.all().db == "default"


@pytest.mark.django_db(transaction=True)  # outside a test transaction, as a request runs
def test_auditor_reads_go_to_the_replica_but_locks_and_transactions_stay_on_the_primary(
    with_replica,
):
    assert Country.objects.all().db == "default"
    with replica_reads():
        assert Country.objects.all().db == "replica"
        assert Country.history.all().db == "replica"
        assert Country.objects.select_for_update().db == "default"
        with transaction.atomic():
            assert Country.objects.all().db == "default"


# --- Shared cache -------------------------------------------------------------------------------

REDIS_CACHE = "redis://127.0.0.1:6379/5"


def in_a_server_process(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="registry.settings", CACHE_URL=REDIS_CACHE)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_a_redis_cache_url_one_server_sees_what_another_cached():
    key = f"shared-{secrets.token_hex(4)}"
    writer = in_a_server_process(
        f"from django.core.cache import cache; cache.set({key!r}, 'from server one', 60)"
    )
    assert writer.returncode == 0, writer.stderr
    reader = in_a_server_process(
        "from django.core.cache import cache, caches; "
        f"print(type(caches['default']).__module__, cache.get({key!r}))"
    )
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout.split(maxsplit=1) == ["django_redis.cache", "from server one\n"]


@pytest.mark.django_db(transaction=True)
def test_the_replica_middleware_routes_only_the_auditors_get_pages(with_replica, rf):
    from registry.middleware import ReplicaRoutingMiddleware

    middleware = ReplicaRoutingMiddleware(lambda request: Country.objects.all().db)
    assert middleware(rf.get("/audit/whitelist/")) == "replica"
    assert middleware(rf.post("/audit/whitelist/")) == "default"
    assert middleware(rf.get("/applications/")) == "default"


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_runs_the_registrys_queries_without_compiling_them():
    # JIT compiling cost a queue search seven times its work (performance.md, B5).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
