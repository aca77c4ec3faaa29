import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from countries.models import Country
from licenses.models import (
    ApplicationStatus,
    EndUserKind,
    Licence,
    LicenceApplication,
    LicenceType,
    Product,
    ProductCategory,
    Vendor,
)
from tests.factories import TrackedFactory


class VendorFactory(TrackedFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n} Ltd")
    registration_number = factory.Sequence(lambda n: f"51-{n:07d}")
    contact_name = "Dana Cohen"
    contact_email = factory.Sequence(lambda n: f"compliance{n}@vendor.example")


class ProductFactory(TrackedFactory):
    class Meta:
        model = Product

    reference = factory.Sequence(lambda n: f"PRD-2026-{n:06d}")
    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    control_entry = "4D004"
    category = ProductCategory.FORENSICS


class LicenceApplicationFactory(TrackedFactory):
    class Meta:
        model = LicenceApplication

    reference = factory.Sequence(lambda n: f"APP-2026-{n:06d}")
    product = factory.SubFactory(ProductFactory)
    vendor = factory.SelfAttribute("product.vendor")
    licence_type = LicenceType.MARKETING
    destination = factory.LazyFunction(lambda: Country.objects.get(code="FR"))
    end_user_name = "Direction générale de la sécurité intérieure"
    end_user_kind = EndUserKind.INTELLIGENCE
    end_use = "Lawful interception in counter-terrorism investigations."
    value = Decimal("250000.00")
    currency = "EUR"
    submitted_at = factory.LazyFunction(timezone.now)


class LicenceFactory(TrackedFactory):
    class Meta:
        model = Licence

    number = factory.Sequence(lambda n: f"ML-2026-{n:06d}")
    application = factory.SubFactory(
        LicenceApplicationFactory,
        status=ApplicationStatus.APPROVED,
        decided_at=factory.LazyFunction(timezone.now),
    )
    valid_from = factory.LazyFunction(lambda: timezone.localdate())
    valid_until = factory.LazyAttribute(lambda o: o.valid_from + datetime.timedelta(days=730))
