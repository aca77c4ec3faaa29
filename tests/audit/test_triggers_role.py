"""The app's database role, owning none of the tables, cannot switch the append-only guards off.

The triggers stop UPDATE, DELETE and TRUNCATE on history whoever runs them, but the tables' owner
(or a superuser) can disable a trigger. docs/operations.md has the app connect as a role that
owns nothing, with only the rights below; this is that role, created for the test and dropped.
"""

import secrets

import psycopg2
import pytest
from django.db import connection

from countries.models import Country
from registry.audit.triggers import HEAD_TABLE, HEAD_TRIGGER, HISTORY_TRIGGER, TRUNCATE_SETTING

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

HISTORY = Country.history.model._meta.db_table


def _connect(**overrides):
    params = {
        "dbname": connection.settings_dict["NAME"],
        "host": connection.settings_dict["HOST"] or None,
        "port": connection.settings_dict["PORT"] or None,
        "user": connection.settings_dict["USER"],
        "password": connection.settings_dict["PASSWORD"] or None,
        **overrides,
    }
    db = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    db.autocommit = True
    return db


@pytest.fixture
def app_role():
    """A role with what the app needs (read and write rows, use sequences) and no ownership."""
    role, password = f"registry_app_{secrets.token_hex(6)}", secrets.token_urlsafe(16)
    owner = _connect()
    with owner.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", [password])
        cursor.execute(f'GRANT CONNECT ON DATABASE "{owner.info.dbname}" TO {role}')
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    app = _connect(user=role, password=password)
    try:
        yield app
    finally:
        app.close()
        with owner.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
        owner.close()


def _refused(db, sql: str) -> str:
    with db.cursor() as cursor, pytest.raises(psycopg2.Error) as failure:
        cursor.execute(sql)
    return str(failure.value)


def test_the_app_role_cannot_disable_drop_or_bypass_the_triggers(app_role):
    for sql in [
        f"ALTER TABLE {HISTORY} DISABLE TRIGGER {HISTORY_TRIGGER}",
        f"ALTER TABLE {HISTORY} DISABLE TRIGGER ALL",
        f"DROP TRIGGER {HISTORY_TRIGGER} ON {HISTORY}",
        f"ALTER TABLE {HEAD_TABLE} DISABLE TRIGGER {HEAD_TRIGGER}",
    ]:
        assert "must be owner" in _refused(app_role, sql), sql
    assert "permission denied" in _refused(app_role, "SET session_replication_role = replica")

    assert "append-only" in _refused(app_role, f"UPDATE {HISTORY} SET name = 'Nowhere'")
    assert "append-only" in _refused(app_role, f"DELETE FROM {HISTORY}")
    with app_role.cursor() as cursor:
        cursor.execute(f"SET {TRUNCATE_SETTING} = 'on'")  # any session may set it ...
    assert "permission denied" in _refused(app_role, f"TRUNCATE {HISTORY}")  # ... to no avail
    assert "only moves forward" in _refused(
        app_role, f"UPDATE {HEAD_TABLE} SET last_seq = last_seq - 1"
    )

    with app_role.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {HISTORY}")
        assert cursor.fetchone()[0] >= 249
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = %s AND t.tgname = %s AND t.tgenabled = 'O'",
            [HISTORY, HISTORY_TRIGGER],
        )
        assert cursor.fetchone()[0] == 1
