"""Every builder of test data, in one place.

Two kinds, for two needs:

- the factories (``VendorFactory`` …) write rows straight through the history helper, as the
  system actor: fast, for tests that need records to exist and do not care how they came about;
- the service builders (``register_vendor``, ``register_product``, ``submit_application``,
  ``issue_licence``, ``propose_removal``) go through the services, as the web pages and the API
  do, so screening, numbering and the history run as in production.

All take keyword arguments only, except ``application_body``, whose keywords are the body's own
fields (a test may replace even ``product``).
"""

import datetime
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from countries import services as countries_services
from countries.models import Country, WhitelistRevision
from documents import services as documents_services
from documents.samples import minimal_pdf
from licenses import services as licenses_services
from licenses.models import (
    ApplicationStatus,
    EndUserKind,
    Licence,
    LicenceApplication,
    LicenceType,
    Party,
    PartyRole,
    Product,
    ProductCategory,
    Vendor,
)
from registry.accounts import services as accounts_services
from registry.audit import history
from registry.models import User

# --- Users -------------------------------------------------------------------------------------


def user_with_role(*, role: str, username: str, password: str = "pw", **extra) -> User:
    """A user in one of the roles (``registry.roles``); a vendor user also names its ``vendor``.

    Made by the account service, as the system actor, so its history and roles are recorded.
    """
    return accounts_services.create_user(
        by=history.system_user(),
        reason="test data",
        username=username,
        role_names=[role],
        password=password,
        **extra,
    )


# --- Factories: rows written directly, as the system actor -------------------------------------


class TrackedFactory(factory.django.DjangoModelFactory):
    """Creates tracked objects as the system actor, with a reason, as a service would."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        return history.save(obj, by=history.system_user(), reason="test data")


class VendorFactory(TrackedFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n} Ltd")
    # Apart from the 51-… numbers the tests register through the services, so the two never meet.
    registration_number = factory.Sequence(lambda n: f"52-{n:07d}")
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
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"APP-2026-{n:06d}")
    product = factory.SubFactory(ProductFactory)
    vendor = factory.SelfAttribute("product.vendor")
    licence_type = LicenceType.MARKETING
    destination = factory.LazyFunction(lambda: Country.objects.get(code="FR"))
    end_use = "Lawful interception in counter-terrorism investigations."
    value = Decimal("250000.00")
    currency = "EUR"
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def end_user(application, create, extracted, **kwargs):
        """Its end-user party, in the destination (``end_user__name``, ``end_user__kind``)."""
        if not create:
            return
        PartyFactory(
            application=application,
            country=application.destination,
            **{"name": "Direction générale de la sécurité intérieure", **kwargs},
        )


class PartyFactory(TrackedFactory):
    class Meta:
        model = Party

    application = factory.SubFactory(LicenceApplicationFactory)
    role = PartyRole.END_USER
    name = "Direction générale de la sécurité intérieure"
    kind = EndUserKind.INTELLIGENCE
    country = factory.LazyFunction(lambda: Country.objects.get(code="FR"))


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


# --- Service builders: records made as the web pages and the API make them ---------------------


def register_vendor(
    *, by, name: str = "Acme Cyber Ltd", registration_number: str = "51-0000001"
) -> Vendor:
    return licenses_services.register_vendor(
        by=by,
        name=name,
        registration_number=registration_number,
        contact_name="Dana Cohen",
        contact_email="compliance@acme.example",
    )


def register_product(
    *,
    vendor: Vendor,
    by,
    name: str = "Lighthouse",
    control_entry: str = "4D004",
    category: str = "forensics",
    **extra,
) -> Product:
    return licenses_services.register_product(
        vendor=vendor, by=by, name=name, control_entry=control_entry, category=category, **extra
    )


def pdf_file(text: str = "Signed end-user declaration", *, name: str = "declaration.pdf"):
    """An uploaded PDF, as a vendor's client sends one."""
    return SimpleUploadedFile(name, minimal_pdf([text]), content_type="application/pdf")


def declaration_fields(**changes) -> dict:
    """The fields of an end-user declaration signed on the template in force."""
    return {
        "template_version": "DECA-2021-12",
        "signatory_name": "Céline Martin",
        "signatory_position": "Director of legal affairs",
        "signed_on": datetime.date(2026, 11, 2),
        "language": "fr",
        **changes,
    }


def file_declaration(*, application: LicenceApplication, by, **changes):
    """The end user's signed declaration filed on ``application``, through the services."""
    return licenses_services.file_document(
        application=application,
        by=by,
        party=application.end_user,
        file=pdf_file(),
        original_name="declaration.pdf",
        kind="end_user_declaration",
        **declaration_fields(**changes),
    )


def accept_declaration(*, application: LicenceApplication, by):
    """An official accepts the latest declaration filed on ``application``."""
    document = application.documents.filter(kind="end_user_declaration").latest("version")
    return documents_services.review_document(document=document, by=by, accept=True)


