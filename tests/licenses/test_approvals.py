"""The five screening rules, each passing and failing, as pure functions of the facts."""

import dataclasses

import pytest

from licenses import approvals
from licenses.approvals import ScreeningFacts

FACTS = ScreeningFacts(
    licence_type="export",
    destination_code="FR",
    destination_name="France",
    destination_eligible=True,
    vendor_id=1,
    vendor_name="Acme Cyber Ltd",
    vendor_status="active",
    end_user_kind="law_enforcement",
    product_reference="PRD-2026-000001",
    product_vendor_id=1,
    marketing_licence="ML-2026-000001",
    revision_reference="REV-2021-001",
)


def facts(**changes):
    return dataclasses.replace(FACTS, **changes)


@pytest.mark.parametrize(
    "rule,passing,failing,words",
    [
        (
            approvals.destination_whitelisted,
            {},
            {"destination_eligible": False, "destination_name": "Mexico"},
            "Mexico is not on the whitelist in force (REV-2021-001)",
        ),
        (
            approvals.vendor_in_good_standing,
            {},
            {"vendor_status": "suspended"},
            "Acme Cyber Ltd is suspended",
        ),
        (
            approvals.vendor_in_good_standing,
            {},
            {"vendor_status": "debarred"},
            "Acme Cyber Ltd is debarred",
        ),
        (
            approvals.end_user_government,
            {"end_user_kind": "intelligence"},
            {"end_user_kind": "private"},
            "private entity",
        ),
        (
            approvals.end_user_government,
            {},
            {"end_user_kind": "military"},
            "military",
        ),
        (
            approvals.marketing_before_export,
            {"licence_type": "marketing", "marketing_licence": None},
            {"marketing_licence": None},
            "needs an active marketing licence for PRD-2026-000001 to France",
        ),
        (
            approvals.product_registered,
            {},
            {"product_vendor_id": 2},
            "PRD-2026-000001 is not registered to Acme Cyber Ltd",
        ),
    ],
)
def test_rule_passes_and_fails_with_a_readable_message(rule, passing, failing, words):
    ok = rule(facts(**passing))
    assert ok.passed is True
    refused = rule(facts(**failing))
    assert refused.passed is False
    assert refused.rule == ok.rule == rule.__name__
    assert words in refused.message


def test_screen_runs_all_five_rules_in_order_even_after_a_failure():
    results = approvals.screen(facts(destination_eligible=False, end_user_kind="private"))
    assert [r.rule for r in results] == [
        "destination_whitelisted",
        "vendor_in_good_standing",
        "end_user_government",
        "marketing_before_export",
        "product_registered",
    ]
    assert [r.passed for r in results] == [False, True, False, True, True]
    reason = approvals.refusal_reason(results)
    assert reason.startswith("Refused by screening: destination_whitelisted: France is not")
    assert "end_user_government" in reason
    assert "vendor_in_good_standing" not in reason


def test_result_as_dict_is_what_is_stored():
    result = approvals.product_registered(FACTS)
    assert result.as_dict() == {
        "rule": "product_registered",
        "passed": True,
        "message": "PRD-2026-000001 is registered to Acme Cyber Ltd.",
    }


def test_export_licence_names_the_marketing_licence_that_covers_it():
    result = approvals.marketing_before_export(FACTS)
    assert result.passed
    assert "ML-2026-000001" in result.message
