"""The five screening rules every licence application is checked against.

Each rule is a pure function of :class:`ScreeningFacts`: no database access, no clock. The facts
are gathered once (``licenses.selectors.screening_facts_and_revision``), so the same rules give
the same answer at submission, at the decision and when a whitelist revision re-screens pending
applications, and a test can state a rule's whole behaviour without a database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from licenses.models import EndUserKind, LicenceType, VendorStatus

DESTINATION_WHITELISTED = "destination_whitelisted"
VENDOR_IN_GOOD_STANDING = "vendor_in_good_standing"
END_USER_GOVERNMENT = "end_user_government"
MARKETING_BEFORE_EXPORT = "marketing_before_export"
PRODUCT_REGISTERED = "product_registered"

# Government bodies that use the technology against terror and serious crime.
ELIGIBLE_END_USER_KINDS = frozenset({EndUserKind.LAW_ENFORCEMENT, EndUserKind.INTELLIGENCE})


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ScreeningFacts:
    """Everything the rules need to know about one application, read at one moment."""

    licence_type: str
    destination_code: str
    destination_name: str
    destination_eligible: bool
    vendor_id: int
    vendor_name: str
    vendor_status: str
    end_user_kind: str
    product_reference: str
    product_vendor_id: int
    # The number of an active marketing licence of the same vendor, product and destination.
    marketing_licence: str | None = None
    # The whitelist revision in force when the facts were read, for the record.
    revision_reference: str | None = None


def destination_whitelisted(facts: ScreeningFacts) -> RuleResult:
    if facts.destination_eligible:
        message = f"{facts.destination_name} is on the whitelist in force"
    else:
        message = f"{facts.destination_name} is not on the whitelist in force"
    if facts.revision_reference:
        message += f" ({facts.revision_reference})"
    return RuleResult(DESTINATION_WHITELISTED, facts.destination_eligible, message + ".")


def vendor_in_good_standing(facts: ScreeningFacts) -> RuleResult:
    passed = facts.vendor_status == VendorStatus.ACTIVE
    status = VendorStatus(facts.vendor_status).label.lower()
    return RuleResult(VENDOR_IN_GOOD_STANDING, passed, f"{facts.vendor_name} is {status}.")


def end_user_government(facts: ScreeningFacts) -> RuleResult:
    kind = EndUserKind(facts.end_user_kind).label
    if facts.end_user_kind in ELIGIBLE_END_USER_KINDS:
        return RuleResult(
            END_USER_GOVERNMENT,
            True,
            f"The end user is a government {kind.lower()} body.",
        )
    return RuleResult(
        END_USER_GOVERNMENT,
        False,
        f"The end user's kind ({kind.lower()}) is not a government law-enforcement or "
        "intelligence body.",
    )


def marketing_before_export(facts: ScreeningFacts) -> RuleResult:
    if facts.licence_type != LicenceType.EXPORT:
        return RuleResult(
            MARKETING_BEFORE_EXPORT, True, "A marketing licence needs no earlier licence."
        )
    if facts.marketing_licence:
        return RuleResult(
            MARKETING_BEFORE_EXPORT,
            True,
            f"Active marketing licence {facts.marketing_licence} covers this product and "
            f"destination.",
        )
    return RuleResult(
        MARKETING_BEFORE_EXPORT,
        False,
        f"An export licence needs an active marketing licence for {facts.product_reference} "
        f"to {facts.destination_name}; there is none.",
    )


def product_registered(facts: ScreeningFacts) -> RuleResult:
    passed = facts.product_vendor_id == facts.vendor_id
    if passed:
        message = f"{facts.product_reference} is registered to {facts.vendor_name}."
    else:
        message = f"{facts.product_reference} is not registered to {facts.vendor_name}."
    return RuleResult(PRODUCT_REGISTERED, passed, message)


RULES = (
    destination_whitelisted,
    vendor_in_good_standing,
    end_user_government,
    marketing_before_export,
    product_registered,
)


def screen(facts: ScreeningFacts) -> list[RuleResult]:
    """All five rules, in their fixed order. Every rule runs, so the record shows each one."""
    return [rule(facts) for rule in RULES]


def failed(results: list[RuleResult]) -> list[RuleResult]:
    return [result for result in results if not result.passed]


def refusal_reason(results: list[RuleResult]) -> str:
    """The decision reason of a refusal by screening: each failing rule and its message."""
    return "Refused by screening: " + "; ".join(
        f"{result.rule}: {result.message}" for result in failed(results)
    )
