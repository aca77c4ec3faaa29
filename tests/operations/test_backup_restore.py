"""The restore drill: a backup of a database with documents, restored into a fresh database and a
fresh media folder, verifies against the checkpoint taken with it and has lost nothing."""

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from registry import backups
from tests.factories import issue_licence, submit_application
from tests.operations.conftest import connect, manage, row_counts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _hashes(folder) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def seeded(documents_folder, vendor, vendor_user, product, official):
    """Applications with signed declarations (files in the documents storage) and a licence."""
    issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    issue_licence(
        vendor=vendor, product=product, by=vendor_user, official=official, licence_type="export"
    )
    submit_application(vendor=vendor, product=product, by=vendor_user, licence_type="export")
    submit_application(vendor=vendor, product=product, by=vendor_user, destination="DE")
    assert len(_hashes(documents_folder)) == 2
    return documents_folder


def test_backup_restores_into_a_fresh_database_and_folder_and_loses_nothing(
    seeded, tmp_path, fresh_database_name
):
    backup_dir, media = tmp_path / "backup", tmp_path / "restored-media"
    out = io.StringIO()
    call_command("backup", str(backup_dir), stdout=out)

    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["checkpoint"]["tree_size"] > 0
    assert {"database.dump", "checkpoint.txt", "audit-signing.pub"} <= set(manifest["files"])
    stored = {f"files/documents/{name}": sha for name, sha in _hashes(seeded).items()}
    assert {k: v["sha256"] for k, v in manifest["files"].items() if k in stored} == stored

    name = fresh_database_name()
    call_command(
        "restore", str(backup_dir), database=name, media_root=str(media), stdout=io.StringIO()
    )

    # The restored trail verifies against the checkpoint signed with the backup.
    verified = manage(
        "verify_audit", "--checkpoint", str(backup_dir / "checkpoint.txt"), database=name
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Audit trail verified." in verified.stdout
    assert "1 signed checkpoint" in verified.stdout or "signed checkpoints" in verified.stdout

    # Every table holds as many rows as the source, and every document its bytes.
    restored = connect(name)
    try:
        assert row_counts(restored) == row_counts(connection.connection)
    finally:
        restored.close()
    assert _hashes(media / "documents") == _hashes(seeded)


def test_a_backup_with_a_changed_or_missing_file_is_refused_before_anything_is_restored(
    seeded, tmp_path, fresh_database_name
):
    backup_dir = tmp_path / "backup"
    call_command("backup", str(backup_dir), stdout=io.StringIO())
    document = next((backup_dir / "files" / "documents").rglob("*.pdf"))
    document.write_bytes(document.read_bytes() + b"%")
    (backup_dir / "checkpoint.txt").unlink()
    (backup_dir / "stray.txt").write_text("not from the backup")

    name = fresh_database_name()
    with pytest.raises(CommandError) as refused:
        call_command(
            "restore",
            str(backup_dir),
            database=name,
            media_root=str(tmp_path / "media"),
            stdout=io.StringIO(),
        )
    message = str(refused.value)
    assert "does not match its SHA-256" in message
    assert "checkpoint.txt: missing" in message
    assert "stray.txt: not in the manifest" in message
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        assert cursor.fetchone() is None
    assert not (tmp_path / "media").exists()


def test_restore_refuses_an_existing_database_or_a_folder_in_use(seeded, tmp_path):
    backup_dir = tmp_path / "backup"
    call_command("backup", str(backup_dir), stdout=io.StringIO())
    with pytest.raises(CommandError, match="exists: a restore goes into a new database"):
        call_command(
            "restore",
            str(backup_dir),
            database=connection.settings_dict["NAME"],
            media_root=str(tmp_path / "media"),
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(backup_dir), stdout=io.StringIO())


def test_the_client_tools_match_the_server():
    assert backups.check_client("pg_dump") == backups.server_major()
    assert backups.check_client("pg_restore") == backups.server_major()
