"""``manage.py purge_orphan_documents``: deletes stored files that no document names (filed by
a vendor, or issued by the agency at a decision).

A file is written before its row; a process killed between the two, or a transaction rolled back
after the upload service returned, leaves a file no row names. It is never counted as a document
(documents are rows), and this command removes it once it is older than the grace period, so an
upload still in flight keeps its file.
"""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from documents import storage
from documents.models import Document, IssuedDocument


class Command(BaseCommand):
    help = "Deletes stored document files that no document row names (older than a grace period)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="Only files last modified longer ago than this (default 60).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List them, delete nothing.")

    def handle(self, *args, **options):
        before = timezone.now() - datetime.timedelta(minutes=options["older_than_minutes"])
        files = storage.stored_names()
        named = set(
            Document.objects.filter(stored_as__in=files).values_list("stored_as", flat=True)
        ) | set(
            IssuedDocument.objects.filter(stored_as__in=files).values_list("stored_as", flat=True)
        )
        orphans = [
            name
            for name in files
            if name not in named and storage.storage().get_modified_time(name) <= before
        ]
        for name in orphans:
            if not options["dry_run"]:
                storage.delete(name)
            self.stdout.write(name)
        verb = "would be deleted" if options["dry_run"] else "deleted"
        self.stdout.write(self.style.SUCCESS(f"{len(orphans)} file(s) without a document {verb}."))
