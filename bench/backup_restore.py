"""Backup and restore times at scale: ``python -m bench.backup_restore``.

Builds a PostgreSQL database with ``--history`` history records (default 1,000,000): applications
with their parties written through the history helpers (``--applications``, every one chained into
the audit log and its Merkle tree), the rest filler records of the countries' history (as B4 writes
them: one INSERT ... SELECT, outside the chain), plus ``--files`` documents of ``--file-kb`` KB in
the storage. Then it times ``manage.py backup`` and ``manage.py restore`` into a fresh database and
media folder (``--verify``: and ``verify_audit`` of the restored database against the backup's
checkpoint), prints the sizes and times as JSON, and drops both databases.
"""

import argparse
import datetime
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import drop_database, recreate_database, server_environment


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/registry_backup_bench"
    )
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--file-kb", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the backup folder")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="also time verify_audit on the restored database, against the backup's checkpoint",
    )
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="registry-backup-bench-"))
    media = work / "media"
    recreate_database(args.database_url)
    os.environ.update(server_environment(args.database_url))
    os.environ["MEDIA_ROOT"] = str(media)
    restored_name = f"{args.database_url.rsplit('/', 1)[1]}_restored"
    results: dict = {"command": "python -m bench.backup_restore " + " ".join(argv or sys.argv[1:])}
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from bench import data
        from countries.models import Country
        from registry.audit import chain, checkpoints
        from registry.audit.history import system_user

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed", stdout=io.StringIO())
        system = system_user()
        products = data.vendors_with_products(100, by=system)
        destinations = list(Country.objects.filter(eligible=True)[:10])
        for start in range(0, args.applications, 10_000):
            data.applications(
                min(10_000, args.applications - start),
                products=products,
                destinations=destinations,
                by=system,
            )
        chained = chain.history_models()
        in_chain = sum(m.objects.filter(audit_seq__isnull=False).count() for m in chained)
        checkpoints.sign()  # builds the Merkle log over the chained records
        data.country_history_fillers(
            args.history - in_chain,
            members_then={c.code for c in Country.objects.filter(eligible=True)},
            by=system,
            before=datetime.datetime(2021, 11, 25, tzinfo=datetime.UTC),
        )
        documents = media / "documents" / "bench"
        documents.mkdir(parents=True)
        for i in range(args.files):
            (documents / f"document-{i:05d}.pdf").write_bytes(
                secrets.token_bytes(args.file_kb * 1024)
            )
        total = sum(m.objects.count() for m in chained)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            database_bytes = cursor.fetchone()[0]
        results["setup_seconds"] = round(time.perf_counter() - started, 1)
        results["history_records"] = total
        results["history_records_in_audit_chain"] = in_chain
        results["database_bytes"] = database_bytes
        results["files"] = args.files
        results["files_bytes"] = _folder_bytes(media)

        backup = work / "backup"
        started = time.perf_counter()
        call_command("backup", str(backup), stdout=io.StringIO())
        results["backup_seconds"] = round(time.perf_counter() - started, 1)
        results["backup_bytes"] = _folder_bytes(backup)
        results["dump_bytes"] = (backup / "database.dump").stat().st_size

        drop_database(args.database_url.rsplit("/", 1)[0] + "/" + restored_name)
        started = time.perf_counter()
        call_command(
            "restore",
            str(backup),
            database=restored_name,
            media_root=str(work / "restored"),
            stdout=io.StringIO(),
        )
        results["restore_seconds"] = round(time.perf_counter() - started, 1)
        connection.close()
        if args.verify:
            environment = dict(os.environ)
            environment["DATABASE_URL"] = args.database_url.rsplit("/", 1)[0] + "/" + restored_name
            started = time.perf_counter()
            verified = subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "verify_audit",
                    "--checkpoint",
                    str(backup / "checkpoint.txt"),
                ],
                env=environment,
                capture_output=True,
                text=True,
            )
            results["verify_audit_seconds"] = round(time.perf_counter() - started, 1)
            results["verify_audit"] = (verified.stdout + verified.stderr).strip().splitlines()[-3:]
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)
        drop_database(args.database_url.rsplit("/", 1)[0] + "/" + restored_name)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
