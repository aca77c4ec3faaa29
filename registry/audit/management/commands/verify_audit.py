"""``manage.py verify_audit``: proves the audit trail was not altered, or names every place it was.

Every check runs whatever an earlier one found: a trail broken in one place may have been
tampered with in another, and the live rows may have been changed behind it too. The command
exits non-zero when any check fails, listing them all. Each run is recorded (``VerificationRun``)
for the integrity page. The checks themselves are in ``registry.audit.verification``.
"""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.audit import kept as kept_checkpoints
from registry.audit import verification
from registry.audit.verify_tree import read_kept

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

        parser.add_argument(
            "--since-checkpoint",
            metavar="FILE",
            help=(
                "Incremental run: a signed checkpoint kept outside the database (a folder stands "
                "for the newest in it) vouches for the records it covers; only the records "
                "written after it are rehashed. A record edited before it is not detected: the "
                "full run stays the default."
            ),
        )

    def handle(
        self,
        *args,
        skip_reconcile=False,
        expect_head=None,
        checkpoint=(),
        since_checkpoint=None,
        **options,
    ):
        if since_checkpoint:
            if checkpoint or expect_head:
                raise CommandError(
                    "--since-checkpoint runs alone: --checkpoint and --expect-head belong to "
                    "the full run."
                )
            path = self._newest_if_folder(since_checkpoint)
            try:
                note = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"--since-checkpoint: {error}") from error
            outcome = verification.run_since(label=f"checkpoint {path}", note=note)
            return self._finish(outcome, source="since checkpoint")
        expected = _head(expect_head) if expect_head else None
        checkpoint = [self._newest_if_folder(name) for name in checkpoint]
        try:
            kept = read_kept(checkpoint)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"--checkpoint: {error}") from error
        outcome = verification.run(kept=kept, expected=expected, skip_reconcile=skip_reconcile)
        self._finish(outcome, source="command")

    def _finish(self, outcome, *, source: str) -> None:
        for line in outcome.lines:
            self.stdout.write(line)
        verification.record(outcome, source=source)
        self.stdout.write(f"Head: {outcome.head}")
        problems = outcome.problems
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
