"""The stored Merkle log: the perfect subtrees of the tree over every history record.

``registry.audit.chain`` appends the leaves of the records it numbers, in the same transaction and
under the same lock on the chain's head, so concurrent writers never fork the tree and a rolled-back
write leaves no node behind. A write adds its leaves and the subtrees they complete (about two rows
per record); the root of any tree size and every proof are then a fold of at most log₂(n) stored
subtrees per range, read in one query (``registry.audit.merkle`` says which).

The tree over records written before the log existed is built by the first append that finds it
behind the chain (``backfill``).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence

from django.db import connections

from registry.audit import merkle, prefetch
from registry.audit.models import TreeNode

# Rows held in memory before they are written, when an append carries many records.
FLUSH_ROWS = 20_000


class TreeOutOfStepError(RuntimeError):
    """The stored tree does not match the chain: nodes are missing, or it runs ahead of it."""


def size(*, using: str = "default") -> int:
    """The number of leaves stored: one read down the primary key."""
    last = (
        TreeNode.objects.using(using)
        .filter(level=0)
        .order_by("-index")
        .values_list("index", flat=True)
        .first()
    )
    return 0 if last is None else last + 1


def nodes(keys: set[merkle.Node], *, using: str = "default") -> dict[merkle.Node, bytes]:
    """The stored hashes of the given subtrees, in one query."""
    if not keys:
        return {}
    rows = (
        TreeNode.objects.using(using)
        .filter(pk__in=sorted(keys))
        .values_list("level", "index", "hash")
    )
    found = {(level, index): bytes(digest) for level, index, digest in rows}
    if len(found) != len(keys):
        missing = sorted(keys - found.keys())
        raise TreeOutOfStepError(
            f"the Merkle log lacks {len(missing)} subtree(s), first {missing[0]} (level, index)"
        )
    return found


def root(tree_size: int, *, using: str = "default") -> bytes:
    return merkle.fold(
        list(_ordered(merkle.perfect_subtrees(0, tree_size), using=using)),
    )


def _ordered(keys: list[merkle.Node], *, using: str) -> Iterable[bytes]:
    found = nodes(set(keys), using=using)
    return (found[key] for key in keys)


def leaf(index: int, *, using: str = "default") -> bytes:
    return nodes({(0, index)}, using=using)[(0, index)]


def leaf_hashes(seqs: Iterable[int], *, using: str = "default") -> dict[int, str]:
    """The leaf hashes (hex) of the records numbered ``seqs``, for a page of them: one query.
    A record not (yet) in the log is simply absent."""
    positions = [seq - 1 for seq in seqs if seq]
    if not positions:
        return {}
    # The level and a list of indexes, not ``pk__in`` pairs: Django builds two expressions for
    # each pair of a composite key, which cost an export more than reading the rows.
    rows = (
        TreeNode.objects.using(using)
        .filter(level=0, index__in=positions)
        .values_list("index", "hash")
    )
    return {index + 1: bytes(digest).hex() for index, digest in rows}


def leaf_blocks(
    block: int, *, start: int = 0, using: str = "default"
) -> Iterator[tuple[int, bytes]]:
    """The stored leaves in blocks of ``block`` positions, from block ``start`` on: ``(number,
    the leaf hashes of positions number·block … (number+1)·block - 1 that are stored, end to
    end in position order)``, in block order; a block with no stored leaf is left out.

    A verifier compares a block of rehashed leaves with one byte string instead of one row per
    leaf. PostgreSQL joins each block's hashes itself (``string_agg``), read through a
    server-side cursor so memory stays flat; other databases give the rows, joined here.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {quote('index')} / %s AS number, "
            f"string_agg({quote('hash')}, ''::bytea ORDER BY {quote('index')}) "
            f"FROM {quote(TreeNode._meta.db_table)} "
            f"WHERE {quote('level')} = 0 AND {quote('index')} >= %s "
            "GROUP BY number ORDER BY number"
        )
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, [block, start * block])
            for rows in prefetch.batches(cursor, 100):
                for number, joined in rows:
                    yield number, bytes(joined)
        return
    rows = (
        TreeNode.objects.using(using)
        .filter(level=0, index__gte=start * block)
        .order_by("index")
        .values_list("index", "hash")
        .iterator(chunk_size=5000)
    )
    number, parts = None, []
    for index, digest in rows:
        if index // block != number:
            if parts:
                yield number, b"".join(parts)
            number, parts = index // block, []
        parts.append(bytes(digest))
    if parts:
        yield number, b"".join(parts)


def leaves_in(start: int, end: int, *, using: str = "default") -> dict[int, bytes]:
    """The stored leaf hashes of positions ``[start, end)``, by position."""
    rows = (
        TreeNode.objects.using(using)
        .filter(level=0, index__gte=start, index__lt=end)
        .values_list("index", "hash")
    )
    return {index: bytes(digest) for index, digest in rows}


