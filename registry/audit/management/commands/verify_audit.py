"""``manage.py verify_audit``: proves the audit trail was not altered, or names where it was."""

from django.core.management.base import BaseCommand, CommandError

from registry.audit import triggers
from registry.audit.chain import verify_chain
from registry.audit.reconcile import reconcile


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

    def handle(self, *args, skip_reconcile=False, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(f"Audit chain broken at {report.broken}")
        self.stdout.write(f"Chain: {report.records} records, intact to record {report.last_seq}.")

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
