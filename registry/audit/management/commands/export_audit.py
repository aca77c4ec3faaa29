"""``manage.py export_audit DIR``: the whole trail and its checkpoints, for offline verification.

``DIR/records.jsonl`` holds one record a line, in ``audit_seq`` order: each line is exactly the
record's canonical bytes (a JSON array: table, sequence number, time, type, user id, username,
reason, field names, field values), the bytes its Merkle leaf hashes. ``DIR/checkpoints/`` holds
every stored signed checkpoint, one file each. ``python -m registry.audit.verify_export DIR
--public-key FILE`` checks them without Django or a database.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from registry.audit.models import Checkpoint
from registry.audit.verify_tree import records


class Command(BaseCommand):
    help = "Writes every history record (canonical bytes, JSON lines) and checkpoint to DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        folder = Path(directory)
        if folder.exists() and any(folder.iterdir()):
            raise CommandError(f"{folder} is not empty: an export is written to a new folder.")
        (folder / "checkpoints").mkdir(parents=True, exist_ok=True)
        outer = connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and not outer:
                # One snapshot: the checkpoints and the records are of the same moment.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            count = self._records(folder / "records.jsonl")
            names = []
            for checkpoint in Checkpoint.objects.order_by("tree_size", "id").iterator():
                name = f"checkpoint-{checkpoint.tree_size:012d}-{checkpoint.pk}.txt"
                (folder / "checkpoints" / name).write_text(checkpoint.note)
                names.append(name)
        manifest = {
            "origin": settings.AUDIT_LOG_ORIGIN,
            "records": count,
            "checkpoints": names,
            "records_file": "records.jsonl: one record a line, in audit_seq order; each line is "
            "the record's canonical bytes and its Merkle leaf is SHA-256(0x00 || line).",
            "record_layout": [
                "table",
                "audit_seq",
                "history_date (UTC)",
                "history_type",
                "history_user_id",
                "history_username",
                "history_change_reason",
                "field names",
                "field values",
            ],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(f"Exported {count} records and {len(names)} checkpoints to {folder}.")

    def _records(self, path: Path) -> int:
        count = 0
        with path.open("wb") as handle:
            for record in records():
                if b"\n" in record.content:
                    raise CommandError(f"record {record.seq}: canonical bytes hold a newline")
                handle.write(record.content + b"\n")
                count += 1
        return count
