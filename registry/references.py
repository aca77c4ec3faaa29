"""Human-readable, gap-free reference numbers: ``APP-2026-000123``, ``EL-2026-000046``."""

from django.db import connections, router
from django.utils import timezone

from registry.models import ReferenceCounter


def next_reference(prefix: str, *, year: int | None = None) -> str:
    """Takes the next number of the ``prefix``-``year`` series inside the caller's transaction.

    The increment locks the counter row until that transaction ends, so two approvals at once get
    consecutive numbers, and a transaction that rolls back gives its number back. Every other
    transaction taking a number of the series waits for that end: callers take it as late as they
    can, just before writing the row that carries it.
    """
    using = router.db_for_write(ReferenceCounter)
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("next_reference() must run inside the transaction that uses the number.")
    year = year or timezone.now().year
    series = f"{prefix}-{year}"
    number = _increment(connection, series)
    if number is None:  # the series' first number
        ReferenceCounter.objects.using(using).get_or_create(series=series)
        number = _increment(connection, series)
    return f"{series}-{number:06d}"


def _increment(connection, series: str) -> int | None:
    quote = connection.ops.quote_name
    table = quote(ReferenceCounter._meta.db_table)
    column = quote(ReferenceCounter._meta.get_field("last_number").column)
    series_column = quote(ReferenceCounter._meta.get_field("series").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = {column} + 1 WHERE {series_column} = %s "
            f"RETURNING {column}",
            [series],
        )
        row = cursor.fetchone()
    return row[0] if row else None
