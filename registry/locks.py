"""Shared row locks, which Django's ORM cannot express.

``select_for_update()`` takes an exclusive lock: two transactions that only read the same row
under it still queue behind each other. ``FOR SHARE`` lets readers in together and keeps out a
writer (``SELECT … FOR UPDATE``, ``UPDATE``) until every reader has committed, and makes a reader
wait for a writer already in flight. SQLite has no row locks (one writer holds the whole
database), so there the rows are read plainly.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router, transaction
from django.db.models import QuerySet


def for_share(queryset: QuerySet, *, of: Sequence[str] = ()) -> list:
    """Evaluates ``queryset`` under ``FOR SHARE`` row locks held until the transaction ends.

    Model querysets give model instances, ``values_list()`` ones give tuples. ``of`` names the
    tables to lock (as in ``FOR SHARE OF``) when the query joins rows that must stay free.
    """
    using = router.db_for_write(queryset.model)
    queryset = queryset.using(using)
    connection = connections[using]
    values = queryset._fields is not None
    if not connection.features.has_select_for_update:
        return list(queryset.values_list(*queryset._fields) if values else queryset)
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "A shared row lock is taken inside the transaction that relies on it."
        )
    if values:
        queryset = queryset.values_list(*queryset._fields)
    sql, params = queryset.query.get_compiler(using=using).as_sql()
    sql += " FOR SHARE"
    if of:
        sql += " OF " + ", ".join(connection.ops.quote_name(table) for table in of)
    if values:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    return list(queryset.model._default_manager.db_manager(using).raw(sql, params))
