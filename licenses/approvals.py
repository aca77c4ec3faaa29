"""The seven screening rules every licence application is checked against.

Each rule is a pure function of :class:`ScreeningFacts`: no database access, no clock. The facts
are gathered once (``licenses.selectors.screening_facts_and_revision``), so the same rules give
the same answer at submission, at the decision and when a whitelist revision re-screens pending
applications, and a test can state a rule's whole behaviour without a database.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from licenses.models import EndUserKind, LicenceType, VendorStatus

DESTINATION_WHITELISTED = "destination_whitelisted"
VENDOR_IN_GOOD_STANDING = "vendor_in_good_standing"
END_USER_GOVERNMENT = "end_user_government"
MARKETING_BEFORE_EXPORT = "marketing_before_export"
PRODUCT_REGISTERED = "product_registered"
END_USER_DECLARATION = "end_user_declaration"
# Rule 7; in the decision-criteria catalogue it is criterion ``restricted_party_match``.
NO_UNRESOLVED_PARTY_MATCH = "no_unresolved_party_match"

# When the rules run: at submission a declaration received and not yet reviewed passes; at the
# decision only an accepted one does.
SUBMISSION = "submission"
DECISION = "decision"

# Government bodies that use the technology against terror and serious crime.
ELIGIBLE_END_USER_KINDS = frozenset({EndUserKind.LAW_ENFORCEMENT, EndUserKind.INTELLIGENCE})


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    message: str
    # The list snapshots a rule read (rule 7): in the record, never in the vendor's API.
    snapshots: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        found = asdict(self)
        found["snapshots"] = list(self.snapshots)
        if not self.snapshots:
            del found["snapshots"]
        return found


@dataclass(frozen=True)
class PartyScreeningFacts:
    """What restricted-party screening found for an application's parties (``screening``)."""

    list_usable: bool
    snapshot_ids: tuple[int, ...] = ()
    # Matches waiting for an official (on record, or found now and not yet recorded).
    open_matches: int = 0
    confirmed_matches: int = 0
    # Hits on an entry an official confirmed earlier for a party of the same name and country.
    confirmed_before: int = 0


@dataclass(frozen=True)
class DeclarationFacts:
    """The latest end-user declaration filed for an application's end user."""

    template_version: str
    review: str  # received | accepted | rejected
    signed: bool
    party_country_code: str
    review_reason: str = ""


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
    # The declaration template in force (None: no declaration was required then) and the
    # end user's latest declaration (None: none filed).
    declaration_template: str | None = None
    declaration: DeclarationFacts | None = None
    stage: str = SUBMISSION
    # Restricted-party screening of the parties (None: not screened, which never passes a
    # decision).
    party_screening: PartyScreeningFacts | None = None


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


def end_user_declaration(facts: ScreeningFacts) -> RuleResult:
    """Since December 2021 the buying state signs an end-user declaration for every export."""
    if facts.licence_type != LicenceType.EXPORT:
        return RuleResult(
            END_USER_DECLARATION, True, "A marketing licence needs no end-user declaration."
        )
    if facts.declaration_template is None:
        return RuleResult(
            END_USER_DECLARATION, True, "No end-user declaration was required on this date."
        )
    declaration = facts.declaration
    template = facts.declaration_template

    def fail(message: str) -> RuleResult:
        return RuleResult(END_USER_DECLARATION, False, message)

    if declaration is None:
        return fail(f"The end user has filed no end-user declaration ({template}).")
    if declaration.template_version != template:
        return fail(
            f"The end-user declaration is on {declaration.template_version}; the template in "
            f"force is {template}: file one on {template}."
        )
    if not declaration.signed:
        return fail("The end-user declaration is not signed.")
    if declaration.party_country_code != facts.destination_code:
        return fail(
            f"The end-user declaration names {declaration.party_country_code}, not the "
            f"destination {facts.destination_code}."
        )
    if declaration.review == "rejected":
        reason = declaration.review_reason.strip().rstrip(".")
        reason = f": {reason}" if reason else ""
        return fail(f"The end-user declaration ({template}) was rejected{reason}.")
    if declaration.review == "accepted":
        return RuleResult(
            END_USER_DECLARATION, True, f"The end-user declaration ({template}) is accepted."
        )
    if facts.stage == SUBMISSION:
        return RuleResult(
            END_USER_DECLARATION,
            True,
            f"The end-user declaration ({template}) is received; review pending.",
        )
    return fail(
        f"The end-user declaration ({template}) is received but not yet accepted: accept it "
        "before approving."
    )


