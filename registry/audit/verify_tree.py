"""Checks the Merkle log against the records and against signed checkpoints (``verify_audit``).

The records are rehashed from the history tables, never taken from the stored tree: a record
edited in the database no longer matches its stored leaf (named here), and a tree rebuilt to match
edited records no longer matches the checkpoints signed before the edit. Each checkpoint, stored or
kept elsewhere (``verify_audit --checkpoint FILE``), must carry a valid signature by a known key,
must not sign more records than the trail holds (a cut tail, with the number missing), and must be
the root of the trail's first records of its size (else the log was rewritten after it).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from registry.audit import chain, checkpoints, merkle, signing, tree
from registry.audit.models import Checkpoint

MAX_NAMED = 20

_seq = operator.itemgetter(chain.SEQ)


@dataclass(frozen=True)
class Record:
    seq: int
    table: str
    history_id: int
    content: bytes


def records(*, chunk_size: int = 5000) -> Iterator[Record]:
    """Every numbered history record with its canonical bytes, in ``audit_seq`` order, streamed
    from each table and merged, so memory stays flat."""
    for form, rows in chain.runs(chunk_size=chunk_size):
        table, encode = form.table, form.encode
        for row in rows:
            yield Record(row[chain.SEQ], table, row[chain.ID], encode(row))


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.message}"


@dataclass
class TreeReport:
    records: int = 0
    root: bytes = merkle.EMPTY_ROOT
    checkpoints_checked: int = 0
    latest_checkpoint: int | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# Rehashed leaves are compared with the stored ones a block at a time (one read and one
# comparison per block); a block that differs is compared leaf by leaf, to name its records.
BLOCK = 1024


class _LeafCheck:
    """The Merkle log's side of the walk: each record's leaf, hashed from the canonical bytes
    the chain's check built, against its stored leaf; the tree rebuilt from them, and its root
    at each checkpoint's size."""

    def __init__(self, problems: list[Problem], wanted: set[int]):
        self.problems = problems
        self.wanted = wanted
        self.roots = {0: merkle.EMPTY_ROOT}
        self.builder = merkle.TreeBuilder()
        self.stored_size = tree.size()
        self.stored_blocks = tree.leaf_blocks(BLOCK)
        self.stored_next = next(self.stored_blocks, None)
        self.contents: list[bytes] = []
        self.rows: list[tuple] = []
        self.tables: list[str] = []
        self.edited = 0

    def __call__(self, table: str, rows: list[tuple], contents: list[bytes]) -> None:
        """A batch of records of one table, in sequence: kept until a block is full."""
        self.contents += contents
        self.rows += rows
        self.tables += itertools.repeat(table, len(rows))
        while len(self.rows) >= BLOCK:
            self._block()

    def _block(self) -> None:
        """The next block's records in sequence, their leaves into the tree, then against the
        stored ones."""
        rows, tables, contents = self.rows[:BLOCK], self.tables[:BLOCK], self.contents[:BLOCK]
        del self.rows[:BLOCK], self.tables[:BLOCK], self.contents[:BLOCK]
        builder = self.builder
        start = builder.size
        if list(map(_seq, rows)) != list(range(start + 1, start + len(rows) + 1)):
            for position, (table, row) in enumerate(zip(tables, rows, strict=True), start + 1):
                if row[chain.SEQ] != position and len(self.problems) < MAX_NAMED:
                    self.problems.append(
                        Problem(
                            "out of sequence",
                            f"record {row[chain.SEQ]} ({table}, history_id {row[chain.ID]}) is "
                            f"at position {position} of the trail",
                        )
                    )
        leaves = merkle.leaf_hashes(contents)
        if len(leaves) == BLOCK and not any(start < size <= start + BLOCK for size in self.wanted):
            builder.append_subtree(BLOCK.bit_length() - 1, merkle.perfect_root(leaves))
        else:
            for leaf in leaves:
                builder.append(leaf)
                if builder.size in self.wanted:
                    self.roots[builder.size] = builder.root()
        self._compare(start, leaves, tables, rows)

    def _compare(self, start: int, leaves: list[bytes], tables: list[str], rows: list[tuple]):
        number = start // BLOCK
        while self.stored_next is not None and self.stored_next[0] < number:
            self.stored_next = next(self.stored_blocks, None)
        stored = b""
        if self.stored_next is not None and self.stored_next[0] == number:
            stored = self.stored_next[1]
        if stored == b"".join(leaves):
            return
        found = tree.leaves_in(start, start + len(leaves))
        for offset, digest in enumerate(leaves):
            position = start + offset
            if position < self.stored_size and found.get(position) != digest:
                self.edited += 1
                if self.edited <= MAX_NAMED:
                    table, row = tables[offset], rows[offset]
                    self.problems.append(
                        Problem(
                            "edited record",
                            f"record {row[chain.SEQ]} ({table}, history_id {row[chain.ID]}) no "
                            "longer matches its leaf in the Merkle log: changed after it was "
                            "written",
                        )
                    )

    def finish(self, report: TreeReport) -> None:
        if self.rows:
            self._block()
        self.stored_blocks.close()  # its cursor ends with the transaction
        problems, builder = self.problems, self.builder
        if self.edited > MAX_NAMED:
            problems.append(Problem("edited record", f"and {self.edited - MAX_NAMED} more records"))
        report.records, report.root = builder.size, builder.root()
        if self.stored_size != builder.size:
            problems.append(
                Problem(
                    "log out of step",
                    f"the Merkle log holds {self.stored_size} leaves, the trail {builder.size} "
                    "records",
                )
            )
        elif builder.size and tree.root(builder.size) != report.root:
            problems.append(
                Problem("log out of step", "the stored Merkle log's root differs from the records'")
            )


