"""Sends the auditors' read-only pages to a read replica, and everything else to the primary.

Only reads that can tolerate a replica's lag go there: the pages under ``REPLICA_PATH_PREFIXES``
(``/audit/`` by default), which show history that is never changed once written. Services, row
locks and anything inside a transaction stay on the primary, so a decision never reads stale data.
Without a ``replica`` database configured (``DATABASE_REPLICA_URL``) the router does nothing.
"""

import contextlib
import contextvars
from collections.abc import Iterator

from django.conf import settings
from django.db import connections

REPLICA = "replica"

_reads_may_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "reads_may_use_replica", default=False
)


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads outside a transaction go to the replica when one is configured."""
    token = _reads_may_use_replica.set(True)
    try:
        yield
    finally:
        _reads_may_use_replica.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reads_may_use_replica.get() or not replica_configured():
            return None
        if connections["default"].in_atomic_block:
            return None  # a transaction reads its own writes on the primary
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
