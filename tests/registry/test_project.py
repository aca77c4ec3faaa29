"""Settings, health check, roles and the admin."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError

from registry import roles

ROOT = Path(__file__).resolve().parents[2]


def run_settings(**env):
    """Loads the production settings in a new process whose environment holds only ``env``:
    nothing set for the test run (its SECRET_KEY and AUDIT_KEY among them) reaches it."""
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "registry.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


SIGNING_KEY = str(ROOT / "tests" / "keys" / "audit-signing.key")


def test_settings_refuse_to_start_without_secret_key_when_debug_off():
    result = run_settings(DEBUG="false", AUDIT_KEY="a" * 32, AUDIT_SIGNING_KEY_FILE=SIGNING_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_refuse_to_start_without_audit_key_when_debug_off():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50, AUDIT_SIGNING_KEY_FILE=SIGNING_KEY)
    assert result.returncode != 0
    assert "AUDIT_KEY is not set" in result.stderr


def test_settings_refuse_to_start_without_a_checkpoint_signing_key_when_debug_off():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50, AUDIT_KEY="a" * 32)
    assert result.returncode != 0
    assert "AUDIT_SIGNING_KEY_FILE is not set" in result.stderr
    missing = run_settings(
        DEBUG="false",
        SECRET_KEY="x" * 50,
        AUDIT_KEY="a" * 32,
        AUDIT_SIGNING_KEY_FILE=SIGNING_KEY + ".missing",
    )
    assert missing.returncode != 0
    assert "AUDIT_SIGNING_KEY_FILE names no file" in missing.stderr


def test_settings_start_with_all_keys_or_in_debug():
    assert (
        run_settings(
            DEBUG="false",
            SECRET_KEY="x" * 50,
            AUDIT_KEY="a" * 32,
            AUDIT_SIGNING_KEY_FILE=SIGNING_KEY,
        ).returncode
        == 0
    )
    assert run_settings(DEBUG="true").returncode == 0


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_roles_exist_with_their_permissions():
    for role, names in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(names)


@pytest.mark.django_db
def test_only_senior_officials_may_approve_revisions(official, senior):
    assert senior.has_perm("countries.approve_whitelistrevision")
    assert not official.has_perm("countries.approve_whitelistrevision")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/countries/country/",
        "/admin/countries/whitelistrevision/",
        "/admin/countries/whitelistchange/",
        "/admin/licenses/vendor/",
        "/admin/licenses/product/",
        "/admin/licenses/licenceapplication/",
        "/admin/licenses/licence/",
    ],
)
def test_admin_lists_and_history_pages_work(admin_client, path):
    assert admin_client.get(path).status_code == 200


@pytest.mark.django_db
def test_admin_country_history_page_shows_the_cut(admin_client):
    from countries.models import Country

    mexico = Country.objects.get(code="MX")
    response = admin_client.get(f"/admin/countries/country/{mexico.pk}/history/")
    assert response.status_code == 200
    assert b"REV-2021-001" in response.content
