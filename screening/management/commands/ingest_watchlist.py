"""``manage.py ingest_watchlist --source csl FILE``: one snapshot of the Consolidated Screening
List, all or nothing; run it daily (docs/operations.md)."""

import time

from django.core.management.base import BaseCommand, CommandError

from registry.audit.history import system_user
from screening import services
from screening.ingest import IngestError
from screening.models import SnapshotStatus, SourceCode


class Command(BaseCommand):
    help = (
        "Ingests a list file as one snapshot (the CSL's JSON). The same file again stores "
        "nothing; a bad file stores nothing and the previous snapshot stays in use."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="The list: csl.")
        parser.add_argument("file", help="The list's JSON file.")

    def handle(self, *args, **options):
        source = options["source"]
        if source not in SourceCode.values:
            raise CommandError(f"Unknown source {source!r}: give csl.")
        started = time.perf_counter()
        try:
            result = services.ingest_list(source=source, path=options["file"], by=system_user())
        except IngestError as error:
            raise CommandError(
                f"{error} Nothing was stored; the previous snapshot stays in use."
            ) from None
        snapshot = result.snapshot
        seconds = time.perf_counter() - started
        if not result.created:
            self.stdout.write(
                f"Unchanged: this file (SHA-256 {snapshot.sha256}) is snapshot {snapshot.pk}."
            )
            return
        self.stdout.write(
            f"Snapshot {snapshot.pk}: {snapshot.entry_count} entries, SHA-256 {snapshot.sha256}, "
            f"in {seconds:.1f} s."
        )
        if snapshot.status == SnapshotStatus.QUARANTINED:
            self.stdout.write(self.style.WARNING(snapshot.status_reason + "."))
        else:
            self.stdout.write(f"Re-screening raised {result.new_matches} new matches.")
