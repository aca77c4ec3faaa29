"""``manage.py flush`` erased the trail with the data, and verify_audit then passed.

It is refused outside the test runner unless the operator says ``--erase-audit-trail``; the test
runner's own flush between transactional tests goes on working (every transactional test in the
suite relies on it).
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from countries.models import Country
from registry.audit.management.commands import flush

ROOT = Path(__file__).resolve().parents[2]


def manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    """Runs manage.py as an operator would: its own process, no test runner around it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def history_rows(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT COUNT(*) FROM countries_historicalcountry").fetchone()[0]


def test_flush_is_refused_outside_the_tests_unless_the_trail_is_to_be_erased(tmp_path):
    database = tmp_path / "registry.sqlite3"
    assert manage(database, "migrate", "--no-input").returncode == 0
    assert manage(database, "seed").returncode == 0
    seeded = history_rows(database)
    assert seeded >= 249

    refused = manage(database, "flush", "--no-input")
    assert refused.returncode != 0
    assert "--erase-audit-trail" in refused.stderr
    assert history_rows(database) == seeded

    erased = manage(database, "flush", "--no-input", "--erase-audit-trail")
    assert erased.returncode == 0, erased.stderr
    assert "ERASING THE AUDIT TRAIL" in erased.stderr
    assert history_rows(database) == 0


@pytest.mark.django_db(transaction=True)
def test_the_test_runner_still_flushes_its_own_database():
    # This test is transactional: the runner flushed the database before it (the baseline
    # fixture wrote the seed again) and flushes it after.
    assert flush.is_test_database(connection)
    assert Country.history.model.objects.count() >= 249


def test_a_database_named_like_production_is_not_a_test_database(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "/srv/registry/db.sqlite3")
    monkeypatch.setitem(connection.settings_dict, "TEST", {"NAME": None})
    assert not flush.is_test_database(connection)
