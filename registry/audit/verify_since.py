"""Verifies the trail from a trusted checkpoint on (``verify_audit --since-checkpoint FILE``).

A signed checkpoint kept outside the database vouches for the log's first N records: their root
is signed by a key the agency holds. This check costs in proportion to the records written since:

- the checkpoint's signature, by a configured public key;
- the stored log's root at size N, folded from at most log₂(N) stored subtrees, equals the signed
  root, and the stored log at its current size is consistent with it (a consistency proof from
  the stored subtrees);
- record N's content is the signed tree's leaf N (an inclusion proof), so its chain hash is the
  start of the links checked next (any other hash there would break record N+1's link, which
  only the holder of ``AUDIT_KEY`` could forge);
- every record after N: its number, its chain link, its canonical leaf against the stored leaf;
  the tree rebuilt from the signed subtrees and those leaves must give the stored current root;
- the chain's head names the last record and its hash.

A record edited BEFORE the checkpoint is not looked at: the full run (``verify_audit`` with no
option) stays the one that rehashes every record.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from registry.audit import chain, checkpoints, merkle, signing, tree
from registry.audit.models import AuditChainHead, TreeNode
from registry.audit.verify_tree import MAX_NAMED, Problem


@dataclass
class SinceReport:
    trusted: int = 0
    key: str = ""
    records: int = 0
    last_seq: int = 0
    head: str = ""
    root: bytes = merkle.EMPTY_ROOT
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def verified(self) -> int:
        return self.last_seq - self.trusted


def _records_after(seq: int, *, chunk_size: int) -> Iterator[tuple[int, str, tuple, bytes]]:
    """The records numbered after ``seq`` in order, as ``(seq, table, row, canonical bytes)``:
    rows of their model's columns, never model instances."""
    for form, rows in chain.runs(after=seq, chunk_size=chunk_size):
        table, encode = form.table, form.encode
        for row in rows:
            yield row[chain.SEQ], table, row, encode(row)


def _stored_leaves_after(position: int, *, chunk_size: int) -> Iterator[tuple[int, bytes]]:
    rows = (
        TreeNode.objects.filter(level=0, index__gte=position)
        .order_by("index")
        .values_list("index", "hash")
    )
    for index, digest in rows.iterator(chunk_size=chunk_size):
        yield index, bytes(digest)


def _last_numbered() -> int:
    last = 0
    for model in chain.history_models():
        seq = (
            model.objects.filter(audit_seq__isnull=False)
            .order_by("-audit_seq")
            .values_list("audit_seq", flat=True)
            .first()
        )
        last = max(last, seq or 0)
    return last


