"""Registering vendors and their products; the vendor's status lifecycle."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from licenses import services
from licenses.models import Product, Vendor, VendorStatus
from registry.errors import TransitionNotAllowed
from tests.factories import VendorFactory, register_product, register_vendor

pytestmark = pytest.mark.django_db


def test_register_vendor_records_who(official):
    vendor = register_vendor(by=official)
    record = vendor.history.latest()
    assert (record.history_type, record.history_username) == ("+", "official")
    assert record.history_change_reason == "Vendor registered"


def test_registration_number_is_unique_with_a_field_message(official):
    register_vendor(by=official)
    with pytest.raises(ValidationError) as error:
        register_vendor(by=official, name="Another")
    assert "registration_number" in error.value.message_dict
    assert Vendor.objects.count() == 1


def test_invalid_email_is_refused(official):
    with pytest.raises(ValidationError) as error:
        services.register_vendor(
            by=official,
            name="X",
            registration_number="1",
            contact_name="Y",
            contact_email="not-an-email",
        )
    assert "contact_email" in error.value.message_dict


def test_update_vendor_changes_contact_fields_only(official):
    vendor = register_vendor(by=official)
    services.update_vendor(
        vendor=vendor, by=official, reason="New compliance officer", contact_name="Noa Levi"
    )
    vendor.refresh_from_db()
    assert vendor.contact_name == "Noa Levi"
    assert vendor.history.latest().history_change_reason == "New compliance officer"
    with pytest.raises(ValidationError) as error:
        services.update_vendor(vendor=vendor, by=official, reason="x", status="debarred")
    assert "status" in error.value.message_dict
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.ACTIVE


SERVICES = {
    VendorStatus.SUSPENDED: services.suspend_vendor,
    VendorStatus.DEBARRED: services.debar_vendor,
    VendorStatus.ACTIVE: services.reinstate_vendor,
}
ALLOWED = {
    (VendorStatus.ACTIVE, VendorStatus.SUSPENDED),
    (VendorStatus.ACTIVE, VendorStatus.DEBARRED),
    (VendorStatus.SUSPENDED, VendorStatus.ACTIVE),
    (VendorStatus.SUSPENDED, VendorStatus.DEBARRED),
    (VendorStatus.DEBARRED, VendorStatus.ACTIVE),
}


@pytest.mark.parametrize("start", list(VendorStatus))
@pytest.mark.parametrize("to", list(VendorStatus))
def test_vendor_transitions(start, to, official):
    vendor = VendorFactory(status=start)
    if (start, to) in ALLOWED:
        SERVICES[to](vendor=vendor, by=official, reason="Compliance review")
        vendor.refresh_from_db()
        assert vendor.status == to
        assert vendor.history.latest().history_change_reason == "Compliance review"
    else:
        with pytest.raises(TransitionNotAllowed):
            SERVICES[to](vendor=vendor, by=official, reason="Compliance review")
        vendor.refresh_from_db()
        assert vendor.status == start


def test_register_product_gives_it_a_reference(official):
    vendor = register_vendor(by=official)
    first = register_product(vendor=vendor, by=official, name="Lighthouse")
    second = register_product(vendor=vendor, by=official, name="Beacon")
    year = timezone.now().year
    assert (first.reference, second.reference) == (f"PRD-{year}-000001", f"PRD-{year}-000002")


def test_a_vendor_cannot_register_two_products_of_one_name(official):
    vendor = register_vendor(by=official)
    register_product(vendor=vendor, by=official)
    with pytest.raises(ValidationError):
        register_product(vendor=vendor, by=official)
    with pytest.raises(ValidationError) as error:
        services.register_product(
            vendor=vendor, by=official, name="Other", control_entry="4D004", category="spyware"
        )
    assert "category" in error.value.message_dict
    assert Product.objects.count() == 1
