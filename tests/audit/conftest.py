"""Fixtures of the audit tests: tampering with SQL, as someone with database access would."""

import pytest
from django.db import connection


def tamper(sql: str, params=()) -> None:
    """Runs SQL against the tables directly, past the application's guards.

    On PostgreSQL the history tables' triggers would reject it, so this turns triggers off for the
    current transaction, as a database superuser could (the test's transaction rolls it back).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


@pytest.fixture
def eager_tasks():
    """Celery tasks run in the test's process, as they do without a broker."""
    from celery import current_app

    conf = current_app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = before