def verify_since(label: str, note: str, *, chunk_size: int = 5000) -> SinceReport:
    report = SinceReport()
    problems = report.problems
    try:
        head, signed_by = signing.open_checkpoint(note, checkpoints.verifiers())
    except signing.NoteError as error:
        problems.append(Problem("forged checkpoint", f"{label}: {error}"))
        return report
    except Exception as error:  # an unreadable key: nothing can be trusted
        problems.append(Problem("key", str(error)))
        return report
    size = head.size
    report.trusted = size
    report.key = ", ".join(f"{v.name} ({v.hex_id})" for v in signed_by)

    stored_size = tree.size()
    last_record = _last_numbered()
    if size > stored_size or size > last_record:
        held = min(stored_size, last_record)
        missing = size - held
        problems.append(
            Problem(
                "records missing",
                f"{label} signs {size} records but the trail holds {held}: {missing} "
                f"record{'s' if missing != 1 else ''} missing (the tail was cut, or the "
                "database restored from an older backup)",
            )
        )
        return report

    try:
        frontier_keys = merkle.perfect_subtrees(0, size)
        found = tree.nodes(set(frontier_keys))
        frontier = [found[key] for key in frontier_keys]
        current_root = tree.root(stored_size)
        proof = tree.consistency_proof(size, stored_size)
    except tree.TreeOutOfStepError as error:
        problems.append(Problem("log out of step", str(error)))
        return report
    if merkle.fold(frontier) != head.root:
        problems.append(
            Problem(
                "not consistent",
                f"{label}: the stored log's first {size} records do not hash to the root it "
                "signed: the log was rewritten after it",
            )
        )
        return report
    if not merkle.verify_consistency(size, stored_size, head.root, current_root, proof):
        problems.append(
            Problem(
                "not consistent",
                f"the stored log at {stored_size} records does not extend {label}",
            )
        )

    previous = ""
    if size:
        anchor = chain.record_at(size)
        if anchor is None:
            problems.append(Problem("records missing", f"record {size} signed by {label} is gone"))
            return report
        leaf = merkle.leaf_hash(chain.canonical(anchor))
        path = tree.inclusion_proof(size - 1, size)
        if not merkle.verify_inclusion(size - 1, size, leaf, path, head.root):
            problems.append(
                Problem(
                    "edited record",
                    f"record {size} ({anchor._meta.db_table}, history_id {anchor.pk}) is not "
                    f"the leaf {label} signed",
                )
            )
        previous = anchor.audit_hash

    for model in chain.history_models():
        stray = model.objects.filter(audit_seq__isnull=True).order_by("pk").first()
        if stray is not None:
            problems.append(
                Problem(
                    "chain",
                    f"a record ({model._meta.db_table}, history_id {stray.pk}): inserted outside "
                    "the chain (unnumbered)",
                )
            )

    key = chain._key()
    builder = merkle.TreeBuilder(size, frontier)
    stored_leaves = _stored_leaves_after(size, chunk_size=chunk_size)
    expected, named = size + 1, 0

    def name(problem: Problem) -> None:
        nonlocal named
        named += 1
        if named <= MAX_NAMED:
            problems.append(problem)

    with transaction.atomic():  # PostgreSQL then streams each table instead of copying it
        for seq, table, row, content in _records_after(size, chunk_size=chunk_size):
            where = f"record {seq} ({table}, history_id {row[chain.ID]})"
            if seq < expected:
                name(Problem("chain", f"{where}: a second record with the same number (inserted)"))
                continue
            if seq > expected:
                gap = (
                    f"record {expected}" if seq == expected + 1 else f"records {expected}-{seq - 1}"
                )
                name(Problem("chain", f"{where}: {gap} before it is missing (removed)"))
            if seq == expected and not hmac.compare_digest(
                chain._link(content, previous, key), row[chain.HASH]
            ):
                name(
                    Problem(
                        "chain",
                        f"{where}: its content or hash does not match the chain (edited, or forged "
                        "without the key)",
                    )
                )
            digest = merkle.leaf_hash(content)
            stored = next(stored_leaves, None)
            if stored != (builder.size, digest):
                name(
                    Problem(
                        "edited record",
                        f"{where} no longer matches its leaf in the Merkle log: changed after it "
                        "was written",
                    )
                )
            builder.append(digest)
            previous, expected = row[chain.HASH], seq + 1
            report.records += 1
        stored_leaves.close()  # its cursor ends with the transaction
    if named > MAX_NAMED:
        problems.append(Problem("edited record", f"and {named - MAX_NAMED} more problems"))

    report.last_seq, report.root = expected - 1, builder.root()
    report.head = f"{report.last_seq}:{previous}"
    if builder.size != stored_size:
        problems.append(
            Problem(
                "log out of step",
                f"the Merkle log holds {stored_size} leaves, the trail {builder.size} records",
            )
        )
    elif report.root != current_root:
        problems.append(
            Problem("log out of step", "the stored Merkle log's root differs from the records'")
        )
    chain_head = AuditChainHead.objects.filter(pk=chain.HEAD_PK).first()
    head_seq, head_hash = (chain_head.last_seq, chain_head.last_hash) if chain_head else (0, "")
    if (head_seq, head_hash) != (report.last_seq, previous):
        problems.append(
            Problem(
                "chain",
                f"the chain ends at record {report.last_seq} but its head records {head_seq} "
                "records (the tail was cut, or the head was altered)",
            )
        )
    return report
