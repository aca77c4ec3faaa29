"""The integrity page: the latest checkpoint, the last verification, and "verify again", which
runs the whole verification as a background task (eagerly here, as without a broker)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from registry.audit import checkpoints, tasks, verification
from registry.audit.models import AppendOnlyError, Checkpoint, VerificationRun
from tests.audit.conftest import tamper
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db

INTEGRITY = reverse("audit:integrity")
VERIFY = reverse("audit:verify-again")


def test_the_page_says_when_the_trail_was_never_verified(auditor_client):
    page = auditor_client.get(INTEGRITY).content.decode()
    assert "The trail has not been verified yet." in page
    assert "Verify again in the background" in page


def test_verify_again_runs_the_verification_and_the_page_shows_its_result(
    auditor_client, auditor, eager_tasks
):
    checkpoints.sign()
    response = auditor_client.post(VERIFY, follow=True)
    assert response.redirect_chain[-1][0] == INTEGRITY
    page = response.content.decode()
    assert "Verification requested" in page
    run = VerificationRun.objects.get()
    assert run.ok and run.source == "button" and run.requested_by == auditor.username
    assert run.records > 0 and run.checkpoints == 1
    assert "Verified" in page and f"<dd>{run.records}</dd>" in page


def test_a_failed_verification_shows_its_problems(auditor_client, eager_tasks):
    vendor = VendorFactory()
    tamper("UPDATE licenses_historicalvendor SET name = %s WHERE id = %s", ["Forged", vendor.pk])
    auditor_client.post(VERIFY)
    page = auditor_client.get(INTEGRITY).content.decode()
    assert "Not verified" in page
    assert "Audit chain broken" in page
    assert not VerificationRun.objects.get().ok


def test_verify_audit_records_its_run_too():
    call_command("verify_audit", stdout=io.StringIO())
    run = verification.latest()
    assert run.ok and run.source == "command"
    vendor = VendorFactory()
    tamper("UPDATE licenses_vendor SET name = %s WHERE id = %s", ["Changed", vendor.pk])
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=io.StringIO())
    latest = verification.latest()
    assert not latest.ok and "Live data differs" in latest.problems


def test_only_auditors_may_ask_for_a_verification(client, official):
    assert client.post(VERIFY).status_code == 302  # to sign in
    client.force_login(official)
    assert client.post(VERIFY).status_code == 403
    assert not VerificationRun.objects.exists()


def test_verify_again_takes_a_post_only(auditor_client):
    assert auditor_client.get(VERIFY).status_code == 405


def test_verification_runs_are_append_only():
    call_command("verify_audit", stdout=io.StringIO())
    run = VerificationRun.objects.get()
    with pytest.raises(AppendOnlyError):
        run.save()
    with pytest.raises(AppendOnlyError):
        VerificationRun.objects.all().delete()


def test_the_periodic_checkpoint_task_signs_and_writes_out(settings, tmp_path, eager_tasks):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    first = tasks.sign_checkpoint.delay().get()
    assert first["new"] and first["tree_size"] == Checkpoint.objects.get().tree_size
    assert list(tmp_path.iterdir())[0].read_text() == Checkpoint.objects.get().note
    again = tasks.sign_checkpoint.delay().get()
    assert not again["new"]  # nothing written since: the same checkpoint
    VendorFactory()
    assert tasks.sign_checkpoint.delay().get()["new"]
    assert Checkpoint.objects.count() == 2


def test_beat_schedules_the_checkpoint_every_period(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]
    assert entry["task"] == tasks.sign_checkpoint.name
    assert entry["schedule"] == settings.AUDIT_CHECKPOINT_MINUTES * 60
