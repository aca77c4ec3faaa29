"""The documents a decision issues: the licence certificate and the refusal (or appeal) letter.

Called by the decision services inside their transaction: the data is read from the rows as the
decision leaves them, drawn (``documents.pdf``), signed and stored (``documents.services``).
Also the licence's check code: printed on the certificate, kept only as a SHA-256 of the
licence number and the code, so the database alone can neither print nor reveal it.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.utils import timezone

from decisions.models import DecisionCriterion
from documents import pdf
from documents import selectors as documents_selectors
from documents import services as documents_services
from documents.models import IssuedDocument
from licenses import approvals
from licenses.models import Licence, LicenceApplication

CHECK_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U
CHECK_CODE_LENGTH = 12


def new_check_code() -> str:
    raw = "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CHECK_CODE_LENGTH, 4))


def normalise_check_code(code: str) -> str:
    return re.sub(r"[\s-]", "", str(code or "")).upper()


def check_code_digest(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}:{normalise_check_code(code)}".encode()).hexdigest()


def check_code_matches(licence: Licence | None, number: str, code: str) -> bool:
    """Compares in constant time; an unknown licence compares against a dummy digest, so both
    answers cost the same."""
    given = check_code_digest(number, code)
    stored = licence.check_code_sha256 if licence is not None else "0" * 64
    return hmac.compare_digest(given, stored) and licence is not None and bool(stored)


def letter_date(application: LicenceApplication) -> datetime.date:
    return timezone.localdate(application.decided_at)


def appeal_closes_on(application: LicenceApplication) -> datetime.date:
    return approvals.appeal_closes_on(letter_date(application), settings.APPEAL_DAYS)


def all_criteria_texts() -> dict[str, str]:
    return dict(DecisionCriterion.objects.values_list("code", "text"))


def criteria_texts(codes) -> list[tuple[str, str]]:
    texts = dict(DecisionCriterion.objects.filter(code__in=codes).values_list("code", "text"))
    return [(code, texts.get(code, code)) for code in codes]


def _parties(application) -> list[tuple[str, str]]:
    return [
        (party.get_role_display(), f"{party.name}, {party.country.name}")
        for party in application.parties.select_related("country").order_by("pk")
    ]


def _declaration(application) -> str:
    declaration = documents_selectors.latest_declarations([application.pk]).get(application.pk)
    if declaration is None:
        return ""
    signed = f", signed {declaration.signed_on:%Y-%m-%d}" if declaration.signed_on else ""
    return (
        f"{declaration.template_version} by {declaration.signatory_name}{signed} "
        f"({declaration.get_review_display().lower()})"
    )


def issue_certificate(*, licence: Licence, check_code: str, by, at=None) -> IssuedDocument:
    application = licence.application
    data = pdf.CertificateData(
        number=licence.number,
        licence_type=application.get_licence_type_display(),
        vendor=application.vendor.name,
        vendor_registration=application.vendor.registration_number,
        product=f"{application.product.reference} {application.product.name}",
        control_entry=application.product.control_entry,
        destination=application.destination.name,
        parties=_parties(application),
        conditions=[condition["text"] for condition in licence.conditions or []],
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        check_code=check_code,
        application=application.reference,
        whitelist_revision=getattr(application.screened_against, "reference", ""),
        declaration=_declaration(application),
        issued_on=timezone.localdate(at or timezone.now()),
        issued_on_appeal=bool(licence.issued_on_appeal),
    )
    return documents_services.issue_document(
        application=application,
        licence=licence,
        kind=IssuedDocument.Kind.CERTIFICATE,
        pdf=pdf.certificate(data),
        by=by,
        at=at,
    )


def issue_refusal_letter(
    *, application: LicenceApplication, by, at=None, appeal=None
) -> IssuedDocument:
    """The refusal letter; with ``appeal`` (upheld), the letter deciding the appeal, final."""
    paragraphs = []
    title = "Refusal of a licence application"
    kind = IssuedDocument.Kind.REFUSAL_LETTER
    closes = appeal_closes_on(application)
    if appeal is not None:
        title = "Appeal decided: refusal upheld"
        kind = IssuedDocument.Kind.APPEAL_LETTER
        closes = None
        paragraphs = [
            f"Your appeal lodged on {timezone.localdate(appeal.lodged_at):%Y-%m-%d} was decided "
            f"by a senior official who did not take the refusal. The refusal is upheld: "
            f"{appeal.decision_reason}"
        ]
    data = pdf.LetterData(
        application=application.reference,
        vendor=application.vendor.name,
        vendor_registration=application.vendor.registration_number,
        product=f"{application.product.reference} {application.product.name}",
        destination=application.destination.name,
        criteria=criteria_texts(application.refusal_criteria or []),
        reasons=application.decision_reason,
        dated=timezone.localdate(at or timezone.now()),
        appeal_closes_on=closes,
        refused_at_intake=bool(application.refused_at_intake),
        title=title,
        paragraphs=paragraphs,
    )
    return documents_services.issue_document(
        application=application, kind=kind, pdf=pdf.letter(data), by=by, at=at
    )
