"""One verification of the whole trail, as ``verify_audit`` runs it, and its record.

Every check runs whatever an earlier one found: the chain (HMAC, every break), the Merkle log
against the records and every signed checkpoint (and any kept elsewhere), a head recorded
elsewhere, an erased trail, the append-only triggers, and the live rows against their latest
history record. :func:`run` returns what it found; :func:`record` stores it as a
``VerificationRun`` (append-only), which the integrity page shows. The command, the auditors'
"verify again" button (``registry.audit.tasks.verify_trail``) and any schedule share both.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from registry.audit import triggers
from registry.audit.chain import record_at
from registry.audit.history import SYSTEM_USERNAME
from registry.audit.models import VerificationRun
from registry.audit.reconcile import reconcile, tracked_models
from registry.audit.verify_since import verify_since
from registry.audit.verify_tree import success_text, verify_trail


@dataclass
class Outcome:
    started_at: datetime.datetime
    records: int = 0
    checkpoints: int = 0
    head: str = ""
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def run(
    *,
    kept: list[tuple[str, str]] = (),
    expected: tuple[int, str] | None = None,
    skip_reconcile: bool = False,
) -> Outcome:
    outcome = Outcome(started_at=timezone.now())
    lines, problems = outcome.lines, outcome.problems

    # The chain and the Merkle log in one pass: each record read and serialised once.
    report, tree_report = verify_trail(kept=kept)
    outcome.records, outcome.head = report.records, report.head
    problems += [f"Audit chain broken at {b}" for b in report.breaks]
    if report.ok:
        lines.append(f"Chain: {report.records} records, intact to record {report.last_seq}.")
    else:
        lines.append(f"Chain: {report.records} records, {len(report.breaks)} break(s) found.")

    outcome.checkpoints = tree_report.checkpoints_checked
    if tree_report.ok:
        lines.append(success_text(tree_report))
    else:
        problems += [f"Merkle log: {problem}" for problem in tree_report.problems]

    if expected is not None:
        problems += _behind(report, *expected, lines=lines)
    problems += _erased(report)
    problems += [f"Append-only guard: {p}" for p in triggers.trigger_problems()]

    if not skip_reconcile:
        mismatches = reconcile()
        problems += [f"Live data differs from the audit trail: {m}" for m in mismatches]
        if not mismatches:
            lines.append("Reconciliation: every live row matches its latest history record.")
    return outcome


def run_since(*, label: str, note: str) -> Outcome:
    """The incremental run: the records a signed checkpoint covers are trusted, only those
    written after it are rehashed (``registry.audit.verify_since``). The triggers are checked as
    in a full run; the live rows are not reconciled (the full run does that)."""
    outcome = Outcome(started_at=timezone.now())
    lines, problems = outcome.lines, outcome.problems
    report = verify_since(label, note)
    outcome.records, outcome.head, outcome.checkpoints = report.records, report.head, 1
    problems += [f"Since checkpoint: {problem}" for problem in report.problems]
    if report.ok:
        lines.append(
            f"Records 1..{report.trusted} trusted by the checkpoint of size {report.trusted} "
            f"signed by {report.key}; records {report.trusted + 1}..{report.last_seq} verified "
            f"({report.records} rehashed: chain links, Merkle leaves, root "
            f"{report.root.hex()})."
        )
        lines.append(
            "Records before the checkpoint were NOT rehashed: only a full run (verify_audit "
            "with no --since-checkpoint) detects a record edited before it."
        )
    problems += [f"Append-only guard: {p}" for p in triggers.trigger_problems()]
    lines.append("Reconciliation skipped: the live rows are compared only by a full run.")
    return outcome


def _behind(report, seq: int, hash_: str, *, lines: list[str]) -> list[str]:
    """A head recorded elsewhere must still be in the chain: records are never removed, so a
    chain that ends before it, or carries another hash there, lost or rewrote its tail."""
    if seq == 0:
        return []
    if seq > report.last_seq:
        return [
            f"Audit chain cut: it ends at record {report.last_seq}, but a head recorded "
            f"elsewhere is at record {seq}."
        ]
    record = record_at(seq)
    found = record.audit_hash if record is not None else ""
    if found != hash_:
        return [
            f"Audit chain rewritten: record {seq} does not carry the hash of the head "
            "recorded elsewhere."
        ]
    lines.append(f"Expected head: record {seq} is in the chain with its hash.")
    return []


def _erased(report) -> list[str]:
    """An empty trail is right only for an empty database (a fresh install)."""
    if report.records:
        return []
    rows = sum(model.objects.count() for model in tracked_models())
    users = get_user_model().objects.exclude(username=SYSTEM_USERNAME).count()
    if not rows and not users:
        return []
    return [
        f"The audit trail is empty, but the database holds {rows} tracked row(s) and "
        f"{users} user account(s): the trail was erased."
    ]


@transaction.atomic
def record(outcome: Outcome, *, source: str, requested_by: str = "") -> VerificationRun:
    return VerificationRun.objects.create(
        started_at=outcome.started_at,
        finished_at=timezone.now(),
        ok=outcome.ok,
        records=outcome.records,
        checkpoints=outcome.checkpoints,
        problems="\n".join(outcome.problems),
        requested_by=requested_by,
        source=source,
    )


def latest() -> VerificationRun | None:
    return VerificationRun.objects.order_by("-finished_at", "-id").first()
