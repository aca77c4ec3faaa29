"""The fast path of ``history.bulk_update`` (one value for every object) records exactly what
the general path does: the new values, and one history record per object with user and reason."""

import pytest

from licenses.models import Licence, LicenceStatus, Vendor
from registry.audit import history
from tests.factories import LicenceFactory, VendorFactory

pytestmark = pytest.mark.django_db


def test_one_value_for_many_objects_updates_each_row_and_records_each(official):
    licences = LicenceFactory.create_batch(5)
    for licence in licences:
        licence.status = LicenceStatus.SUSPENDED
    assert (
        history.bulk_update(
            licences, fields=["status"], by=official, reason="REV-2026-001: suspended", batch_size=2
        )
        == 5
    )
    for licence in licences:
        assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.SUSPENDED
        records = licence.history.order_by("-history_date", "-history_id")
        assert records.count() == 2
        latest = records.first()
        assert (latest.status, latest.history_type) == ("suspended", "~")
        assert latest.history_change_reason == "REV-2026-001: suspended"
        assert (latest.history_user_id, latest.history_username) == (official.pk, "official")


def test_different_values_per_object_each_land_on_their_own_row(official):
    vendors = VendorFactory.create_batch(3)
    for vendor, status in zip(vendors, ["suspended", "debarred", "active"], strict=True):
        vendor.status = status
    history.bulk_update(vendors, fields=["status"], by=official, reason="Review")
    stored = {v.pk: v.status for v in Vendor.objects.filter(pk__in=[v.pk for v in vendors])}
    assert stored == {v.pk: v.status for v in vendors}
    assert [v.history.latest().status for v in vendors] == ["suspended", "debarred", "active"]


def test_the_fast_path_leaves_other_rows_alone(official):
    changed, untouched = LicenceFactory.create_batch(2)
    changed.status = LicenceStatus.SUSPENDED
    history.bulk_update([changed], fields=["status"], by=official, reason="One only")
    assert Licence.objects.get(pk=untouched.pk).status == LicenceStatus.ACTIVE
    assert untouched.history.count() == 1
