"""``manage.py restore DIR --database NAME --media-root FOLDER``: verifies a backup's manifest,
then restores it into a new database on the configured PostgreSQL server and a new media folder.
It never writes over the live database or files (docs/operations.md, "Restore from a backup")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry import backups


class Command(BaseCommand):
    help = (
        "Checks every file of a backup against its manifest, then restores the database into a "
        "new database NAME (pg_restore) and the stored files into a new media folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="A folder written by `manage.py backup`.")
        parser.add_argument("--database", help="The new database to create and restore into.")
        parser.add_argument("--media-root", help="The new (or empty) folder for the stored files.")
        parser.add_argument(
            "--no-owner",
            action="store_true",
            help="Restore without the dump's owners and grants (pg_restore --no-owner "
            "--no-privileges), e.g. on a server without the original roles.",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Only check the files against the manifest; restore nothing.",
        )

    def handle(self, *args, folder, database, media_root, no_owner, verify_only, **options):
        try:
            if verify_only:
                manifest = backups.verify(Path(folder))
                self.stdout.write(f"Backup verified: {len(manifest['files'])} files match.")
                return
            if not database or not media_root:
                raise CommandError("--database and --media-root are required to restore.")
            manifest = backups.restore(
                Path(folder),
                database=database,
                media_root=Path(media_root),
                no_owner=no_owner,
                log=self.stdout.write,
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored. Check it before use: with DATABASE_URL naming {database} and "
                f"MEDIA_ROOT={media_root}, run `manage.py verify_audit --checkpoint "
                f"{Path(folder) / backups.CHECKPOINT}` (it signs "
                f"{manifest['checkpoint']['tree_size']} records), and your latest checkpoint kept "
                "elsewhere: it names the records a restore from an older backup lost."
            )
        )
