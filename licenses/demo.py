"""The demo's accounts and dated past, built through the services an official and a vendor use.

The past is entered in date order, inside ``history.backdating()``, so its history reads as it
happened: vendors registered in 2019, licences issued to Mexico, Saudi Arabia and the UAE that the
cut of 2021-11-25 then suspended, applications refused by screening, licences issued since to
countries still on the list, and applications waiting for review today.

Since December 2021 an export needs the end user's signed declaration: the demo's later exports
are drafted, given their parties (one a consignee and an intermediary too), filed with a small
generated PDF of the declaration and then submitted; one declaration is accepted, the one of
the export waiting today is still to be reviewed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from countries.models import Country, WhitelistRevision
from countries.services import reapply_past_revision
from documents import services as documents_services
from documents.samples import declaration_pdf
from licenses import casework, services
from licenses.models import Vendor
from registry import roles
from registry.accounts import services as accounts
from registry.audit import history

DEMO_PASSWORD = "demo-password"
# (username, role); the vendor users are linked to their vendors when those are registered.
ACCOUNTS = [
    ("official", roles.OFFICIALS),
    ("senior", roles.SENIOR_OFFICIALS),
    ("auditor", roles.AUDITORS),
    ("vendor-acme", roles.VENDORS),
    ("vendor-globex", roles.VENDORS),
]
VENDORS = {
    "51-4410001": {
        "name": "Acme Cyber Ltd",
        "contact_name": "Dana Cohen",
        "contact_email": "compliance@acme-cyber.example",
        "address": "12 Habarzel Street, Tel Aviv",
    },
    "51-4410002": {
        "name": "Globex Intelligence Ltd",
        "contact_name": "Yoav Mizrahi",
        "contact_email": "exports@globex-intelligence.example",
        "address": "3 Hamada Street, Herzliya",
    },
}
CUT_REFERENCE = "REV-2021-001"


def day(year, month, dd, hour=10) -> datetime.datetime:
    return datetime.datetime(year, month, dd, hour, tzinfo=datetime.UTC)


def ensure_accounts() -> None:
    """Creates the demo accounts that are missing, each in its role, through the account
    services (so their history says the seed made them), and puts back a role taken away."""
    User = get_user_model()
    system = history.system_user()
    for username, role in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            accounts.create_user(
                by=system,
                reason="Demo account (seed --demo)",
                username=username,
                role_names=[role],
                password=DEMO_PASSWORD,
            )
        elif role not in user.roles.split(","):
            names = sorted({*filter(None, user.roles.split(",")), role})
            accounts.set_roles(
                user=user, role_names=names, by=system, reason="Demo account (seed --demo)"
            )


def is_built() -> bool:
    return Vendor.objects.filter(registration_number__in=VENDORS).exists()


class DemoPast:
    """The demo's story, in two halves either side of the cut of 2021-11-25."""

    def __init__(self):
        User = get_user_model()
        self.official = User.objects.get(username="official")
        self.senior = User.objects.get(username="senior")
        self.acme_user = User.objects.get(username="vendor-acme")
        self.globex_user = User.objects.get(username="vendor-globex")

    def _country(self, code):
        return Country.objects.get(code=code)

    def _apply(self, vendor_user, product, *, code, at, **fields):
        defaults = {
            "licence_type": "marketing",
            "end_use": "Investigation of terrorism and serious crime under judicial warrant.",
            "value": Decimal("480000.00"),
            "currency": "USD",
        }
        defaults.update(fields)
        return services.submit_application(
            vendor=vendor_user.vendor,
            by=vendor_user,
            product=product,
            destination=self._country(code),
            at=at,
            **defaults,
        )

    def _export_with_declaration(
        self, vendor_user, product, *, code, at, signatory, position, parties=(), **fields
    ):
        """An export as it is made since December 2021: a draft, its parties, the end user's
        signed declaration, then the submission."""
        values = {
            "licence_type": "export",
            "end_use": "Investigation of terrorism and serious crime under judicial warrant.",
            "value": Decimal("1900000.00"),
            "currency": "USD",
        }
        values.update(fields)
        destination = self._country(code)
        draft = services.create_draft(
            vendor=vendor_user.vendor,
            by=vendor_user,
            product=product,
            destination=destination,
            at=at,
            **values,
        )
        for role, name, country, address in parties:
            services.add_party(
                application=draft,
                by=vendor_user,
                role=role,
                name=name,
                country=self._country(country),
                address=address,
                at=at,
            )
        signed_on = ((at or timezone.now()) - datetime.timedelta(days=7)).date()
        pdf = declaration_pdf(
            end_user=values["end_user_name"],
            country=destination.name,
            signatory=signatory,
            position=position,
            signed_on=signed_on,
        )
        services.file_document(
            application=draft,
            by=vendor_user,
            party=draft.end_user,
            file=ContentFile(pdf, name="declaration.pdf"),
            original_name=f"end-user-declaration-{code.lower()}.pdf",
            kind="end_user_declaration",
            template_version="DECA-2021-12",
            signatory_name=signatory,
            signatory_position=position,
            signed_on=signed_on,
            language="en",
            at=at,
        )
        return services.submit_draft(application=draft, by=vendor_user, at=at)

    def _accept_declaration(self, application, *, at):
        declaration = application.documents.get(kind="end_user_declaration")
        documents_services.review_document(
            document=declaration,
            by=self.official,
            accept=True,
            reason="Signed by the end user's authorised officer on the template in force.",
            at=at,
        )

    def _grant(self, application, *, reviewed, approved):
        services.start_review(application=application, by=self.official, at=reviewed)
        if application.documents.filter(kind="end_user_declaration").exists():
            self._accept_declaration(application, at=reviewed)
        return services.approve_application(
            application=application,
            by=self.official,
            reason="End-user declaration and end-use statement verified.",
            at=approved,
        )

    def before_the_cut(self) -> None:
        official = self.official
        for number, user in (("51-4410001", self.acme_user), ("51-4410002", self.globex_user)):
            vendor = services.register_vendor(
                by=official, registration_number=number, at=day(2019, 1, 14), **VENDORS[number]
            )
            accounts.link_vendor(
                user=user, vendor=vendor, by=official, reason="Demo: the vendor's compliance user"
            )
            user.refresh_from_db()
        acme, globex = self.acme_user, self.globex_user
        self.lighthouse = services.register_product(
            vendor=acme.vendor,
            by=acme,
            name="Lighthouse",
            control_entry="4D004",
            category="intrusion",
            description="Remote mobile-device intrusion platform.",
            at=day(2019, 1, 21),
        )
        self.harbour = services.register_product(
            vendor=acme.vendor,
            by=acme,
            name="Harbour",
            control_entry="5A001.j",
            category="interception",
            description="IP network communications surveillance system.",
            at=day(2019, 1, 21, 11),
        )
        self.sieve = services.register_product(
            vendor=globex.vendor,
            by=globex,
            name="Sieve",
            control_entry="4A005",
            category="forensics",
            description="Mobile forensic extraction kit.",
            at=day(2019, 2, 4),
        )
        self.bastion = services.register_product(
            vendor=globex.vendor,
            by=globex,
            name="Bastion",
            control_entry="5D002",
            category="defensive",
            description="Network intrusion detection for critical infrastructure.",
            at=day(2019, 2, 4, 11),
        )

        mexico = self._apply(
            acme,
            self.lighthouse,
            code="MX",
            at=day(2019, 11, 4),
            end_user_name="Fiscalía General de la República",
            end_user_kind="law_enforcement",
        )
        self._grant(mexico, reviewed=day(2019, 11, 11), approved=day(2019, 12, 2))
        saudi = self._apply(
            globex,
            self.sieve,
            code="SA",
            at=day(2020, 3, 2),
            end_user_name="Presidency of State Security",
            end_user_kind="intelligence",
        )
        self._grant(saudi, reviewed=day(2020, 3, 9), approved=day(2020, 3, 30))
        # Refused by screening: Belarus was never on the list.
        self._apply(
            acme,
            self.harbour,
            code="BY",
            at=day(2020, 10, 5),
            end_user_name="State Security Committee",
            end_user_kind="intelligence",
        )
        emirates = self._apply(
            globex,
            self.sieve,
            code="AE",
            at=day(2021, 1, 11),
            end_user_name="Signals Intelligence Agency",
            end_user_kind="intelligence",
        )
        self._grant(emirates, reviewed=day(2021, 1, 18), approved=day(2021, 2, 8))
        export = self._apply(
            acme,
            self.lighthouse,
            code="MX",
            at=day(2021, 3, 1),
            licence_type="export",
            value=Decimal("2150000.00"),
            end_user_name="Fiscalía General de la República",
            end_user_kind="law_enforcement",
        )
        self._grant(export, reviewed=day(2021, 3, 8), approved=day(2021, 3, 29))
        # Refused by screening: a private end user.
        self._apply(
            globex,
            self.sieve,
            code="SA",
            at=day(2021, 6, 7),
            licence_type="export",
            end_user_name="Private security contractor",
            end_user_kind="private",
        )
        # Still waiting for review when the cut came: the cut refuses it.
        morocco = self._apply(
            acme,
            self.harbour,
            code="MA",
            at=day(2021, 11, 15),
            end_user_name="Direction générale de la surveillance du territoire",
            end_user_kind="intelligence",
        )
        services.start_review(application=morocco, by=official, at=day(2021, 11, 22))

    def after_the_cut(self) -> None:
        system = history.system_user()
        # When the list was seeded before the demo, the cut is already on record: give the
        # licences and applications dated before it what the cut did to them.
        reapply_past_revision(
            revision=WhitelistRevision.objects.get(reference=CUT_REFERENCE), by=system
        )
        acme, globex = self.acme_user, self.globex_user
        france = self._apply(
            acme,
            self.lighthouse,
            code="FR",
            at=day(2025, 9, 1),
            currency="EUR",
            end_user_name="Direction générale de la sécurité intérieure",
            end_user_kind="intelligence",
        )
        self._grant(france, reviewed=day(2025, 9, 8), approved=day(2025, 9, 29))
        britain = self._apply(
            globex,
            self.bastion,
            code="GB",
            at=day(2026, 2, 2),
            currency="GBP",
            end_user_name="National Crime Agency",
            end_user_kind="law_enforcement",
        )
        self._grant(britain, reviewed=day(2026, 2, 9), approved=day(2026, 3, 2))
        export = self._export_with_declaration(
            acme,
            self.lighthouse,
            code="FR",
            at=day(2026, 5, 4),
            currency="EUR",
            end_user_name="Direction générale de la sécurité intérieure",
            end_user_kind="intelligence",
            signatory="Céline Martin",
            position="Director of legal affairs, DGSI",
            parties=[
                ("consignee", "Thales Communications & Security", "FR", "Gennevilliers"),
                ("intermediary", "Acme Cyber Europe BV", "NL", "Rotterdam"),
            ],
        )
        self._grant(export, reviewed=day(2026, 5, 11), approved=day(2026, 6, 1))
        # Refused by screening after the cut: Saudi Arabia is off the list.
        self._apply(
            globex,
            self.sieve,
            code="SA",
            at=day(2026, 10, 5),
            end_user_name="Presidency of State Security",
            end_user_kind="intelligence",
        )
        self._overdue()

    def _overdue(self) -> None:
        """A case past its working-day target: submitted weeks ago, still under review."""
        submitted = max(day(2026, 10, 6), timezone.now() - datetime.timedelta(days=60))
        late = self._apply(
            self.globex_user,
            self.bastion,
            code="DE",
            at=submitted,
            end_user_name="Bundeskriminalamt",
            end_user_kind="law_enforcement",
        )
        reviewed = submitted + datetime.timedelta(days=2)
        casework.take_case(application=late, by=self.official, at=reviewed)
        services.start_review(application=late, by=self.official, at=reviewed)

    def today(self) -> None:
        """Applications waiting for review now, dated now."""
        acme, globex = self.acme_user, self.globex_user
        services.submit_application(
            vendor=acme.vendor,
            by=acme,
            product=self.harbour,
            licence_type="marketing",
            destination=self._country("JP"),
            end_user_name="National Police Agency",
            end_user_kind="law_enforcement",
            end_use="Interception of organised-crime communications under court order.",
            value=Decimal("650000.00"),
            currency="JPY",
        )
        waiting = self._export_with_declaration(
            globex,
            self.bastion,
            code="GB",
            at=None,
            end_user_name="National Crime Agency",
            end_user_kind="law_enforcement",
            end_use="Protection of investigative networks against intrusion.",
            value=Decimal("320000.00"),
            currency="GBP",
            signatory="James Whitfield",
            position="Director of Investigations, National Crime Agency",
            # Names from the illustrative screening list (fixtures/watchlist-sample-csl.json):
            # the case waits for officials to resolve their matches.
            parties=[
                ("consignee", "Nightjar Signal Systems", "GB", "Unit 4, Riverside Park, Leeds"),
                ("intermediary", "ООО Восток-Сигнал", "CY", "12 Makariou Avenue, Limassol"),
            ],
        )
        # An assigned case, with notes of both kinds.
        casework.take_case(application=waiting, by=self.official)
        services.start_review(application=waiting, by=self.official)
        casework.add_note(
            application=waiting,
            by=self.official,
            text="Checked the control entry against the product sheet; it matches.",
        )
        casework.add_note(
            application=waiting,
            by=self.official,
            text="We have what we need from you for now; the review is under way.",
            shared=True,
        )
        # A case waiting on the vendor, with an open request for information.
        asked = self._apply(
            acme,
            self.harbour,
            code="CA",
            at=None,
            end_user_name="Royal Canadian Mounted Police",
            end_user_kind="law_enforcement",
        )
        casework.assign_case(
            application=asked, by=self.senior, to=self.official, reason="Workload balance"
        )
        services.start_review(application=asked, by=self.official)
        casework.raise_request(
            application=asked,
            by=self.official,
            question="Which RCMP unit will operate the system, and under which warrant regime?",
            due_on=casework.due_in(10),
        )
        # A refusal on policy grounds, appealed by the vendor: it waits for a senior official
        # who did not take the refusal.
        appealed = self._apply(
            acme,
            self.harbour,
            code="NZ",
            at=None,
            end_user_name="New Zealand Police",
            end_user_kind="law_enforcement",
        )
        services.start_review(application=appealed, by=self.official)
        services.refuse_application(
            application=appealed,
            by=self.official,
            reason="The end-use statement does not say which unit operates the system.",
            criteria=["diversion_risk"],
        )
        services.lodge_appeal(
            application=appealed,
            by=acme,
            grounds="The system is operated by the National Cyber Crime Centre of the New "
            "Zealand Police only, under warrant; its mandate is on file.",
        )
