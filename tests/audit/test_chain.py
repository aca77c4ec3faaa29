"""Guarantee 6: the history is a keyed hash chain, and verify_audit finds any break in it."""

import hashlib
import hmac
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from countries.models import Country
from licenses.models import Vendor, VendorStatus
from registry.audit import chain as audit_chain
from registry.audit import history
from registry.audit.models import AuditChainHead
from tests.audit.conftest import tamper
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db

COUNTRY_HISTORY = Country.history.model._meta.db_table
VENDOR_HISTORY = Vendor.history.model._meta.db_table


def verify() -> str:
    """Runs the command and returns its message when it fails, "" when the trail verifies."""
    try:
        call_command("verify_audit", stdout=io.StringIO())
    except CommandError as error:
        return str(error)
    return ""


def all_seqs() -> list[int]:
    seqs = []
    for model in audit_chain.history_models():
        seqs += model.objects.values_list("audit_seq", flat=True)
    return sorted(seqs)


def test_the_seeded_trail_verifies_and_is_numbered_without_gaps():
    seqs = all_seqs()
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) > 249 + 102 + 65  # countries, then the two revisions' changes
    assert AuditChainHead.objects.get().last_seq == seqs[-1]
    assert verify() == ""


def test_single_saves_and_bulk_updates_both_extend_the_chain(official):
    first = AuditChainHead.objects.get().last_seq
    vendors = VendorFactory.create_batch(3)
    for vendor in vendors:
        vendor.status = VendorStatus.SUSPENDED
    history.bulk_update(vendors, fields=["status"], by=official, reason="Sanctions")
    records = Vendor.history.model.objects.filter(audit_seq__gt=first).order_by("audit_seq")
    assert [r.audit_seq for r in records] == list(range(first + 1, first + 7))
    assert [r.history_type for r in records] == ["+", "+", "+", "~", "~", "~"]
    assert all(len(r.audit_hash) == 64 for r in records)
    assert verify() == ""


def test_a_record_altered_with_sql_is_named():
    record = Country.history.model.objects.filter(code="HU").order_by("audit_seq").last()
    tamper(
        f"UPDATE {COUNTRY_HISTORY} SET history_change_reason = %s WHERE history_id = %s",
        ["Nothing to see here", record.history_id],
    )
    message = verify()
    assert (
        f"record {record.audit_seq} ({COUNTRY_HISTORY}, history_id {record.history_id})" in message
    )
    assert "does not match" in message


def test_a_removed_record_is_named():
    record = Country.history.model.objects.filter(code="MX").order_by("audit_seq").last()
    tamper(f"DELETE FROM {COUNTRY_HISTORY} WHERE history_id = %s", [record.history_id])
    assert f"record {record.audit_seq} before it is missing" in verify()


def test_a_record_inserted_outside_the_chain_is_found(official):
    vendor = VendorFactory()
    latest = vendor.history.latest()
    tamper(
        f"INSERT INTO {VENDOR_HISTORY} (id, name, registration_number, contact_name, "
        "contact_email, contact_phone, address, status, history_date, history_change_reason, "
        "history_type, history_user_id, history_username, audit_hash) "
        "SELECT id, name, registration_number, contact_name, contact_email, contact_phone, "
        "address, 'active', history_date, 'backfilled', '~', history_user_id, "
        f"history_username, '' FROM {VENDOR_HISTORY} WHERE history_id = %s",
        [latest.history_id],
    )
    assert "inserted outside the chain" in verify()


def test_a_record_inserted_with_a_forged_number_breaks_the_chain(official):
    vendor = VendorFactory()
    record = vendor.history.latest()
    head = AuditChainHead.objects.get()
    # A forger appends a record and moves the head, but has no key: the hash cannot be right.
    with override_settings(AUDIT_KEY="a guessed key"):
        forged = Vendor.history.model(
            id=vendor.pk,
            name=vendor.name,
            registration_number=vendor.registration_number,
            contact_name=vendor.contact_name,
            contact_email=vendor.contact_email,
            status="active",
            history_date=record.history_date,
            history_type="~",
            history_user_id=record.history_user_id,
            history_username="official",
            history_change_reason="reinstated",
            audit_seq=head.last_seq + 1,
        )
        forged.audit_hash = audit_chain.record_hash(forged, head.last_hash)
    tamper(
        f"INSERT INTO {VENDOR_HISTORY} (id, name, registration_number, contact_name, "
        "contact_email, contact_phone, address, status, history_date, history_change_reason, "
        "history_type, history_user_id, history_username, audit_seq, audit_hash) "
        "VALUES (%s, %s, %s, %s, %s, '', '', 'active', %s, 'reinstated', '~', %s, 'official', "
        "%s, %s)",
        [
            vendor.pk,
            vendor.name,
            vendor.registration_number,
            vendor.contact_name,
            vendor.contact_email,
            record.history_date,
            record.history_user_id,
            forged.audit_seq,
            forged.audit_hash,
        ],
    )
    tamper(
        "UPDATE registry_auditchainhead SET last_seq = %s, last_hash = %s",
        [forged.audit_seq, forged.audit_hash],
    )
    message = verify()
    assert f"record {forged.audit_seq} ({VENDOR_HISTORY}" in message
    assert "does not match" in message


def test_a_chain_recomputed_without_the_key_does_not_pass():
    # Rewrite every hash of the chain consistently, with a key that is not the server's.
    previous = ""
    with override_settings(AUDIT_KEY="attacker's own key"):
        records = sorted(
            (r for m in audit_chain.history_models() for r in m.objects.all()),
            key=lambda r: r.audit_seq,
        )
        for record in records[:5]:
            previous = audit_chain.record_hash(record, previous)
            tamper(
                f"UPDATE {record._meta.db_table} SET audit_hash = %s WHERE history_id = %s",
                [previous, record.history_id],
            )
    assert "record 1 (" in verify()


