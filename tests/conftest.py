"""Fixtures shared by every test folder.

Every test that uses the database starts from the baseline a fresh install has: the roles, the
system actor and the seeded whitelist (249 countries, 37 eligible). It is written once per test
database; a transactional test flushes the tables, and the next test writes it again.
"""

import io
import os

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from countries.models import Country
from registry import roles
from registry.audit.history import SYSTEM_USERNAME, ensure_system_user, system_user
from registry.models import User
from tests.factories import register_product, register_vendor, user_with_role
from tests.support.receivers import HTTPSReceiver, SMTPReceiver

_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def ensure_baseline() -> None:
    if not User.objects.filter(username=SYSTEM_USERNAME).exists():
        ensure_system_user(apps)
        roles.sync_role_groups(apps)
    if not Country.objects.exists():
        call_command("seed", stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Writes the baseline once, outside the per-test transactions that roll back."""
    with django_db_blocker.unblock():
        ensure_baseline()


@pytest.fixture(autouse=True)
def _baseline(request):
    uses_db = request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(
        request.fixturenames
    )
    if not uses_db:
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_baseline()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: throttle counts, cached credentials and country
    standings written by an earlier test describe a database that test rolled back."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def redis_cache(settings):
    """The shared cache in Redis (``REDIS_TEST_URL``), as production runs it; emptied before
    and after. Skips (tests marked ``redis``) when no Redis answers."""
    import redis
    from django.core.cache import cache

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/2")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {url} (set REDIS_TEST_URL)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"tests-{os.getpid()}",
        }
    }
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def documents_folder(settings, tmp_path):
    """The documents storage in a folder of the test's own, so it can count what was stored."""
    from django.core.files.storage import storages

    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    storages._storages.pop("documents", None)
    yield folder
    storages._storages.pop("documents", None)


# --- Receivers on the loopback for notifications (tests/support/receivers.py) ------------------
@pytest.fixture
def receiver():
    server = HTTPSReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def webhook_settings(settings, receiver):
    """Loopback receivers allowed (WEBHOOK_ALLOW_PRIVATE), their authority trusted, short limits."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_CA_BUNDLE = str(receiver.ca_file)
    settings.WEBHOOK_CONNECT_TIMEOUT = 2
    settings.WEBHOOK_TIMEOUT = 2
    return settings


@pytest.fixture
def smtp(settings):
    server = SMTPReceiver().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _requires_postgres(request):
    if request.node.get_closest_marker("postgres") is None:
        return
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but the tests are not running on PostgreSQL.")
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... to run it")


@pytest.fixture
def system(db):
    return system_user()


@pytest.fixture
def official(db):
    return user_with_role(role=roles.OFFICIALS, username="official")


@pytest.fixture
def senior(db):
    return user_with_role(role=roles.SENIOR_OFFICIALS, username="senior")


@pytest.fixture
def second_senior(db):
    return user_with_role(role=roles.SENIOR_OFFICIALS, username="senior2")


@pytest.fixture
def auditor(db):
    return user_with_role(role=roles.AUDITORS, username="auditor")


@pytest.fixture
def vendor(official):
    """A vendor registered by an official, as the web page registers one."""
    return register_vendor(by=official)


@pytest.fixture
def vendor_user(vendor):
    return user_with_role(role=roles.VENDORS, username="vendor-acme", vendor=vendor)


@pytest.fixture
def product(vendor, vendor_user):
    return register_product(vendor=vendor, by=vendor_user)


# --- Skips that CI does not accept --------------------------------------------------------------
# CI sets ALLOWED_SKIP_MARKERS: a test may skip only when it carries one of those markers (the
# PostgreSQL-only tests on the SQLite run). Any other skip, such as the browser tests finding no
# Chromium, fails the run instead of passing quietly.

_unexpected_skips: list[str] = []


def pytest_runtest_logreport(report):
    allowed = os.environ.get("ALLOWED_SKIP_MARKERS")
    if allowed is None or not report.skipped:
        return
    markers = {m.strip() for m in allowed.split(",") if m.strip()}
    if not markers & set(report.keywords):
        _unexpected_skips.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _unexpected_skips and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _unexpected_skips:
        terminalreporter.write_line(
            f"FAILED: {len(_unexpected_skips)} test(s) skipped that must run here: "
            + ", ".join(_unexpected_skips[:10]),
            red=True,
        )
