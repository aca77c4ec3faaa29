"""The catalogues of decision criteria and standard conditions a fresh registry starts with.

Written by ``manage.py seed`` through the history helper, as the system actor; idempotent: a code
already present is left as the senior officials keep it.
"""

from decisions.models import DecisionCriterion, StandardCondition
from registry.audit import history

CRITERIA: tuple[tuple[str, str], ...] = (
    ("destination_not_eligible", "The destination is not on the whitelist of eligible countries."),
    (
        "end_user_not_eligible",
        "The end user is not a government body that uses the technology lawfully against "
        "terror and serious crime.",
    ),
    (
        "declaration_missing_or_invalid",
        "The end-user declaration is missing, unsigned, on a template no longer in force, or "
        "was rejected.",
    ),
    (
        "restricted_party_match",
        "A party to the export matches an entry of a restricted-party list.",
    ),
    (
        "information_not_provided",
        "Information the agency asked for was not provided in time.",
    ),
    (
        "human_rights_risk",
        "There is a clear risk that the items might be used for internal repression or serious "
        "violations of human rights.",
    ),
    (
        "diversion_risk",
        "There is a risk of diversion to an end user or end use not licensed.",
    ),
    ("vendor_not_in_good_standing", "The applicant is suspended or debarred."),
    (
        "marketing_licence_missing",
        "An export licence needs an active marketing licence for the same product and destination.",
    ),
    ("product_not_registered", "The product is not registered to the applicant."),
    ("other", "Another ground, stated in the reasons."),
)

CONDITIONS: tuple[tuple[str, str], ...] = (
    (
        "no_re_export",
        "No re-export or transfer to any other end user or country without the agency's prior "
        "written consent.",
    ),
    (
        "delivery_report",
        "The holder reports each delivery and the end user's receipt to the agency within 30 days.",
    ),
    (
        "post_shipment_verification",
        "The holder and the end user accept post-shipment verification by the agency.",
    ),
    (
        "lawful_use_training",
        "Training and support are given only to the named end user, for lawful use against "
        "terror and serious crime.",
    ),
)


def seed_decision_catalogues(*, by) -> int:
    """Adds the criteria and conditions not yet in the catalogues; returns how many."""
    added = 0
    for model, entries in ((DecisionCriterion, CRITERIA), (StandardCondition, CONDITIONS)):
        present = set(model.objects.values_list("code", flat=True))
        for code, text in entries:
            if code in present:
                continue
            history.save(model(code=code, text=text), by=by, reason="Seeded catalogue entry")
            added += 1
    return added
