"""Builds records through the services, as the faces do, for the tests of licences and revisions."""

from decimal import Decimal

from countries.models import Country
from licenses import services
from licenses.models import EndUserKind, LicenceType


def register_vendor(by, name="Acme Cyber Ltd", registration_number="51-0000001"):
    return services.register_vendor(
        by=by,
        name=name,
        registration_number=registration_number,
        contact_name="Dana Cohen",
        contact_email="compliance@acme.example",
    )


def register_product(vendor, by, name="Lighthouse"):
    return services.register_product(
        vendor=vendor, by=by, name=name, control_entry="4D004", category="forensics"
    )


def submit(vendor, product, by, *, destination="FR", **overrides):
    fields = {
        "licence_type": LicenceType.MARKETING,
        "end_user_name": "Direction générale de la sécurité intérieure",
        "end_user_kind": EndUserKind.INTELLIGENCE,
        "end_use": "Lawful interception in counter-terrorism investigations.",
        "value": Decimal("250000.00"),
        "currency": "EUR",
    }
    fields.update(overrides)
    return services.submit_application(
        vendor=vendor,
        by=by,
        product=product,
        destination=Country.objects.get(code=destination),
        **fields,
    )


def licence_for(vendor, product, by, official, *, destination="FR", **overrides):
    """Submits, reviews and approves an application; returns the licence issued on it."""
    application = submit(vendor, product, by, destination=destination, **overrides)
    services.start_review(application=application, by=official)
    return services.approve_application(
        application=application, by=official, reason="Meets the conditions"
    )
