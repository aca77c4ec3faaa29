"""Rule 7, ``no_unresolved_party_match``, through the services: a possible match never refuses
at intake, blocks approval while open or confirmed, is decided once with who and why; the
denial register warns of another vendor's refusal; a list change screens live parties again in
a bounded number of queries; vendors learn nothing of it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licenses import services as licenses_services
from licenses.models import ApplicationStatus, LicenceStatus
from notifications.models import OutboxEvent
from registry import roles
from registry.errors import ScreeningFailed, TransitionNotAllowed
from screening import services
from screening.models import DenialRecord, MatchStatus, PartyMatch
from tests.factories import (
    issue_licence,
    register_product,
    register_vendor,
    submit_application,
    user_with_role,
)

pytestmark = pytest.mark.django_db

LISTED = "Nightjar Signal Systems"  # in the seeded illustrative list (AE)


def rule7(application) -> dict:
    return next(r for r in application.screening if r["rule"] == "no_unresolved_party_match")


def listed_application(vendor, product, vendor_user, name=LISTED, **fields):
    return submit_application(
        vendor=vendor, product=product, by=vendor_user, end_user_name=name, **fields
    )


def approve(application, official):
    return licenses_services.approve_application(
        application=application, by=official, reason="Conditions met"
    )


def test_a_listed_end_user_waits_for_review_with_an_open_match(vendor, product, vendor_user):
    application = listed_application(vendor, product, vendor_user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert rule7(application)["passed"] is True
    assert rule7(application)["message"] == "Additional checks in progress."
    assert rule7(application)["snapshots"]  # the record names the snapshot it used
    [match] = PartyMatch.objects.filter(party__application=application)
    assert match.status == MatchStatus.OPEN
    assert match.entry_name == "Nightjar Signal Systems LLC"
    assert match.snapshot_id == rule7(application)["snapshots"][0]
    assert match.history.get().history_username == "system"
    # Officials are told, in the same transaction; the vendor is not.
    [told] = OutboxEvent.objects.filter(type="match.review")
    assert told.object_reference == str(match.pk) and told.vendor_id is None
    assert told.payload["data"]["application"] == application.reference


def test_an_unlisted_end_user_gets_the_same_words_and_no_match(vendor, product, vendor_user):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    assert rule7(application)["message"] == "Additional checks in progress."
    assert not PartyMatch.objects.exists()


def test_approval_is_blocked_exactly_while_a_match_is_open_or_confirmed(
    vendor, product, vendor_user, official
):
    application = listed_application(vendor, product, vendor_user)
    licenses_services.start_review(application=application, by=official)
    match = PartyMatch.objects.get()
    with pytest.raises(ScreeningFailed, match="no_unresolved_party_match"):
        approve(application, official)
    services.decide_match(
        match=match, by=official, decision=MatchStatus.FALSE_POSITIVE, reason="Different firm"
    )
    licence = approve(application, official)
    assert licence.status == LicenceStatus.ACTIVE
    application.refresh_from_db()
    assert rule7(application)["message"] == "No open or confirmed restricted-party match."

    second = listed_application(vendor, product, vendor_user, name="Vostok Signal")
    licenses_services.start_review(application=second, by=official)
    services.decide_match(
        match=PartyMatch.objects.get(party__application=second),
        by=official,
        decision=MatchStatus.CONFIRMED,
        reason="Same address as the listed institute",
    )
    with pytest.raises(ScreeningFailed) as failed:
        approve(second, official)
    [rule] = failed.value.failed_rules
    assert rule["message"] == "A party is a confirmed restricted-party match."


def test_a_decision_needs_a_reason_and_is_taken_once(vendor, product, vendor_user, official):
    listed_application(vendor, product, vendor_user)
    match = PartyMatch.objects.get()
    with pytest.raises(ValidationError):
        services.decide_match(match=match, by=official, decision=MatchStatus.CONFIRMED, reason="")
    services.decide_match(match=match, by=official, decision=MatchStatus.CONFIRMED, reason="Same")
    with pytest.raises(TransitionNotAllowed):
        services.decide_match(
            match=match, by=official, decision=MatchStatus.FALSE_POSITIVE, reason="Changed mind"
        )
    records = list(match.history.order_by("history_id"))
    assert [r.status for r in records] == ["open", "confirmed"]
    assert records[-1].history_username == "official"
    assert records[-1].history_change_reason == "Confirmed: Same"


def test_a_false_positive_stays_silent_for_that_party_and_entry(
    vendor, product, vendor_user, official
):
    listed_application(vendor, product, vendor_user)
    services.decide_match(
        match=PartyMatch.objects.get(),
        by=official,
        decision=MatchStatus.FALSE_POSITIVE,
        reason="A Leeds firm of the same name",
    )
    again = listed_application(vendor, product, vendor_user)
    assert not PartyMatch.objects.filter(party__application=again).exists()
    licenses_services.start_review(application=again, by=official)
    approve(again, official)


def test_a_match_confirmed_earlier_refuses_at_intake_and_enters_the_denial_register(
    vendor, product, vendor_user, official
):
    listed_application(vendor, product, vendor_user)
    services.decide_match(
        match=PartyMatch.objects.get(), by=official, decision=MatchStatus.CONFIRMED, reason="Same"
    )
    again = listed_application(vendor, product, vendor_user)
    assert again.status == ApplicationStatus.REFUSED
    assert "no_unresolved_party_match" in again.decision_reason
    assert DenialRecord.objects.filter(application=again).exists()


def test_with_no_fresh_list_rule_7_fails_at_the_decision(
    settings, vendor, product, vendor_user, official
):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    licenses_services.start_review(application=application, by=official)
    settings.WATCHLIST_MAX_AGE_HOURS = 0.0001
    with pytest.raises(ScreeningFailed) as failed:
        approve(application, official)
    assert failed.value.failed_rules[0]["message"].startswith("Screening list unavailable")
    # At submission the same list does not refuse: the case waits.
    waiting = submit_application(vendor=vendor, product=product, by=vendor_user)
    assert waiting.status == ApplicationStatus.SUBMITTED
    assert rule7(waiting)["message"] == "Additional checks in progress."


def test_a_refusal_warns_of_another_vendors_application_for_the_same_end_user(
    vendor, product, vendor_user, official
):
    refused = submit_application(
        vendor=vendor, product=product, by=vendor_user, end_user_name="Qorvath Export Bureau"
    )
    licenses_services.start_review(application=refused, by=official)
    licenses_services.refuse_application(
        application=refused, by=official, reason="Diversion risk", criteria=["diversion_risk"]
    )
    record = DenialRecord.objects.get(application=refused)
    assert (record.end_user_name, record.country.code) == ("Qorvath Export Bureau", "FR")
    assert record.product_category == "forensics"

    other = register_vendor(by=official, name="Globex Intelligence Ltd", registration_number="51-2")
    other_user = user_with_role(role=roles.VENDORS, username="vendor-globex", vendor=other)
    other_product = register_product(vendor=other, by=other_user, name="Sieve")
    theirs = submit_application(
        vendor=other, product=other_product, by=other_user, end_user_name="Qorvath Export Bureau"
    )
    [match] = PartyMatch.objects.filter(party__application=theirs)
    assert match.source == "denials"
    assert match.denial.application == refused
    assert rule7(theirs)["message"] == "Additional checks in progress."
    # The same vendor's own next application is not warned of its own refusal.
    mine = submit_application(
        vendor=vendor, product=product, by=vendor_user, end_user_name="Qorvath Export Bureau"
    )
    assert not PartyMatch.objects.filter(party__application=mine).exists()


def test_a_concern_list_change_screens_pending_applications_and_live_licences_again(
    vendor, product, vendor_user, official, senior
):
    pending = submit_application(
        vendor=vendor, product=product, by=vendor_user, end_user_name="Telmuran Research Centre"
    )
    licence = issue_licence(
        vendor=vendor,
        product=product,
        by=vendor_user,
        official=official,
        end_user_name="Telmuran Research Center",
    )
    entry = services.add_concern(
        by=senior,
        name="Telmuran Research Centre",
        countries=["FR"],
        reason="Reported procurement for a sanctioned programme",
    )
    found = PartyMatch.objects.filter(concern=entry)
    assert {m.party.application_id for m in found} == {pending.pk, licence.application_id}
    assert entry.history.get().history_change_reason.startswith("Added to the concern list")
    services.retire_concern(entry=entry, by=senior, reason="Cleared by the intelligence unit")
    entry.refresh_from_db()
    assert entry.status == "retired"
    assert entry.history.count() == 2


def test_re_screening_takes_a_bounded_number_of_queries(vendor, product, vendor_user, senior):
    for n in range(30):
        submit_application(
            vendor=vendor, product=product, by=vendor_user, end_user_name=f"Agency number {n}"
        )
    with CaptureQueriesContext(connection) as few:
        licenses_services.rescreen_parties(by=senior, reason="test")
    for n in range(30, 90):
        submit_application(
            vendor=vendor, product=product, by=vendor_user, end_user_name=f"Agency number {n}"
        )
    with CaptureQueriesContext(connection) as many:
        licenses_services.rescreen_parties(by=senior, reason="test")
    assert len(many.captured_queries) == len(few.captured_queries) <= 8