def create_draft(
    *, vendor: Vendor, product: Product, by, destination: str = "FR", **fields
) -> LicenceApplication:
    """A draft with its end user, as a vendor's client makes one."""
    values = {
        "licence_type": LicenceType.EXPORT,
        "end_user_name": "Direction générale de la sécurité intérieure",
        "end_user_kind": EndUserKind.INTELLIGENCE,
        "end_use": "Lawful interception in counter-terrorism investigations.",
        "value": Decimal("250000.00"),
        "currency": "EUR",
    }
    values.update(fields)
    return licenses_services.create_draft(
        vendor=vendor,
        by=by,
        product=product,
        destination=Country.objects.get(code=destination),
        **values,
    )


def submit_application(
    *,
    vendor: Vendor,
    product: Product,
    by,
    destination: str = "FR",
    declaration: bool = True,
    **fields,
) -> LicenceApplication:
    """An application that passes screening to ``destination`` unless ``fields`` say otherwise.

    An export goes the way it must since December 2021: a draft, the end user's declaration
    (unless ``declaration`` is false), then the submission.
    """
    if fields.get("licence_type") == LicenceType.EXPORT:
        draft = create_draft(
            vendor=vendor, product=product, by=by, destination=destination, **fields
        )
        if declaration:
            file_declaration(application=draft, by=by)
        return licenses_services.submit_draft(application=draft, by=by)
    values = {
        "licence_type": LicenceType.MARKETING,
        "end_user_name": "Direction générale de la sécurité intérieure",
        "end_user_kind": EndUserKind.INTELLIGENCE,
        "end_use": "Lawful interception in counter-terrorism investigations.",
        "value": Decimal("250000.00"),
        "currency": "EUR",
    }
    values.update(fields)
    return licenses_services.submit_application(
        vendor=vendor,
        by=by,
        product=product,
        destination=Country.objects.get(code=destination),
        **values,
    )


def issue_licence(
    *, vendor: Vendor, product: Product, by, official, destination: str = "FR", **fields
) -> Licence:
    """Submits (as ``by``), reviews and approves (as ``official``); returns the licence issued."""
    application = submit_application(
        vendor=vendor, product=product, by=by, destination=destination, **fields
    )
    licenses_services.start_review(application=application, by=official)
    if application.licence_type == LicenceType.EXPORT:
        accept_declaration(application=application, by=official)
    return licenses_services.approve_application(
        application=application, by=official, reason="Meets the conditions"
    )


def propose_removal(*, code: str, by) -> WhitelistRevision:
    """A proposed revision taking ``code`` off the list, suspending its active licences."""
    return countries_services.propose_revision(
        by=by,
        title=f"{code} out",
        reason="Decision of the Director of Defense Exports",
        add=[],
        remove=[code],
        licence_treatment=WhitelistRevision.LicenceTreatment.SUSPEND,
    )


def application_body(product: Product, /, **changes) -> dict:
    """The API's request to submit an application that passes screening, changed as given."""
    body = {
        "licence_type": "marketing",
        "product": product.reference,
        "destination": "FR",
        "end_user": {
            "name": "Direction générale de la sécurité intérieure",
            "kind": "intelligence",
        },
        "end_use": "Lawful interception in counter-terrorism investigations.",
        "value": "250000.00",
        "currency": "EUR",
    }
    body.update(changes)
    return body


def register_webhook(*, vendor: Vendor, by, url: str, events=("licence.suspended",)):
    """A webhook of ``vendor`` registered by its user ``by``; returns (webhook, secret)."""
    from notifications import services as notifications_services

    return notifications_services.register_webhook(
        vendor=vendor, by=by, url=url, events=list(events)
    )


def licences_in_bulk(*, vendor: Vendor, product: Product, count: int, destination: str = "FR"):
    """``count`` active licences of ``vendor`` to ``destination``, written as data in bulk (no
    history): for tests of what a revision does to thousands of them."""
    country = Country.objects.get(code=destination)
    now, today = timezone.now(), timezone.localdate()
    prefix = f"{vendor.pk:03d}{destination}"
    with history.bulk_writes():
        applications = LicenceApplication.objects.bulk_create(
            LicenceApplication(
                reference=f"APP-B{prefix}-{n:05d}",
                vendor=vendor,
                product=product,
                destination=country,
                licence_type=LicenceType.MARKETING,
                end_use="Counter-terrorism",
                value=1,
                currency="EUR",
                submitted_at=now,
                status=ApplicationStatus.APPROVED,
                decided_at=now,
            )
            for n in range(count)
        )
        return Licence.objects.bulk_create(
            Licence(
                number=f"ML-B{prefix}-{n:05d}",
                application=application,
                valid_from=today,
                valid_until=today + datetime.timedelta(days=730),
            )
            for n, application in enumerate(applications)
        )


def export_licence(
    *, vendor: Vendor | None = None, issued_on: datetime.date | None = None, **fields
) -> Licence:
    """An export licence written directly as the system actor, with its first delivery report
    due as issuing one sets it (``issued_on`` dates it in the past)."""
    issued_on = issued_on or timezone.localdate()
    product = {"application__product__vendor": vendor} if vendor else {}
    return LicenceFactory(
        number=factory.Sequence(lambda n: f"EL-2026-{n:06d}"),
        application__licence_type=LicenceType.EXPORT,
        valid_from=issued_on,
        next_report_due=licenses_services.first_report_due(issued_on),
        **product,
        **fields,
    )
