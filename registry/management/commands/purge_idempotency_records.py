"""``manage.py purge_idempotency_records``: deletes expired Idempotency-Key records (run hourly)."""

from django.core.management.base import BaseCommand, CommandError

from registry.api.idempotency import (
    count_expired_records,
    purge_expired_records,
    retention_text,
)


class Command(BaseCommand):
    help = (
        "Deletes the API's Idempotency-Key records older than IDEMPOTENCY_KEY_RETENTION_HOURS, "
        "in batches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the expired records and delete nothing.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Records deleted per transaction (default 1000).",
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        hours = retention_text()
        if options["dry_run"]:
            count = count_expired_records()
            self.stdout.write(
                f"{count} idempotency record(s) older than {hours} would be deleted "
                "(dry run: nothing deleted)."
            )
            return
        count = purge_expired_records(batch_size=options["batch_size"])
        self.stdout.write(f"{count} idempotency record(s) older than {hours} deleted.")
