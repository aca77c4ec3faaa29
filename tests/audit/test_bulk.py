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
