"""``manage.py verify_audit``: proves the audit trail was not altered, or names where it was."""

from django.core.management.base import BaseCommand, CommandError

from registry.audit import triggers
from registry.audit.chain import verify_chain
from registry.audit.reconcile import reconcile
from registry.audit.verify_tree import failure_text, read_kept, success_text, verify_tree


class Command(BaseCommand):
    help = (
        "Walks the tamper-evident chain over every history record, then compares each live row "
        "with its latest history record. Exits non-zero naming the first broken record."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-reconcile",
            action="store_true",
            help="Check only the chain, not the live rows against it.",
        )
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="A signed checkpoint kept outside the database: the log must extend it.",
        )

    def handle(self, *args, skip_reconcile=False, checkpoint=(), **options):
        try:
            kept = read_kept(checkpoint)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"--checkpoint: {error}") from error
        report = verify_chain()
        tree_report = verify_tree(kept=kept)
        if not report.ok:
            tree_text = "" if tree_report.ok else "\n" + failure_text(tree_report)
            raise CommandError(f"Audit chain broken at {report.broken}{tree_text}")
        self.stdout.write(f"Chain: {report.records} records, intact to record {report.last_seq}.")
        if not tree_report.ok:
            raise CommandError(failure_text(tree_report))
        self.stdout.write(success_text(tree_report))

        unguarded = triggers.unguarded_tables()
        if unguarded:
            raise CommandError(
                "History tables without their append-only trigger: " + ", ".join(unguarded)
            )

        if not skip_reconcile:
            mismatches = reconcile()
            if mismatches:
                lines = "\n".join(f"  {m}" for m in mismatches)
                raise CommandError(f"Live data differs from the audit trail:\n{lines}")
            self.stdout.write("Reconciliation: every live row matches its latest history record.")
        self.stdout.write(self.style.SUCCESS("Audit trail verified."))
