"""Reading a server-side cursor one batch ahead, so the verifier hashes while PostgreSQL reads.

A full verification streams every history record through named cursors. Read in turn, the
process waits for each batch (the server scans, formats and sends it) and then hashes it while
the server waits for the next ``FETCH``: each side idles half of the time. Here the next batch is
fetched by a thread while the caller works on the current one; psycopg2 releases the GIL while
it waits for the server, so the wait overlaps the hashing instead of adding to it.

Only the fetching moves to the thread: the cursor is opened, and closed, by the caller's thread
inside its transaction, and psycopg2 serialises the statements of one connection, so a query the
caller sends meanwhile (a leaf looked up to name an edited record) simply waits for the fetch in
flight. The rows come out in the cursor's order, as ``fetchmany`` gives them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

_local = threading.local()


def _pool() -> ThreadPoolExecutor:
    """One fetching thread per calling thread: the cursors of one walk (one per history table,
    and the stored leaves) are fetched in turn, never two at once on the same connection."""
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = ThreadPoolExecutor(1, thread_name_prefix="audit-prefetch")
    return pool


def batches(cursor, size: int) -> Iterator[list[tuple]]:
    """The batches of ``size`` rows of an executed (server-side) DB-API ``cursor``, each fetched
    while the caller works on the one before it."""
    pool = _pool()
    pending = pool.submit(cursor.fetchmany, size)
    try:
        while rows := pending.result():
            pending = pool.submit(cursor.fetchmany, size)
            yield rows
    finally:
        # A reader that stops early (or fails) leaves no fetch running on its connection.
        pending.cancel() or pending.exception()
