"""``seed --demo``: the demo accounts and the dated past, on a seeded and on a fresh database."""

import datetime
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from countries.models import WhitelistRevision
from documents import storage
from documents.models import Document
from licenses.models import Licence, LicenceApplication, Party
from registry.models import User

pytestmark = pytest.mark.django_db

SUSPENDED_BY_THE_CUT = ["EL-2021-000001", "ML-2019-000001", "ML-2020-000001", "ML-2021-000001"]
CUT_REASON = "REV-2021-001: The cut from 102 to 37 countries"


def history_rows() -> int:
    return sum(m.history.count() for m in (Licence, LicenceApplication, WhitelistRevision))


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed", demo=True, stdout=io.StringIO())


def test_demo_is_refused_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed", demo=True, stdout=io.StringIO())
    assert not User.objects.filter(username="vendor-acme").exists()
    call_command("seed", demo=True, force=True, stdout=io.StringIO())
    assert User.objects.filter(username="vendor-acme").exists()


def test_demo_accounts_sign_in_with_their_roles(demo):
    for username, perm in [
        ("official", "licenses.decide_licenceapplication"),
        ("senior", "countries.approve_whitelistrevision"),
        ("auditor", "registry.view_audit_trail"),
        ("vendor-acme", "registry.use_vendor_api"),
        ("vendor-globex", "registry.use_vendor_api"),
    ]:
        user = authenticate(username=username, password="demo-password")
        assert user is not None and user.has_perm(perm), username
    assert User.objects.get(username="vendor-acme").vendor.name == "Acme Cyber Ltd"
    assert User.objects.get(username="vendor-globex").vendor.name == "Globex Intelligence Ltd"
    assert not User.objects.get(username="official").has_perm("countries.approve_whitelistrevision")


def test_after_a_plain_seed_the_cut_still_suspends_the_demo_licences_of_2019_to_2021(demo):
    """The baseline of every test already holds the cut, so this is the 'seed, then demo' case."""
    suspended = Licence.objects.filter(status="suspended").order_by("number")
    assert list(suspended.values_list("number", flat=True)) == SUSPENDED_BY_THE_CUT
    for licence in suspended:
        record = licence.history.latest()
        assert record.history_change_reason.startswith(CUT_REASON)
        assert record.history_date == datetime.datetime(2021, 11, 25, tzinfo=datetime.UTC)
        assert licence.application.destination.code in {"MX", "SA", "AE"}
    active = Licence.objects.filter(status="active")
    assert {lic.application.destination.code for lic in active} == {"FR", "GB"}

    pending_at_the_cut = LicenceApplication.objects.get(destination__code="MA")
    assert pending_at_the_cut.status == "refused"
    assert pending_at_the_cut.screened_against.reference == "REV-2021-001"
    refused = LicenceApplication.objects.filter(status="refused", decided_by__username="system")
    assert refused.count() == 4
    waiting = LicenceApplication.objects.filter(status__in=LicenceApplication.PENDING_STATUSES)
    # One new, one assigned, one past its target, one waiting on the vendor (case-work).
    assert sorted(waiting.values_list("status", flat=True)) == [
        "awaiting_vendor",
        "submitted",
        "under_review",
        "under_review",
    ]


def test_demo_history_reads_in_date_order(demo):
    licence = Licence.objects.get(number="ML-2019-000001")
    records = list(licence.application.history.order_by("history_id"))
    dates = [r.history_date for r in records]
    assert dates == sorted(dates)
    assert [r.status for r in records] == ["submitted", "under_review", "approved"]
    assert [r.history_username for r in records] == ["vendor-acme", "official", "official"]


def test_demo_twice_changes_nothing(demo):
    before = history_rows()
    call_command("seed", demo=True, stdout=io.StringIO())
    assert history_rows() == before
    assert Licence.objects.count() == 7