def test_each_link_is_the_hmac_sha256_an_auditor_recomputes_with_any_library(settings):
    # The chain is documented as HMAC-SHA256 over the previous hash, a newline and the record's
    # canonical bytes: an auditor with the key recomputes it with the standard library.
    record = audit_chain.record_at(2)
    previous = audit_chain.record_at(1).audit_hash
    for key in (
        settings.AUDIT_KEY,
        "k",
        "a key longer than the hash's block of sixty-four bytes " * 2,
    ):
        expected = hmac.new(
            key.encode(), previous.encode() + b"\n" + audit_chain.canonical(record), hashlib.sha256
        ).hexdigest()
        assert audit_chain.record_hash(record, previous, key=key.encode()) == expected
    assert audit_chain.record_hash(record, previous) == record.audit_hash


def test_a_cut_tail_is_found():
    last = AuditChainHead.objects.get().last_seq
    record = audit_chain.record_at(last)
    tamper(f"DELETE FROM {record._meta.db_table} WHERE history_id = %s", [record.history_id])
    message = verify()
    assert f"head records {last} records" in message


def test_a_rollback_gives_the_numbers_back(official):
    before = AuditChainHead.objects.get().last_seq
    vendor = VendorFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        vendor.status = VendorStatus.SUSPENDED
        history.save(vendor, by=official, reason="Suspended")
        raise RuntimeError("the service failed after writing")
    assert AuditChainHead.objects.get().last_seq == before + 1
    vendor.refresh_from_db()
    history.save(vendor, by=official, reason="Checked")
    assert vendor.history.latest().audit_seq == before + 2
    assert verify() == ""


def test_chaining_needs_the_key():
    with override_settings(AUDIT_KEY=""), pytest.raises(Exception, match="AUDIT_KEY"):
        VendorFactory()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(official):
    vendors = VendorFactory.create_batch(4)
    barrier = threading.Barrier(len(vendors))
    errors = []

    def write(vendor_pk):
        try:
            barrier.wait(timeout=10)
            for n in range(10):
                with transaction.atomic():
                    vendor = Vendor.objects.select_for_update().get(pk=vendor_pk)
                    vendor.contact_phone = f"+972-3-{n:07d}"
                    history.save(vendor, by=official, reason=f"update {n}")
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(v.pk,)) for v in vendors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert connection.vendor == "postgresql"
    seqs = all_seqs()
    assert seqs == list(range(1, len(seqs) + 1))
    assert (
        Vendor.history.model.objects.filter(history_change_reason__startswith="update ").count()
        == 40
    )
    assert verify() == ""


def test_records_written_together_are_chained_in_one_step_in_their_order(official):
    vendor, other = VendorFactory.create_batch(2)
    before = AuditChainHead.objects.get().last_seq
    together = history.chained_together()
    with CaptureQueriesContext(connection) as captured, transaction.atomic(), together:
        vendor.contact_phone = "+972-3-0000001"
        history.save(vendor, by=official, reason="New phone")
        other.status = VendorStatus.SUSPENDED
        history.save(other, by=official, reason="Sanctions")
        vendor.status = VendorStatus.SUSPENDED
        history.save(vendor, by=official, reason="Sanctions too")
        # Held until the block ends: nothing is numbered yet.
        assert AuditChainHead.objects.get().last_seq == before
    head_moves = [
        q
        for q in captured.captured_queries
        if q["sql"].startswith("UPDATE") and "registry_auditchainhead" in q["sql"]
    ]
    assert len(head_moves) == 1
    records = Vendor.history.model.objects.filter(audit_seq__gt=before).order_by("audit_seq")
    assert [(r.history_change_reason, r.history_user_id) for r in records] == [
        ("New phone", official.pk),
        ("Sanctions", official.pk),
        ("Sanctions too", official.pk),
    ]
    assert [r.audit_seq for r in records] == [before + 1, before + 2, before + 3]
    assert AuditChainHead.objects.get().last_seq == before + 3
    assert verify() == ""


def test_a_failure_in_a_block_written_together_keeps_nothing_of_it(official):
    vendor = VendorFactory()
    before = AuditChainHead.objects.get().last_seq
    with pytest.raises(RuntimeError), transaction.atomic(), history.chained_together():
        vendor.status = VendorStatus.SUSPENDED
        history.save(vendor, by=official, reason="Suspended")
        raise RuntimeError("the service failed after writing")
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.ACTIVE
    assert AuditChainHead.objects.get().last_seq == before
    assert verify() == ""


def test_a_bulk_write_in_a_block_keeps_the_records_before_it_first(official):
    vendor, *others = VendorFactory.create_batch(3)
    before = AuditChainHead.objects.get().last_seq
    with transaction.atomic(), history.chained_together():
        vendor.contact_phone = "+972-3-0000002"
        history.save(vendor, by=official, reason="First")
        for other in others:
            other.status = VendorStatus.SUSPENDED
        history.bulk_update(others, fields=["status"], by=official, reason="Then these")
    records = Vendor.history.model.objects.filter(audit_seq__gt=before).order_by("audit_seq")
    assert [r.history_change_reason for r in records] == ["First", "Then these", "Then these"]
    assert verify() == ""


def test_a_block_written_together_still_needs_a_user_and_a_reason(official):
    vendor = VendorFactory()
    refused = pytest.raises(history.MissingAuditContextError)
    with refused, transaction.atomic(), history.chained_together():
        history.save(vendor, by=official, reason=" ")
