"""Fixtures of the operations tests: databases restored beside the test database, dropped after."""

import os
import subprocess
import sys
import uuid

import psycopg2
import pytest
from django.db import connection

from tests.support.servers import ROOT, database_url


def _admin():
    settings = connection.settings_dict
    conn = psycopg2.connect(
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
        user=settings.get("USER") or "postgres",
        password=settings.get("PASSWORD") or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


@pytest.fixture
def fresh_database_name():
    """A name for a database a test restores into; the database is dropped afterwards."""
    names = []

    def make() -> str:
        name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
        names.append(name)
        return name

    yield make
    conn = _admin()
    try:
        for name in names:
            conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def url_of(name: str) -> str:
    return database_url({**connection.settings_dict, "NAME": name})


def manage(*args, database: str, env=None, check=False) -> subprocess.CompletedProcess:
    """``manage.py`` with the test settings, run against another database (a restored one)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment.update(DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=url_of(database))
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def row_counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def connect(name: str):
    settings = connection.settings_dict
    return psycopg2.connect(
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
        user=settings.get("USER") or "postgres",
        password=settings.get("PASSWORD") or None,
        dbname=name,
    )


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client