def test_demo_on_a_fresh_database_lets_the_cut_suspend_the_licences(tmp_path):
    """``seed --demo`` at once: the dated past is entered before the cut is recorded."""
    database = tmp_path / "fresh.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "registry.settings",
    }
    manage = [sys.executable, str(Path(django_settings.BASE_DIR) / "manage.py")]
    for command in (["migrate", "-v0"], ["seed", "--demo"]):
        subprocess.run(manage + command, env=env, check=True, capture_output=True, timeout=300)
    with sqlite3.connect(database) as db:
        suspended = db.execute(
            "SELECT number FROM licenses_licence WHERE status = 'suspended' ORDER BY number"
        ).fetchall()
        reasons = db.execute(
            "SELECT DISTINCT h.history_change_reason, h.history_date FROM "
            "licenses_historicallicence h WHERE h.status = 'suspended'"
        ).fetchall()
    assert [number for (number,) in suspended] == SUSPENDED_BY_THE_CUT
    assert len(reasons) == 1
    assert reasons[0][0].startswith(CUT_REASON)
    assert reasons[0][1].startswith("2021-11-25")


def test_quickstart_seeds_the_demo_and_prints_the_accounts_and_twice_changes_nothing(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("quickstart", no_serve=True, stdout=out)
    text = out.getvalue()
    assert "Demo accounts (password demo-password):" in text
    for username in ("official", "senior", "auditor", "vendor-acme", "vendor-globex"):
        assert f"  {username} " in text
    before = history_rows()
    call_command("quickstart", no_serve=True, stdout=io.StringIO())
    assert history_rows() == before


def test_demo_shows_parties_and_declarations_one_accepted_one_awaiting_review(
    settings, documents_folder
):
    settings.DEBUG = True
    call_command("seed", demo=True, stdout=io.StringIO())
    assert not LicenceApplication.objects.filter(parties__isnull=True).exists()
    roles = Party.objects.filter(role__in=["consignee", "intermediary"])
    assert sorted(roles.values_list("role", "country__code")) == [
        ("consignee", "FR"),
        ("consignee", "GB"),
        ("intermediary", "CY"),
        ("intermediary", "NL"),
    ]
    declarations = Document.objects.filter(kind="end_user_declaration").order_by("uploaded_at")
    assert [(d.application.destination.code, d.review) for d in declarations] == [
        ("FR", "accepted"),
        ("GB", "received"),
    ]
    for declaration in declarations:
        with storage.open_stored(declaration.stored_as) as stored:
            content = stored.read()
        assert content.startswith(b"%PDF-")
        assert hashlib.sha256(content).hexdigest() == declaration.sha256
    waiting = declarations[1].application
    assert waiting.status == "under_review"
    assert {r["rule"]: r["passed"] for r in waiting.screening}["end_user_declaration"]


def test_the_demo_shows_case_work(demo):
    from django.utils import timezone

    from licenses.models import CaseNote, InformationRequest

    assigned = LicenceApplication.objects.filter(assigned_to__username="official")
    assert assigned.filter(status="under_review").count() >= 2
    waiting = LicenceApplication.objects.get(status="awaiting_vendor")
    assert waiting.information_requests.get().status == "open"
    overdue = LicenceApplication.objects.filter(
        status="under_review", target_date__lt=timezone.localdate()
    )
    assert overdue.count() == 1
    assert {note.shared for note in CaseNote.objects.all()} == {True, False}
    assert InformationRequest.objects.count() == 1


def test_every_decision_in_the_demo_has_its_signed_document(demo):
    from documents.models import IssuedDocument

    decided = LicenceApplication.objects.filter(status__in=["approved", "refused", "under_appeal"])
    assert decided.count() >= 8
    for application in decided:
        kinds = set(
            IssuedDocument.objects.filter(application=application).values_list("kind", flat=True)
        )
        expected = "certificate" if application.status == "approved" else "refusal_letter"
        assert expected in kinds, application.reference
    for licence in Licence.objects.all():
        assert IssuedDocument.objects.filter(licence=licence, kind="certificate").exists()
    appealed = LicenceApplication.objects.get(status="under_appeal")
    assert appealed.appeal.refused_by.username == "official"
