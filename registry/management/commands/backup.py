"""``manage.py backup DIR``: the database, the stored files and a signed checkpoint, with a
manifest of SHA-256 sums (registry/backups.py; docs/operations.md, "Backups")."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from registry import backups


class Command(BaseCommand):
    help = (
        "Signs a fresh audit checkpoint, dumps the PostgreSQL database (pg_dump, custom format) "
        "and copies every stored file into DIR, with a manifest of SHA-256 sums."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="A new or empty folder.")

    def handle(self, *args, folder, **options):
        try:
            backups.backup(Path(folder), log=self.stdout.write)
        except (backups.BackupError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}."))
