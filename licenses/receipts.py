"""The receipt of a decision on a licence application: the one call every decision makes.

:func:`issue_decision_receipt` gathers the decision's inputs as plain data (the application, its
vendor, product, destination and parties, the rules' results and the whitelist revision they ran
against, the documents' hashes, who decided and when, the licence issued) and hands them to
``registry.audit.receipts``, which signs them with the tree head of the audit log. Call it in the
decision's transaction, after its history records: approval, refusal, refusal by screening at
intake or on a revision, and any later decision (an appeal's outcome) with its own ``decision``
name and, in ``extra``, the facts it adds (``criteria``, ``conditions``, ``screening_snapshots``,
or new keys of its own).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from decisions.models import DecisionCriterion
from licenses.models import Licence, LicenceApplication, Party
from registry.audit import receipts

APPROVAL = "approval"
REFUSAL = "refusal"
INTAKE_REFUSAL = "intake_refusal"
REVISION_REFUSAL = "revision_refusal"
APPEAL_UPHELD = "appeal_upheld"
APPEAL_OVERTURNED = "appeal_overturned"


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def decision_facts(
    application: LicenceApplication,
    *,
    licence: Licence | None = None,
    extra: dict | None = None,
    criteria_texts: dict[str, str] | None = None,
) -> dict:
    """The plain data of the decision just taken on ``application`` (its fields as saved), with
    the hashes of the certificate or letter it issued and the list snapshots it screened
    against."""
    product, vendor, destination = application.product, application.vendor, application.destination
    revision = application.screened_against
    facts = {
        "application": {
            "reference": application.reference,
            "licence_type": application.licence_type,
            "end_use": application.end_use,
            "value": str(application.value),
            "currency": application.currency,
            "submitted_at": receipts.moment(application.submitted_at),
        },
        "vendor": {"registration_number": vendor.registration_number, "name": vendor.name},
        "product": {
            "reference": product.reference,
            "name": product.name,
            "control_entry": product.control_entry,
            "category": product.category,
        },
        "destination": {"code": destination.code, "name": destination.name},
        "parties": [
            {
                "role": party.role,
                "name": party.name,
                "country": party.country.code,
                "kind": party.kind,
                "address": party.address,
            }
            for party in sorted(application.parties.all(), key=lambda p: p.pk)
        ],
        "rules": [
            {"rule": r["rule"], "passed": bool(r["passed"]), "message": r.get("message", "")}
            for r in application.screening or []
        ],
        "whitelist_revision": revision.reference if revision is not None else None,
        "documents": [
            {
                "id": str(document.key),
                "kind": document.kind,
                "version": document.version,
                "sha256": document.sha256,
                "review": document.review,
            }
            for document in sorted(application.documents.all(), key=lambda d: d.pk)
        ],
        "issued_documents": [
            {"kind": issued.kind, "sha256": issued.sha256}
            for issued in sorted(application.issued_documents.all(), key=lambda d: d.pk)
        ],
        "screening_snapshots": sorted(
            {
                snapshot
                for result in application.screening or []
                for snapshot in result.get("snapshots") or ()
            }
        ),
        "criteria": [
            {"code": code, "text": (criteria_texts or {}).get(code, code)}
            for code in application.refusal_criteria or []
        ],
        "conditions": [
            {"code": item.get("code", ""), "text": item.get("text", "")}
            for item in (licence.conditions if licence is not None else None) or []
        ],
        "outcome": application.status,
        "reason": application.decision_reason,
        "refusal_code": application.refusal_code,
        "decided_by": application.decided_by.get_username() if application.decided_by else None,
        "decided_at": receipts.moment(application.decided_at),
        "licence": None
        if licence is None
        else {
            "number": licence.number,
            "valid_from": _day(licence.valid_from),
            "valid_until": _day(licence.valid_until),
        },
    }
    facts.update(extra or {})
    return facts


def _as_saved(applications: list[LicenceApplication]) -> list[LicenceApplication]:
    """The applications as the decision saved them, with all a receipt reads: three queries."""
    found = (
        LicenceApplication.objects.select_related(
            "vendor", "product", "destination", "screened_against", "decided_by"
        )
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("country")),
            "documents",
            "issued_documents",
        )
        .in_bulk([application.pk for application in applications])
    )
    return [found[application.pk] for application in applications]


def _criteria_texts() -> dict[str, str]:
    return dict(DecisionCriterion.objects.values_list("code", "text"))


def issue_decision_receipts(
    applications: Iterable[LicenceApplication], *, decision: str, extra: dict | None = None
):
    """Receipts for many applications decided at once (refusals on a whitelist revision)."""
    texts = _criteria_texts()
    return receipts.issue_many(
        receipts.Decision(
            subject=application.reference,
            kind=decision,
            facts=decision_facts(application, extra=extra, criteria_texts=texts),
        )
        for application in _as_saved(list(applications))
    )


def issue_decision_receipt(
    *,
    application: LicenceApplication,
    decision: str,
    licence: Licence | None = None,
    extra: dict | None = None,
):
    """Signs and stores the receipt of the decision just taken on ``application``."""
    [saved] = _as_saved([application])
    return receipts.issue(
        receipts.Decision(
            subject=saved.reference,
            kind=decision,
            facts=decision_facts(
                saved,
                licence=licence,
                extra=extra,
                criteria_texts=_criteria_texts() if saved.refusal_criteria else None,
            ),
        )
    )
