"""``flush``, allowed to empty the append-only history tables on PostgreSQL.

Django's ``flush`` (and so the test runner between transactional tests) truncates every table.
The history tables' triggers reject TRUNCATE unless the session setting below is on; this command
is the one place that turns it on, for the length of the flush.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from registry.audit.triggers import TRUNCATE_SETTING


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute(f"SET {TRUNCATE_SETTING} = 'on'")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"RESET {TRUNCATE_SETTING}")
