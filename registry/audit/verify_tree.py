"""Checks the Merkle log against the records and against signed checkpoints (``verify_audit``).

The records are rehashed from the history tables, never taken from the stored tree: a record
edited in the database no longer matches its stored leaf (named here), and a tree rebuilt to match
edited records no longer matches the checkpoints signed before the edit. Each checkpoint, stored or
kept elsewhere (``verify_audit --checkpoint FILE``), must carry a valid signature by a known key,
must not sign more records than the trail holds (a cut tail, with the number missing), and must be
the root of the trail's first records of its size (else the log was rewritten after it).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field

from registry.audit import chain, checkpoints, merkle, signing, tree
from registry.audit.models import Checkpoint, TreeNode

MAX_NAMED = 20


@dataclass(frozen=True)
class Record:
    seq: int
    table: str
    history_id: int
    content: bytes


def records(*, chunk_size: int = 5000) -> Iterator[Record]:
    """Every numbered history record with its canonical bytes, in ``audit_seq`` order, streamed
    from each table and merged, so memory stays flat."""

    def stream(model):
        table = model._meta.db_table
        queryset = model.objects.filter(audit_seq__isnull=False).order_by("audit_seq")
        for record in queryset.iterator(chunk_size=chunk_size):
            yield Record(record.audit_seq, table, record.pk, chain.canonical(record))

    yield from heapq.merge(
        *(stream(model) for model in chain.history_models()), key=lambda r: r.seq
    )


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


def _stored_leaves(chunk_size: int) -> Iterator[tuple[int, bytes]]:
    rows = TreeNode.objects.filter(level=0).order_by("index").values_list("index", "hash")
    for index, digest in rows.iterator(chunk_size=chunk_size):
        yield index, bytes(digest)


def verify_tree(*, kept: list[tuple[str, str]] = (), chunk_size: int = 5000) -> TreeReport:
    """Rebuilds the tree from the records and checks it against the stored tree, every stored
    checkpoint and the ``kept`` ones (label, signed note)."""
    report = TreeReport()
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
    wanted = {head.size for _, head in opened}
    roots = {0: merkle.EMPTY_ROOT}

    builder = merkle.TreeBuilder()
    stored_leaves = _stored_leaves(chunk_size)
    edited = 0
    for record in records(chunk_size=chunk_size):
        position = builder.size
        if record.seq != position + 1 and len(problems) < MAX_NAMED:
            problems.append(
                Problem(
                    "out of sequence",
                    f"record {record.seq} ({record.table}, history_id {record.history_id}) is "
                    f"at position {position + 1} of the trail",
                )
            )
        digest = merkle.leaf_hash(record.content)
        stored_leaf = next(stored_leaves, None)
        if stored_leaf is not None and stored_leaf != (position, digest):
            edited += 1
            if edited <= MAX_NAMED:
                problems.append(
                    Problem(
                        "edited record",
                        f"record {record.seq} ({record.table}, history_id {record.history_id}) "
                        "no longer matches its leaf in the Merkle log: changed after it was "
                        "written",
                    )
                )
        builder.append(digest)
        if builder.size in wanted:
            roots[builder.size] = builder.root()
    if edited > MAX_NAMED:
        problems.append(Problem("edited record", f"and {edited - MAX_NAMED} more records"))
    report.records, report.root = builder.size, builder.root()

    stored_size = tree.size()
    if stored_size != builder.size:
        problems.append(
            Problem(
                "log out of step",
                f"the Merkle log holds {stored_size} leaves, the trail {builder.size} records",
            )
        )
    elif builder.size and tree.root(builder.size) != report.root:
        problems.append(
            Problem("log out of step", "the stored Merkle log's root differs from the records'")
        )

    for label, head in opened:
        report.checkpoints_checked += 1
        if head.size > builder.size:
            missing = head.size - builder.size
            problems.append(
                Problem(
                    "records missing",
                    f"{label} signs {head.size} records but the trail holds {builder.size}: "
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
