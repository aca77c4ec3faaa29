"""The bulk path writes the right values and one chained record per object, however grouped."""

import io

import pytest

from licenses.models import Vendor, VendorStatus
from registry.audit import history
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("distinct", [1, 3, 40], ids=["same", "few", "all-different"])
def test_bulk_update_writes_each_objects_own_values(official, distinct):
    vendors = VendorFactory.create_batch(40)
    statuses = [VendorStatus.SUSPENDED, VendorStatus.DEBARRED, VendorStatus.ACTIVE]
    for n, vendor in enumerate(vendors):
        vendor.status = statuses[n % min(distinct, 3)]
        vendor.contact_phone = f"+972-{n % distinct}"
    updated = history.bulk_update(
        vendors, fields=["status", "contact_phone"], by=official, reason="Review", batch_size=7
    )
    assert updated == 40
    rows = dict(Vendor.objects.filter(pk__in=[v.pk for v in vendors]).values_list("pk", "status"))
    assert rows == {v.pk: v.status for v in vendors}
    for vendor in vendors:
        record = vendor.history.latest()
        assert (record.status, record.contact_phone) == (vendor.status, vendor.contact_phone)
        assert (record.history_change_reason, record.history_username) == ("Review", "official")


def test_bulk_update_refuses_a_primary_key_or_mixed_models(official):
    vendor = VendorFactory()
    with pytest.raises(ValueError):
        history.bulk_update([vendor], fields=["id"], by=official, reason="x")
    with pytest.raises(ValueError):
        history.bulk_update([vendor, official], fields=["name"], by=official, reason="x")


def test_records_of_every_field_type_verify_after_the_bulk_path(official):
    # JSON, decimals, dates, times and foreign keys read back exactly as they were hashed.
    from django.core.management import call_command

    from tests.factories import LicenceApplicationFactory, LicenceFactory

    applications = LicenceApplicationFactory.create_batch(3)
    for n, application in enumerate(applications):
        application.screening = [
            {"rule": "destination_whitelisted", "passed": n != 1, "message": "é"}
        ]
        application.value = "1234.5"
    history.bulk_update(applications, fields=["screening", "value"], by=official, reason="Rescreen")
    licence = LicenceFactory()
    licence.renewal_barred = True
    history.bulk_update([licence], fields=["renewal_barred"], by=official, reason="Run to expiry")
    call_command("verify_audit", stdout=io.StringIO())


def test_text_with_tabs_newlines_and_backslashes_reads_back_as_written(official):
    # The bulk path writes with COPY on PostgreSQL: characters COPY treats specially still arrive.
    from django.core.management import call_command

    from tests.factories import LicenceApplicationFactory

    awkward = "line one\nline\ttwo \\N back\\slash\r end"
    application = LicenceApplicationFactory()
    application.end_use = awkward
    application.screening = [{"message": awkward}]
    history.bulk_update([application], fields=["end_use", "screening"], by=official, reason=awkward)
    record = application.history.latest()
    assert (record.end_use, record.screening) == (awkward, [{"message": awkward}])
    assert record.history_change_reason == awkward
    application.refresh_from_db()
    assert application.end_use == awkward
    call_command("verify_audit", stdout=io.StringIO())


def test_create_many_writes_each_row_with_one_chained_creation_record(official):
    from django.core.management import call_command

    vendors = history.create_many(
        [
            Vendor(name=f"Vendor {n}", registration_number=f"REG-{n}\t", contact_name="A\\B")
            for n in range(5)
        ],
        by=official,
        reason="Imported",
        chunk=2,
    )
    assert all(vendor.pk for vendor in vendors)
    for vendor in vendors:
        stored = Vendor.objects.get(pk=vendor.pk)
        assert (stored.name, stored.contact_name) == (vendor.name, "A\\B")
        [record] = stored.history.all()
        assert (record.history_type, record.history_change_reason) == ("+", "Imported")
        assert record.audit_seq is not None
    with pytest.raises(history.MissingAuditContextError):
        history.create_many([Vendor(name="x", registration_number="y")], by=official, reason=" ")
    call_command("verify_audit", stdout=io.StringIO())
