"""The database itself refuses duplicate keys and values outside the domain."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from countries.models import Country
from licenses.models import ApplicationStatus
from registry.audit import history
from tests.factories import (
    LicenceApplicationFactory,
    LicenceFactory,
    PartyFactory,
    ProductFactory,
    VendorFactory,
)

pytestmark = pytest.mark.django_db


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_duplicate_registration_number_refused():
    VendorFactory(registration_number="51-1234567")
    refused(VendorFactory, registration_number="51-1234567")


def test_duplicate_references_and_numbers_refused():
    product = ProductFactory()
    refused(ProductFactory, reference=product.reference)
    application = LicenceApplicationFactory()
    refused(LicenceApplicationFactory, reference=application.reference)
    licence = LicenceFactory()
    refused(LicenceFactory, number=licence.number)


def test_duplicate_country_code_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        history.save(
            Country(code="FR", alpha3="FRX", name="Duplicate"), by=history.system_user(), reason="t"
        )


@pytest.mark.parametrize(
    "field,value",
    [
        ("status", "approved-ish"),
        ("licence_type", "smuggling"),
        ("value", -1),
        ("currency", "eur"),
    ],
)
def test_values_outside_the_domain_refused(field, value):
    refused(LicenceApplicationFactory, **{field: value})


@pytest.mark.parametrize(
    "field,value", [("kind", "mercenary"), ("role", "smuggler"), ("kind", ""), ("name", "")]
)
def test_party_values_outside_the_domain_refused(field, value):
    refused(PartyFactory, **{field: value})


def test_an_application_has_one_end_user_only():
    application = LicenceApplicationFactory()
    refused(PartyFactory, application=application)
    PartyFactory(application=application, role="consignee", kind="")


def test_a_submitted_application_has_its_submission_time():
    refused(LicenceApplicationFactory, submitted_at=None)
    LicenceApplicationFactory(status=ApplicationStatus.DRAFT, submitted_at=None)


def test_licence_must_end_after_it_starts():
    today = datetime.date(2026, 1, 1)
    refused(LicenceFactory, valid_from=today, valid_until=today)


def test_decided_application_needs_a_decision_date():
    refused(LicenceApplicationFactory, status=ApplicationStatus.REFUSED, decided_at=None)


def test_lowercase_country_code_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        history.save(
            Country(code="xx", alpha3="XQZ", name="Lower"), by=history.system_user(), reason="t"
        )