# What a vendor reads of rule 7 while an official checks: never the list, the entry or the score.
CHECKS_IN_PROGRESS = "Additional checks in progress."


def no_unresolved_party_match(facts: ScreeningFacts) -> RuleResult:
    """Rule 7. At submission a possible match, or a list that cannot be relied on, does not
    refuse: the case waits for an official. Only a match an official confirmed earlier for the
    same party and entry refuses at once. At the decision any open or confirmed match, and a
    list that cannot be relied on, fail: screening never passes silently."""
    found = facts.party_screening

    def result(passed: bool, message: str) -> RuleResult:
        snapshots = found.snapshot_ids if found else ()
        return RuleResult(NO_UNRESOLVED_PARTY_MATCH, passed, message, snapshots)

    if facts.stage == SUBMISSION:
        if found is not None and found.confirmed_before:
            return result(False, "A party matches a restricted party confirmed earlier.")
        return result(True, CHECKS_IN_PROGRESS)
    if found is None:
        return result(False, "The parties have not been screened against the lists.")
    if not found.list_usable:
        return result(False, "Screening list unavailable: no usable list is recent enough.")
    if found.confirmed_matches or found.confirmed_before:
        return result(False, "A party is a confirmed restricted-party match.")
    if found.open_matches:
        n = found.open_matches
        return result(
            False,
            f"{n} possible restricted-party match{'es' if n > 1 else ''} await"
            f"{'' if n > 1 else 's'} an official's decision.",
        )
    return result(True, "No open or confirmed restricted-party match.")


RULES = (
    destination_whitelisted,
    vendor_in_good_standing,
    end_user_government,
    marketing_before_export,
    product_registered,
    end_user_declaration,
    no_unresolved_party_match,
)


def screen(facts: ScreeningFacts) -> list[RuleResult]:
    """All seven rules, in their fixed order. Every rule runs, so the record shows each one."""
    return [rule(facts) for rule in RULES]


def incomplete(results: list[RuleResult]) -> RuleResult | None:
    """The end-user declaration's failure at submission: the draft lacks what the export needs
    (no declaration, or one that cannot be accepted as it stands), so it is not submitted."""
    return next((r for r in results if r.rule == END_USER_DECLARATION and not r.passed), None)


def failed(results: list[RuleResult]) -> list[RuleResult]:
    return [result for result in results if not result.passed]


def refusal_reason(results: list[RuleResult]) -> str:
    """The decision reason of a refusal by screening: each failing rule and its message."""
    return "Refused by screening: " + "; ".join(
        f"{result.rule}: {result.message}" for result in failed(results)
    )


# --- Criteria: the policy ground each rule's failure refuses on ---------------------------

# A code of the catalogue of criteria (``DecisionCriterion``, seeded by ``licenses.seeding``) for
# each rule. A new rule adds its line here and its criterion to the seed; a rule missing here
# refuses on ``other``, never on nothing.
RULE_CRITERIA: dict[str, str] = {
    DESTINATION_WHITELISTED: "destination_not_eligible",
    VENDOR_IN_GOOD_STANDING: "vendor_not_in_good_standing",
    END_USER_GOVERNMENT: "end_user_not_eligible",
    MARKETING_BEFORE_EXPORT: "marketing_licence_missing",
    PRODUCT_REGISTERED: "product_not_registered",
    END_USER_DECLARATION: "declaration_missing_or_invalid",
    "no_unresolved_party_match": "restricted_party_match",
}
OTHER_CRITERION = "other"


def criterion_for(rule: str) -> str:
    return RULE_CRITERIA.get(rule, OTHER_CRITERION)


def refusal_criteria(results: Iterable[RuleResult]) -> list[str]:
    """The criteria of a refusal by screening: one per failing rule, in the rules' order, each
    once."""
    codes: list[str] = []
    for result in results:
        if not result.passed:
            code = criterion_for(result.rule)
            if code not in codes:
                codes.append(code)
    return codes


# --- Appeals: the deadline ------------------------------------------------------------------


def appeal_closes_on(letter_date: datetime.date, days: int) -> datetime.date:
    """The last day to appeal: ``days`` calendar days after the refusal letter's date."""
    return letter_date + datetime.timedelta(days=days)


def appeal_open(*, today: datetime.date, letter_date: datetime.date, days: int) -> bool:
    return today <= appeal_closes_on(letter_date, days)
