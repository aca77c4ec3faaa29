"""Guarantees 1 to 5: recorded, attributed, transactional, timed by the server, append-only."""

import datetime
import io
import json

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from countries.models import Country
from licenses.models import Vendor, VendorStatus
from registry.accounts import services as accounts
from registry.audit import chain as audit_chain
from registry.audit import history
from registry.audit.models import AuditChainHead
from tests.audit.conftest import tamper
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db

VENDOR_HISTORY = Vendor.history.model._meta.db_table


def verify_message() -> str:
    try:
        call_command("verify_audit", stdout=io.StringIO())
    except CommandError as error:
        return str(error)
    return ""


# --- 1. Every change is recorded --------------------------------------------------------------


def test_the_system_check_fails_when_history_is_switched_off():
    assert not [e for e in checks.run_checks() if e.id.startswith("audit.")]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        assert "audit.E001" in [e.id for e in checks.run_checks()]
        with pytest.raises(Exception, match="audit.E001"):
            call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_save_with_history_switched_off_is_refused(official):
    vendor = VendorFactory()
    vendor.status = VendorStatus.SUSPENDED
    with override_settings(SIMPLE_HISTORY_ENABLED=False), pytest.raises(history.HistoryBypassError):
        history.save(vendor, by=official, reason="quietly")
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.ACTIVE


def test_a_save_that_skips_history_is_refused(official):
    vendor = VendorFactory()
    vendor.skip_history_when_saving = True
    vendor.status = VendorStatus.SUSPENDED
    with pytest.raises(history.HistoryBypassError):
        history.save(vendor, by=official, reason="quietly")
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.ACTIVE


def test_loaddata_is_refused_for_tracked_models(tmp_path):
    fixture = tmp_path / "vendors.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "licenses.vendor",
                    "fields": {
                        "name": "Smuggled Ltd",
                        "registration_number": "51-9999999",
                        "contact_name": "X",
                        "contact_email": "x@example.com",
                        "status": "active",
                    },
                }
            ]
        )
    )
    with pytest.raises(history.HistoryBypassError):
        call_command("loaddata", str(fixture), stdout=io.StringIO())
    assert not Vendor.objects.filter(name="Smuggled Ltd").exists()


def test_reconciliation_reports_a_row_changed_with_raw_sql():
    vendor = VendorFactory()
    assert verify_message() == ""
    tamper("UPDATE licenses_vendor SET status = 'debarred' WHERE id = %s", [vendor.pk])
    message = verify_message()
    assert f"licenses.Vendor id {vendor.pk}" in message
    assert "in status: changed behind the trail" in message


def test_reconciliation_reports_a_row_inserted_without_history():
    tamper(
        "INSERT INTO licenses_vendor (name, registration_number, contact_name, contact_email, "
        "contact_phone, address, status) VALUES ('Ghost Ltd', '51-0000001', 'X', "
        "'x@example.com', '', '', 'active')"
    )
    assert "exists without any history record" in verify_message()


def test_reconciliation_reports_a_whitelist_changed_behind_the_revisions():
    tamper("UPDATE countries_country SET eligible = %s WHERE code = 'MX'", [True])
    message = verify_message()
    assert "countries.Country" in message
    assert "differ from the applied revisions on MX" in message


# --- 2. Every record says who and why ---------------------------------------------------------


def test_no_history_record_without_a_user_or_a_reason(official):
    vendor = VendorFactory()
    record = Vendor.history.model(
        id=vendor.pk,
        name="X",
        registration_number="51-1",
        contact_name="X",
        contact_email="x@example.com",
        status="active",
        history_date=timezone.now(),
        history_type="~",
        history_user_id=None,
        history_change_reason="no user",
    )
    with pytest.raises(audit_chain.UnattributedRecordError):
        record.save()
    record.history_user_id, record.history_change_reason = official.pk, " "
    with pytest.raises(audit_chain.UnattributedRecordError):
        Vendor.history.model.objects.bulk_create([record])


def test_every_seeded_record_names_the_system_actor_and_a_reason(system):
    for model in audit_chain.history_models():
        assert not model.objects.filter(history_user_id__isnull=True).exists()
        assert not model.objects.filter(history_change_reason="").exists()
    assert Country.history.model.objects.filter(history_username="system").count() >= 249


# --- 3. History commits and rolls back with the change ----------------------------------------


def test_history_rolls_back_with_the_change(official):
    vendor = VendorFactory()
    records = vendor.history.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        vendor.status = VendorStatus.DEBARRED
        history.save(vendor, by=official, reason="Debarred")
        raise RuntimeError("a later step of the service failed")
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.ACTIVE
    assert vendor.history.count() == records


def test_a_failing_history_write_rolls_back_the_change(official):
    vendor = VendorFactory()
    vendor.status = VendorStatus.DEBARRED
    with override_settings(AUDIT_KEY=""), pytest.raises(Exception, match="AUDIT_KEY"):
        history.save(vendor, by=official, reason="Debarred")
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.ACTIVE


# --- 4. Times come from the server ------------------------------------------------------------


