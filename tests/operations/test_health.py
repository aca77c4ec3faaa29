"""``/healthz`` stays cheap; ``/readyz`` names what keeps an instance from taking traffic."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from registry import views
from tests.support.servers import free_port


@pytest.fixture(autouse=True)
def _forget_migrations_check():
    views._migrations_applied_at = None
    yield
    views._migrations_applied_at = None


@pytest.mark.django_db
def test_readyz_answers_200_when_everything_is_there(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["missing"] == []
    assert set(body["checks"]) == {"database", "cache", "migrations"}


@pytest.mark.django_db
@pytest.mark.redis
def test_readyz_checks_the_broker_when_one_is_configured(client, settings, redis_cache):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"] == {"ok": True}


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["missing"] == ["broker"]
    assert "ConnectionError" in body["checks"]["broker"]["error"]
    assert client.get("/healthz").status_code == 200  # alive, only not ready


@pytest.mark.django_db
def test_readyz_answers_503_naming_a_migration_not_applied(client, settings):
    settings.CELERY_BROKER_URL = ""
    loader = MigrationLoader(connection)
    app, name = sorted(n for n in loader.graph.leaf_nodes() if n[0] == "licenses")[-1]
    with connection.cursor() as cursor:  # as if the release's migrate had not run yet
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", [app, name])
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["missing"] == ["migrations"]
    assert body["checks"]["migrations"]["unapplied"] == [f"{app}.{name}"]


def test_readyz_and_healthz_are_probed_over_plain_http(settings):
    assert any(pattern == r"^readyz$" for pattern in settings.SECURE_REDIRECT_EXEMPT)
