"""``flush``: empties every table, the audit trail's too, so it runs only where that is meant.

Django's ``flush`` truncates every table, history included, and a trail erased together with the
data it recorded leaves nothing for ``verify_audit`` to find. It is refused unless it is the test
runner flushing a test database between transactional tests, or an operator who says so with
``--erase-audit-trail``.

On PostgreSQL the history tables' triggers reject TRUNCATE unless the session setting below is
on; this command is the one place that turns it on, for the length of the flush.
"""

import os

from django.core import mail
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.creation import TEST_DATABASE_PREFIX

from registry.audit.triggers import TRUNCATE_SETTING


def is_test_database(connection) -> bool:
    """The test runner's own database: its environment is set up (``setup_test_environment``
    creates ``mail.outbox``) and the database carries a test database's name."""
    if not hasattr(mail, "outbox"):
        return False
    name = str(connection.settings_dict.get("NAME") or "")
    test_name = (connection.settings_dict.get("TEST") or {}).get("NAME")
    if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
        return True
    return bool(test_name and name == test_name) or os.path.basename(name).startswith(
        TEST_DATABASE_PREFIX
    )


class Command(flush.Command):
    help = (
        "Removes ALL data from the database, the audit trail included. Refused outside the test "
        "runner unless --erase-audit-trail is given."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--erase-audit-trail",
            action="store_true",
            help="Yes, erase the audit trail with everything else (never on a live registry).",
        )

    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if not is_test_database(connection):
            if not options.get("erase_audit_trail"):
                raise CommandError(
                    "flush would erase the audit trail with every other table, and is refused. "
                    "To empty this database and its trail for good, run "
                    "`manage.py flush --erase-audit-trail`."
                )
            self.stderr.write(
                self.style.WARNING(
                    "ERASING THE AUDIT TRAIL: every history record and the chain's head of "
                    f"database {connection.settings_dict.get('NAME')!r} go with the data."
                )
            )
        if connection.vendor != "postgresql":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute(f"SET {TRUNCATE_SETTING} = 'on'")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"RESET {TRUNCATE_SETTING}")
