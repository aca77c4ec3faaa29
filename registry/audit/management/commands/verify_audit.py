"""``manage.py verify_audit``: proves the audit trail was not altered, or names every place it was.

Every check runs whatever an earlier one found: a trail broken in one place may have been
tampered with in another, and the live rows may have been changed behind it too. The command
exits non-zero when any check fails, listing them all.
"""

import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registry.audit import kept as kept_checkpoints
from registry.audit import triggers
from registry.audit.chain import record_at, verify_chain
from registry.audit.history import SYSTEM_USERNAME
from registry.audit.reconcile import reconcile, tracked_models
from registry.audit.verify_tree import read_kept, success_text, verify_tree

_HEAD = re.compile(r"(\d+):([0-9a-f]{64}|)")


def _head(text: str) -> tuple[int, str]:
    match = _HEAD.fullmatch(text.strip().lower())
    if match is None:
        raise CommandError(
            f"--expect-head takes SEQ:HASH as verify_audit printed it (got {text!r})."
        )
    return int(match[1]), match[2]


class Command(BaseCommand):
    help = (
        "Walks the tamper-evident chain over every history record, checks the append-only "
        "triggers, then compares each live row with its latest history record. Prints the "
        "chain's head as SEQ:HASH; exits non-zero naming every break found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-reconcile",
            action="store_true",
            help="Check only the chain and the triggers, not the live rows against them.",
        )
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help=(
                "A head printed by an earlier run and kept elsewhere: fails when the chain no "
                "longer reaches that record with that hash (its tail was cut or rewritten)."
            ),
        )
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help=(
                "A signed checkpoint kept outside the database: the log must extend it. A "
                "folder (AUDIT_CHECKPOINT_DIR) stands for the newest checkpoint in it."
            ),
        )

    def handle(self, *args, skip_reconcile=False, expect_head=None, checkpoint=(), **options):
        expected = _head(expect_head) if expect_head else None
        checkpoint = [self._newest_if_folder(name) for name in checkpoint]
        try:
            kept = read_kept(checkpoint)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"--checkpoint: {error}") from error
        problems: list[str] = []

        report = verify_chain()
        problems += [f"Audit chain broken at {b}" for b in report.breaks]
        if report.ok:
            self.stdout.write(
                f"Chain: {report.records} records, intact to record {report.last_seq}."
            )
        else:
            self.stdout.write(
                f"Chain: {report.records} records, {len(report.breaks)} break(s) found."
            )

        tree_report = verify_tree(kept=kept)
        if tree_report.ok:
            self.stdout.write(success_text(tree_report))
        else:
            problems += [f"Merkle log: {problem}" for problem in tree_report.problems]

        if expected is not None:
            problems += self._behind(report, *expected)
        problems += self._erased(report)
        problems += [f"Append-only guard: {p}" for p in triggers.trigger_problems()]

        if not skip_reconcile:
            mismatches = reconcile()
            problems += [f"Live data differs from the audit trail: {m}" for m in mismatches]
            if not mismatches:
                self.stdout.write(
                    "Reconciliation: every live row matches its latest history record."
                )

        self.stdout.write(f"Head: {report.head}")
        if problems:
            lines = "\n".join(f"  {p}" for p in problems)
            raise CommandError(
                f"Audit trail NOT verified: {len(problems)} problem(s).\n{lines}", returncode=1
            )
        self.stdout.write(self.style.SUCCESS("Audit trail verified."))

    def _newest_if_folder(self, name: str) -> str:
        if not Path(name).is_dir():
            return name
        found = kept_checkpoints.newest(Path(name))
        if found is None:
            raise CommandError(f"--checkpoint: no checkpoint-*.txt in {name}")
        self.stdout.write(f"Newest checkpoint kept in {name}: {found.name}")
        return str(found)

    def _behind(self, report, seq: int, hash_: str) -> list[str]:
        """A head recorded elsewhere must still be in the chain: records are never removed, so
        a chain that ends before it, or carries another hash there, lost or rewrote its tail."""
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
        self.stdout.write(f"Expected head: record {seq} is in the chain with its hash.")
        return []

    def _erased(self, report) -> list[str]:
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