def inclusion_proof(index: int, tree_size: int, *, using: str = "default") -> list[bytes]:
    return merkle.hashes_of(
        merkle.inclusion_ranges(index, tree_size), lambda keys: nodes(keys, using=using)
    )


def consistency_proof(old_size: int, new_size: int, *, using: str = "default") -> list[bytes]:
    return merkle.hashes_of(
        merkle.consistency_ranges(old_size, new_size), lambda keys: nodes(keys, using=using)
    )


class _Writer:
    def __init__(self, using: str):
        self.using = using
        self.rows: list[tuple[int, int, bytes]] = []

    def emit(self, level: int, index: int, digest: bytes) -> None:
        self.rows.append((level, index, digest))
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        connection = connections[self.using]
        quote = connection.ops.quote_name
        table = quote(TreeNode._meta.db_table)
        columns = f"({quote('level')}, {quote('index')}, {quote('hash')})"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: a bulk write appends two rows per record, several times faster than INSERT.
                data = "".join(
                    f"{level}\t{index}\t\\\\x{digest.hex()}\n" for level, index, digest in self.rows
                )
                cursor.cursor.copy_expert(
                    f"COPY {table} {columns} FROM STDIN", io.StringIO(data), size=1 << 20
                )
            else:
                cursor.executemany(f"INSERT INTO {table} {columns} VALUES (%s, %s, %s)", self.rows)
        self.rows = []


def _frontier(position: int, *, using: str) -> tuple[int, list[bytes]]:
    """The stored size and its perfect subtrees, in one read when the tree is in step with the
    chain (the usual case): the subtrees of ``position``, its last leaf and no leaf after it."""
    keys = merkle.perfect_subtrees(0, position)
    probe = {*keys, (0, position)} | ({(0, position - 1)} if position else set())
    rows = TreeNode.objects.using(using).filter(pk__in=sorted(probe))
    found = {
        (level, index): bytes(h) for level, index, h in rows.values_list("level", "index", "hash")
    }
    if (0, position) not in found and all(key in found for key in probe - {(0, position)}):
        return position, [found[key] for key in keys]
    current = size(using=using)
    if current > position:
        return current, []
    return current, list(_ordered(merkle.perfect_subtrees(0, current), using=using))


def _completed(
    position: int, frontier: Sequence[bytes], leaves: Sequence[bytes]
) -> Iterator[tuple[int, int, list[bytes]]]:
    """The nodes that appending ``leaves`` at ``position`` completes, level by level: for each
    level, the index of its first new node and the new nodes' hashes, left to right.

    The same nodes ``merkle.TreeBuilder`` emits one at a time, computed a level at a time: the
    new nodes of a level are ``[position >> level, (position + len(leaves)) >> level)``, and the
    left child of the first may be the stored perfect subtree of that level (the frontier).
    """
    by_level = {
        level: digest
        for (level, _), digest in zip(merkle.perfect_subtrees(0, position), frontier, strict=True)
    }
    node_hash = merkle.node_hash
    level, start, end, current = 0, position, position + len(leaves), list(leaves)
    while start < end:
        yield level, start, current
        parents_start, parents_end = start >> 1, end >> 1
        if parents_start == parents_end:
            break
        if start & 1:  # the first parent's left child is the stored subtree of this level
            first = [node_hash(by_level[level], current[0])]
            current = current[1:]
        else:
            first = []
        pairs = 2 * (parents_end - parents_start - len(first))
        current = first + [
            node_hash(left, right)
            for left, right in zip(current[0:pairs:2], current[1:pairs:2], strict=True)
        ]
        level, start, end = level + 1, parents_start, parents_end


def append(
    position: int,
    leaves: Sequence[bytes],
    *,
    backfill: Callable[[int, int], Iterable[bytes]],
    using: str = "default",
) -> None:
    """Stores ``leaves`` at positions ``position``, ``position + 1``, … and the subtrees they
    complete. Runs inside the writer's transaction, after the chain's head is locked.

    ``backfill(start, end)`` yields the leaf hashes of the records at positions ``[start, end)``
    when the stored tree is behind the chain (records older than the log).
    """
    current, frontier = _frontier(position, using=using)
    if current > position:
        raise TreeOutOfStepError(
            f"the Merkle log holds {current} records but the chain appends at {position + 1}"
        )
    writer = _Writer(using)
    if current == position:  # the usual case: whole levels at a time
        for level, start, digests in _completed(position, frontier, leaves):
            writer.rows.extend(
                zip(itertools.repeat(level), range(start, start + len(digests)), digests)
            )
            if len(writer.rows) >= FLUSH_ROWS:
                writer.flush()
        writer.flush()
        return
    builder = merkle.TreeBuilder(current, frontier, emit=writer.emit)
    builder.extend(backfill(current, position))
    if builder.size != position:
        raise TreeOutOfStepError(
            f"the chain numbers {position} records before this write, but "
            f"{builder.size - current} of the {position - current} older ones were found"
        )
    builder.extend(leaves)
    writer.flush()
