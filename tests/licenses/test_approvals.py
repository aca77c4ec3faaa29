"""The seven screening rules, each passing and failing, as pure functions of the facts."""

import dataclasses

import pytest

from licenses import approvals
from licenses.approvals import DeclarationFacts, PartyScreeningFacts, ScreeningFacts

ACCEPTED = DeclarationFacts(
    template_version="DECA-2021-12", review="accepted", signed=True, party_country_code="FR"
)

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
    declaration_template="DECA-2021-12",
    declaration=ACCEPTED,
    stage="decision",
    party_screening=PartyScreeningFacts(list_usable=True, snapshot_ids=(1,)),
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


def test_screen_runs_all_seven_rules_in_order_even_after_a_failure():
    results = approvals.screen(facts(destination_eligible=False, end_user_kind="private"))
    assert [r.rule for r in results] == [
        "destination_whitelisted",
        "vendor_in_good_standing",
        "end_user_government",
        "marketing_before_export",
        "product_registered",
        "end_user_declaration",
        "no_unresolved_party_match",
    ]
    assert [r.passed for r in results] == [False, True, False, True, True, True, True]
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


# --- Rule 6: the end-user declaration ------------------------------------------------------------


def declaration(**changes):
    return dataclasses.replace(ACCEPTED, **changes)


def rule6(**changes):
    return approvals.end_user_declaration(facts(**changes))


def test_an_accepted_declaration_on_the_template_in_force_passes():
    result = rule6()
    assert result.passed
    assert result.message == "The end-user declaration (DECA-2021-12) is accepted."


@pytest.mark.parametrize("stage", ["submission", "decision"])
def test_a_marketing_licence_needs_no_declaration(stage):
    result = rule6(licence_type="marketing", declaration=None, stage=stage)
    assert result.passed
    assert "marketing licence" in result.message


def test_no_declaration_was_needed_before_the_first_template():
    assert rule6(declaration_template=None, declaration=None).passed


@pytest.mark.parametrize("stage", ["submission", "decision"])
def test_an_export_without_a_declaration_fails(stage):
    result = rule6(declaration=None, stage=stage)
    assert not result.passed
    assert "no end-user declaration (DECA-2021-12)" in result.message


def test_a_received_declaration_passes_at_submission_with_its_review_pending():
    result = rule6(declaration=declaration(review="received"), stage="submission")
    assert result.passed
    assert result.message == "The end-user declaration (DECA-2021-12) is received; review pending."


def test_a_received_declaration_fails_at_the_decision():
    result = rule6(declaration=declaration(review="received"), stage="decision")
    assert not result.passed
    assert "accept it before approving" in result.message


@pytest.mark.parametrize("stage", ["submission", "decision"])
def test_a_rejected_declaration_fails_with_the_reason(stage):
    rejected = declaration(review="rejected", review_reason="Not signed by a state body.")
    result = rule6(declaration=rejected, stage=stage)
    assert not result.passed
    assert result.message.endswith("was rejected: Not signed by a state body.")


def test_a_declaration_on_an_older_template_fails():
    result = rule6(declaration_template="DECA-2027-01")
    assert not result.passed
    assert "on DECA-2021-12; the template in force is DECA-2027-01" in result.message


def test_a_declaration_naming_another_country_fails():
    result = rule6(declaration=declaration(party_country_code="DE"))
    assert not result.passed
    assert "names DE, not the destination FR" in result.message


def test_an_unsigned_declaration_fails():
    assert not rule6(declaration=declaration(signed=False)).passed


def test_only_a_failing_declaration_makes_a_submission_incomplete():
    failing = approvals.screen(facts(declaration=None, stage="submission"))
    assert approvals.incomplete(failing).rule == "end_user_declaration"
    other = approvals.screen(facts(destination_eligible=False, stage="submission"))
    assert approvals.incomplete(other) is None