def _opened(report: TreeReport, kept) -> tuple[list, list[Checkpoint]]:
    """The stored checkpoints and the ``kept`` ones whose signature holds, as (label, head)."""
    problems = report.problems
    try:
        verifiers = checkpoints.verifiers()
    except Exception as error:  # an unreadable key is reported, the records are still checked
        verifiers = []
        problems.append(Problem("key", str(error)))

    stored = list(Checkpoint.objects.order_by("tree_size", "id"))
    notes = [(f"stored checkpoint {c.pk} (size {c.tree_size})", c.note, c) for c in stored]
    notes += [(label, note, None) for label, note in kept]
    opened = []
    for label, note, row in notes:
        try:
            head, _ = signing.open_checkpoint(note, verifiers)
        except signing.NoteError as error:
            problems.append(Problem("forged checkpoint", f"{label}: {error}"))
            continue
        if row is not None and (row.tree_size, bytes(row.root_hash)) != (head.size, head.root):
            problems.append(
                Problem("forged checkpoint", f"{label}: its columns differ from its signed note")
            )
        opened.append((label, head))
    return opened, stored


def _checkpoints(report: TreeReport, opened, stored, roots: dict[int, bytes]) -> None:
    problems, size = report.problems, report.records
    for label, head in opened:
        report.checkpoints_checked += 1
        if head.size > size:
            missing = head.size - size
            problems.append(
                Problem(
                    "records missing",
                    f"{label} signs {head.size} records but the trail holds {size}: "
                    f"{missing} record{'s' if missing != 1 else ''} missing (the tail was cut, "
                    "or the database restored from an older backup)",
                )
            )
        elif roots.get(head.size) != head.root:
            problems.append(
                Problem(
                    "not consistent",
                    f"{label}: the trail's first {head.size} records do not hash to the root it "
                    "signed: records were edited, removed or rewritten after it",
                )
            )
    if stored:
        report.latest_checkpoint = stored[-1].tree_size


def verify_trail(
    *, kept: list[tuple[str, str]] = (), chunk_size: int = 5000
) -> tuple[chain.ChainReport, TreeReport]:
    """The chain and the Merkle log checked in one pass over the records: each record is read
    once (a row, no model instance) and its canonical bytes built once, for its chain link and
    its leaf. The same reports as :func:`chain.verify_chain` and :func:`verify_tree`."""
    report = TreeReport()
    opened, stored = _opened(report, kept)
    with transaction.atomic():  # PostgreSQL then streams each table instead of copying it
        leaves = _LeafCheck(report.problems, {head.size for _, head in opened})
        chain_report = chain.verify_chain(chunk_size=chunk_size, each=leaves)
        leaves.finish(report)
    _checkpoints(report, opened, stored, leaves.roots)
    return chain_report, report


def verify_tree(*, kept: list[tuple[str, str]] = (), chunk_size: int = 5000) -> TreeReport:
    """Rebuilds the tree from the records and checks it against the stored tree, every stored
    checkpoint and the ``kept`` ones (label, signed note)."""
    report = TreeReport()
    opened, stored = _opened(report, kept)
    with transaction.atomic():
        leaves = _LeafCheck(report.problems, {head.size for _, head in opened})
        for form, rows in chain.runs(chunk_size=chunk_size):
            table, encode = form.table, form.encode
            while batch := list(itertools.islice(rows, chain.BATCH)):
                leaves(table, batch, list(map(encode, batch)))
        leaves.finish(report)
    _checkpoints(report, opened, stored, leaves.roots)
    return report


def read_kept(paths: list[str]) -> list[tuple[str, str]]:
    """Checkpoints kept outside the database, as (label, note); raises OSError or
    UnicodeDecodeError for a file that cannot be read."""
    return [(f"checkpoint {path}", open(path, encoding="utf-8").read()) for path in paths]


def failure_text(report: TreeReport) -> str:
    return "Merkle log:\n" + "\n".join(f"  {problem}" for problem in report.problems)


def success_text(report: TreeReport) -> str:
    checked = report.checkpoints_checked
    return (
        f"Merkle log: {report.records} records, root {report.root.hex()}; "
        f"{checked} signed checkpoint{'s' if checked != 1 else ''} verified and consistent."
    )
