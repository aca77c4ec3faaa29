"""A database restored from a backup older than the newest checkpoint kept outside it is caught:
``verify_audit`` fails and counts the records missing, and the auditors' integrity page says so."""

import io

import pytest
from django.core.management import call_command

from registry.audit import tree
from tests.factories import submit_application
from tests.operations.conftest import manage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAGE = """
from django.test import Client
from registry.models import User
client = Client()
client.force_login(User.objects.get(username="auditor"))
response = client.get("/audit/integrity/")
print(response.status_code)
print(response.content.decode())
"""


def test_a_restore_of_an_older_backup_fails_verification_and_shows_on_the_integrity_page(
    vendor, vendor_user, product, auditor, tmp_path, fresh_database_name, settings
):
    submit_application(vendor=vendor, product=product, by=vendor_user)
    backup_dir, outside = tmp_path / "backup", tmp_path / "kept-checkpoints"
    outside.mkdir()
    call_command("backup", str(backup_dir), stdout=io.StringIO())
    in_backup = tree.size()

    # Work goes on after the backup, and the hourly checkpoint is written outside the database.
    submit_application(vendor=vendor, product=product, by=vendor_user, destination="DE")
    submit_application(vendor=vendor, product=product, by=vendor_user, destination="IT")
    call_command("audit_checkpoint", out=str(outside), stdout=io.StringIO())
    lost = tree.size() - in_backup
    assert lost > 0

    # The live database extends the kept checkpoint: verified, and the page says so.
    settings.AUDIT_CHECKPOINT_DIR = str(outside)
    call_command("verify_audit", checkpoint=[str(outside)], stdout=io.StringIO())

    # The old backup is restored, as after a disaster.
    name = fresh_database_name()
    call_command(
        "restore",
        str(backup_dir),
        database=name,
        media_root=str(tmp_path / "media"),
        stdout=io.StringIO(),
    )
    alone = manage("verify_audit", database=name)
    assert alone.returncode == 0, alone.stdout + alone.stderr  # nothing inside can tell

    against_kept = manage("verify_audit", "--checkpoint", str(outside), database=name)
    assert against_kept.returncode == 1
    report = against_kept.stdout + against_kept.stderr
    assert "Audit trail NOT verified" in report
    assert f"{lost} records missing" in report

    page = manage(
        "shell",
        "--no-imports",
        "-c",
        PAGE,
        database=name,
        env={"AUDIT_CHECKPOINT_DIR": str(outside), "ALLOWED_HOSTS": "testserver"},
    )
    status, _, html = page.stdout.partition("\n")
    assert status == "200", page.stdout + page.stderr
    assert "does not extend the newest checkpoint kept outside the database" in html
    assert f"{lost} records missing" in html


def test_the_integrity_page_shows_a_log_that_extends_the_kept_checkpoint(
    auditor_client, vendor, vendor_user, product, tmp_path, settings
):
    submit_application(vendor=vendor, product=product, by=vendor_user)
    call_command("audit_checkpoint", out=str(tmp_path), stdout=io.StringIO())
    submit_application(vendor=vendor, product=product, by=vendor_user, destination="DE")
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)

    page = auditor_client.get("/audit/integrity/").content.decode()
    assert "the log holds" in page and "and extends it" in page
    assert "records missing" not in page
