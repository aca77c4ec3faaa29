"""``manage.py audit_checkpoint``: signs the Merkle log's head, stores it, and can write it out.

Run it every ``AUDIT_CHECKPOINT_MINUTES`` (cron; see docs/operations.md) with ``--out`` pointing
at storage the database's administrators cannot rewrite.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from registry.audit import checkpoints


class Command(BaseCommand):
    help = "Signs the current head of the audit log (size and root) and stores the checkpoint."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", help="Also write the signed checkpoint to this file, or into this directory."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Sign even when nothing was written since the latest checkpoint.",
        )

    def handle(self, *args, out=None, force=False, **options):
        destination = Path(out) if out else None
        if destination is not None and not destination.is_dir() and not destination.parent.is_dir():
            raise CommandError(f"--out: no directory {destination.parent}")
        try:
            checkpoint, new = checkpoints.sign(force=force)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        what = "Signed" if new else "Unchanged since the latest checkpoint,"
        self.stdout.write(
            f"{what} tree size {checkpoint.tree_size}, key {checkpoint.key_name} "
            f"({checkpoint.key_id})."
        )
        if destination is not None:
            written = checkpoints.write_out(checkpoint, destination)
            self.stdout.write(f"Written to {written}.")
        self.stdout.write(checkpoint.note, ending="")