def test_a_caller_cannot_backdate_a_bulk_update(official):
    vendor = VendorFactory()
    vendor.status = VendorStatus.SUSPENDED
    vendor._history_date = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    with pytest.raises(audit_chain.BackdatedRecordError):
        history.bulk_update([vendor], fields=["status"], by=official, reason="Backdated")
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.ACTIVE


def test_record_times_are_the_servers_in_utc(official):
    before = timezone.now()
    vendor = VendorFactory()
    history.save(vendor, by=official, reason="Checked")
    record = vendor.history.latest()
    assert before <= record.history_date <= timezone.now()
    assert record.history_date.utcoffset() == datetime.timedelta(0)


def test_the_seeds_backdated_records_say_so():
    from licenses.models import Licence, LicenceApplication, Product

    models = [Country, Vendor, Product, LicenceApplication, Licence]
    backdated = [m.history.model.objects.filter(history_date__year__lt=2026) for m in models]
    assert backdated[0].exists()
    for records in backdated:
        assert not records.exclude(
            history_change_reason__contains="seed: dated in the past"
        ).exists()
    revisions = Country.history.model.objects.filter(history_change_reason__startswith="REV-")
    assert set(revisions.values_list("history_username", flat=True)) == {"system"}


def test_a_backdated_record_outside_the_seed_is_marked_even_with_another_reason(official):
    vendor = VendorFactory()
    past = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    with history.backdating():
        history.save(vendor, by=official, reason="Registered in 2019", at=past)
    record = vendor.history.order_by("-audit_seq").first()
    assert record.history_change_reason == "Registered in 2019 [seed: dated in the past]"


# --- 5. Append-only ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "write",
    [
        lambda h: h.objects.filter(code="FR").update(history_change_reason="x"),
        lambda h: h.objects.filter(code="FR").delete(),
        lambda h: h.objects.filter(code="FR").first().delete(),
        lambda h: h.objects.bulk_update(list(h.objects.all()[:1]), ["history_change_reason"]),
        lambda h: Country.objects.get(code="FR").history.all().delete(),
        lambda h: Country.objects.get(code="FR").history.update(history_change_reason="x"),
    ],
    ids=["update", "delete", "instance_delete", "bulk_update", "history_delete", "history_update"],
)
def test_the_application_refuses_to_change_or_remove_history(write):
    model = Country.history.model
    with pytest.raises(history.HistoryTamperError):
        write(model)
    assert model.objects.filter(code="FR").count() == 2


def test_saving_an_existing_history_record_is_refused():
    record = Country.history.model.objects.filter(code="FR").first()
    record.history_change_reason = "rewritten"
    with pytest.raises(history.HistoryTamperError):
        record.save()


def test_deactivating_a_user_changes_no_history_record_and_deleting_one_is_refused(
    django_user_model,
):
    clerk = django_user_model.objects.create_user(username="clerk", password="pw")
    vendor = VendorFactory()
    history.save(vendor, by=clerk, reason="Checked by the clerk")
    record = vendor.history.latest()
    snapshot = (record.audit_seq, record.audit_hash, record.history_user_id)
    accounts.deactivate_user(user=clerk, by=clerk, reason="Left the ministry")
    with pytest.raises(history.HistoryBypassError):
        clerk.delete()
    record = vendor.history.get(audit_seq=snapshot[0])
    assert (record.audit_seq, record.audit_hash, record.history_user_id) == snapshot
    assert record.history_username == "clerk"
    assert verify_message() == ""


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {VENDOR_HISTORY} SET history_change_reason = 'x'",
        f"DELETE FROM {VENDOR_HISTORY}",
        f"TRUNCATE {VENDOR_HISTORY}",
        "UPDATE countries_historicalcountry SET history_username = 'someone' WHERE code = 'FR'",
    ],
    ids=["update", "delete", "truncate", "update_country"],
)
def test_postgresql_triggers_reject_changes_to_history(sql):
    VendorFactory()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Vendor.history.model.objects.exists()


@pytest.mark.postgres
def test_every_history_table_has_its_trigger():
    from registry.audit import triggers

    assert triggers.unguarded_tables() == []
    tables = {m._meta.db_table for m in audit_chain.history_models()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [triggers.HISTORY_TRIGGER],
        )
        assert {row[0] for row in cursor.fetchall()} >= tables


@pytest.mark.postgres
def test_the_chain_head_only_moves_forward():
    head = AuditChainHead.objects.get()
    for sql, params in [
        ("UPDATE registry_auditchainhead SET last_seq = %s", [head.last_seq - 1]),
        ("DELETE FROM registry_auditchainhead", []),
    ]:
        with (
            pytest.raises(DatabaseError, match="only moves forward"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
    assert AuditChainHead.objects.get().last_seq == head.last_seq


@pytest.mark.postgres
def test_only_the_flush_setting_lets_truncate_through():
    from registry.audit.triggers import TRUNCATE_SETTING

    VendorFactory()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {TRUNCATE_SETTING} = 'on'")
        cursor.execute(f"TRUNCATE {VENDOR_HISTORY}")
        cursor.execute(f"SET LOCAL {TRUNCATE_SETTING} = 'off'")
    assert not Vendor.history.model.objects.exists()
    # The records are gone from the chain, and verify_audit says so.
    assert "Audit chain broken" in verify_message()
