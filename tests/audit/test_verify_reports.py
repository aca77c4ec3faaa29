"""verify_audit reports every break in one run, always reconciles, and sees what it used to miss:
a cut tail against a head recorded elsewhere, a disabled trigger, an erased trail."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from countries.models import Country
from licenses.models import Vendor
from registry.audit import chain as audit_chain
from registry.audit import verify_tree
from registry.audit.models import AuditChainHead
from tests.audit.conftest import tamper
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db

COUNTRY_HISTORY = Country.history.model._meta.db_table
VENDOR_HISTORY = Vendor.history.model._meta.db_table


def run(*args) -> tuple[str, str]:
    """The command's output, and its error message ("" when the trail verifies)."""
    out = io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as error:
        assert error.returncode != 0
        return out.getvalue(), str(error)
    return out.getvalue(), ""


def printed_head(output: str) -> str:
    return re.search(r"^Head: (\d+:[0-9a-f]*)$", output, re.MULTILINE)[1]


def test_two_separate_tamperings_are_both_named_and_the_live_rows_still_reconciled():
    early = Country.history.model.objects.filter(code="HU").order_by("audit_seq").first()
    late = Country.history.model.objects.filter(code="MX").order_by("audit_seq").last()
    vendor = VendorFactory()
    tamper(
        f"UPDATE {COUNTRY_HISTORY} SET history_change_reason = 'Nothing to see' "
        "WHERE history_id = %s",
        [early.history_id],
    )
    tamper(
        f"UPDATE {COUNTRY_HISTORY} SET name = 'Elsewhere' WHERE history_id = %s",
        [late.history_id],
    )
    tamper("UPDATE licenses_vendor SET status = 'debarred' WHERE id = %s", [vendor.pk])
    _, message = run()
    assert f"record {early.audit_seq} ({COUNTRY_HISTORY}, history_id {early.history_id})" in message
    assert f"record {late.audit_seq} ({COUNTRY_HISTORY}, history_id {late.history_id})" in message
    # One edited record is one break: the next record is checked against the hash it carries.
    assert message.count("Audit chain broken at") == 2
    assert f"licenses.Vendor id {vendor.pk}" in message


def test_a_removed_record_and_a_later_edit_are_both_named():
    removed = Country.history.model.objects.filter(code="FR").order_by("audit_seq").first()
    edited = Country.history.model.objects.filter(code="MX").order_by("audit_seq").last()
    tamper(f"DELETE FROM {COUNTRY_HISTORY} WHERE history_id = %s", [removed.history_id])
    tamper(
        f"UPDATE {COUNTRY_HISTORY} SET alpha3 = 'ZZZ' WHERE history_id = %s", [edited.history_id]
    )
    _, message = run()
    assert f"record {removed.audit_seq} before it is missing" in message
    assert f"record {edited.audit_seq} ({COUNTRY_HISTORY}" in message


def test_the_head_is_printed_and_a_tail_cut_behind_it_fails():
    output, message = run()
    assert message == ""
    head = printed_head(output)
    report = audit_chain.verify_chain()
    assert head == f"{report.last_seq}:{AuditChainHead.objects.get().last_hash}"
    assert run("--expect-head", head)[1] == ""

    VendorFactory.create_batch(2)
    later = printed_head(run()[0])
    # Cut the two newest records and set the head back, as someone without the key can.
    tamper(f"DELETE FROM {VENDOR_HISTORY} WHERE audit_seq > %s", [report.last_seq])
    tamper(
        "UPDATE registry_auditchainhead SET last_seq = %s, last_hash = %s",
        [report.last_seq, head.split(":")[1]],
    )
    tamper("DELETE FROM licenses_vendor WHERE name LIKE 'Vendor %%'")
    # The chain alone cannot see the cut; the Merkle log, whose leaves were left, can ...
    assert "[log out of step]" in run()[1]
    _, message = run("--expect-head", later)
    assert "Audit chain cut" in message  # ... and so can a head recorded elsewhere
    assert f"a head recorded elsewhere is at record {later.split(':')[0]}" in message


def test_a_head_recorded_elsewhere_with_another_hash_fails():
    report = audit_chain.verify_chain()
    _, message = run("--expect-head", f"{report.last_seq - 5}:{'0' * 64}")
    assert "Audit chain rewritten" in message


def test_a_malformed_expected_head_is_a_usage_error():
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("verify_audit", "--expect-head", "412", stdout=io.StringIO())


@pytest.mark.postgres
def test_a_disabled_trigger_is_reported():
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {VENDOR_HISTORY} DISABLE TRIGGER ALL")
    _, message = run()
    assert f"{VENDOR_HISTORY}: trigger registry_history_append_only is disabled" in message
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {VENDOR_HISTORY} ENABLE TRIGGER ALL")
        cursor.execute(
            "ALTER TABLE registry_auditchainhead DISABLE TRIGGER registry_audit_head_forward_only"
        )
    _, message = run()
    assert "auditchainhead: trigger registry_audit_head_forward_only is disabled" in message
    assert VENDOR_HISTORY not in message


def test_an_empty_trail_over_a_database_with_data_fails():
    tables = [m._meta.db_table for m in audit_chain.history_models()]
    for table in tables:
        tamper(f"DELETE FROM {table}")
    tamper("DELETE FROM registry_auditchainhead")
    _, message = run("--skip-reconcile")
    assert "The audit trail is empty, but the database holds" in message


def test_a_trail_read_in_small_pieces_reports_exactly_what_one_pass_reports(monkeypatch):
    """Rows are fetched, encoded and compared with the Merkle log in batches and blocks; records
    on their edges are named as those in the middle of one."""
    first = Country.history.model.objects.filter(code="HU").order_by("audit_seq").first()
    last = Country.history.model.objects.filter(code="MX").order_by("audit_seq").last()
    for record in (first, last):
        tamper(f"UPDATE {COUNTRY_HISTORY} SET name = 'Else' WHERE history_id = %s", [record.pk])
    whole_chain, whole_tree = verify_tree.verify_trail()

    monkeypatch.setattr(audit_chain, "BATCH", 5)
    monkeypatch.setattr(verify_tree, "BLOCK", 8)
    chain_report, tree_report = verify_tree.verify_trail(chunk_size=3)

    assert chain_report == whole_chain
    assert [str(p) for p in tree_report.problems] == [str(p) for p in whole_tree.problems]
    assert tree_report.root == whole_tree.root
    for record in (first, last):
        where = f"record {record.audit_seq} ({COUNTRY_HISTORY}, history_id {record.pk})"
        assert where in "\n".join(map(str, chain_report.breaks))
        assert where in "\n".join(map(str, tree_report.problems))
