"""Events are written with the change that causes them: one per committed change, none after a
rollback, each to its own vendor only."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from countries import services as countries_services
from licenses import casework, services
from licenses import events as licence_events
from licenses.models import InformationRequest
from notifications import delivery
from notifications.models import Delivery, OutboxEvent
from notifications.services import NotInTransaction, record_event
from registry.audit import history
from tests.factories import (
    issue_licence,
    licences_in_bulk,
    propose_removal,
    register_product,
    register_vendor,
    submit_application,
)

pytestmark = pytest.mark.django_db


def _events(type_=None):
    qs = OutboxEvent.objects.order_by("pk")
    return list(qs.filter(type=type_) if type_ else qs)


def test_suspending_a_licence_writes_one_event_with_the_licence_and_its_new_state(
    vendor, vendor_user, product, official
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    OutboxEvent.objects.all().delete()

    services.suspend_licence(licence=licence, by=official, reason="End-use check pending")

    (event,) = _events()
    assert event.type == "licence.suspended"
    assert event.vendor_id == vendor.pk
    payload = event.payload
    assert set(payload) == {"id", "type", "created", "data"}
    assert payload["id"] == str(event.event_id)
    assert payload["created"].endswith("Z")
    assert payload["data"] == {
        "object": "licence",
        "reference": licence.number,
        "status": "suspended",
        "application": licence.application.reference,
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat(),
        "reason": "End-use check pending",
    }


def test_a_change_rolled_back_leaves_no_event(vendor, vendor_user, product, official):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    before = OutboxEvent.objects.count()

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        services.revoke_licence(licence=licence, by=official, reason="Breach of conditions")
        raise Abandoned

    assert OutboxEvent.objects.count() == before
    licence.refresh_from_db()
    assert licence.status == "active"


def test_a_refused_transition_records_nothing(vendor, vendor_user, product, official):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    services.revoke_licence(licence=licence, by=official, reason="Breach")
    before = OutboxEvent.objects.count()
    with pytest.raises(services.TransitionNotAllowed):
        services.suspend_licence(licence=licence, by=official, reason="Again")
    assert OutboxEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_an_event_outside_a_transaction_is_refused(vendor):
    with pytest.raises(NotInTransaction):
        record_event(
            type="licence.revoked", object_type="licence", reference="X", vendor_id=vendor.pk
        )


def test_the_life_of_an_application_is_told_step_by_step(vendor, vendor_user, product, official):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=application, by=official)
    services.approve_application(application=application, by=official, reason="Fine")
    withdrawn = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.withdraw_application(application=withdrawn, by=vendor_user)
    refused = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.refuse_application(
        application=refused, by=official, reason="Diversion risk", criteria=["diversion_risk"]
    )
    intake = submit_application(vendor=vendor, product=product, by=vendor_user, destination="MX")

    told = [(e.type, e.object_reference, e.payload["data"]["status"]) for e in _events()]
    assert told == [
        ("application.submitted", application.reference, "submitted"),
        ("application.approved", application.reference, "approved"),
        ("application.submitted", withdrawn.reference, "submitted"),
        ("application.withdrawn", withdrawn.reference, "withdrawn"),
        ("application.submitted", refused.reference, "submitted"),
        ("application.refused", refused.reference, "refused"),
        ("application.submitted", intake.reference, "submitted"),
        ("application.refused", intake.reference, "refused"),
    ]
    assert {e.vendor_id for e in _events()} == {vendor.pk}
    assert _events("application.refused")[0].payload["data"]["reason"] == "Diversion risk"


def test_a_request_for_information_and_its_reminder_are_told_once(
    vendor, vendor_user, product, official
):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=application, by=official)
    request = casework.raise_request(
        application=application,
        by=official,
        question="Who operates the system?",
        due_on=casework.due_in(3),
    )
    (raised,) = _events("request.raised")
    assert raised.object_reference == str(request.uuid)
    assert raised.payload["data"]["application"] == application.reference

    casework.mark_due_requests(today=request.due_on - datetime.timedelta(days=1))
    casework.mark_due_requests(today=request.due_on - datetime.timedelta(days=1))

    (reminder,) = _events("request.reminder")
    assert reminder.payload["data"]["due_on"] == request.due_on.isoformat()
    assert InformationRequest.objects.get(pk=request.pk).reminder_due


def test_expiring_licences_are_told_at_60_and_30_days_once_each(
    vendor, vendor_user, product, official
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    end = licence.valid_until
    with transaction.atomic():
        assert licence_events.licences_expiring(today=end - datetime.timedelta(days=61)) == 0
        assert licence_events.licences_expiring(today=end - datetime.timedelta(days=59)) == 1
        assert licence_events.licences_expiring(today=end - datetime.timedelta(days=50)) == 0
        assert licence_events.licences_expiring(today=end - datetime.timedelta(days=30)) == 1
        assert licence_events.licences_expiring(today=end - datetime.timedelta(days=2)) == 0
    days = [e.payload["data"]["days"] for e in _events("licence.expiring")]
    assert days == [60, 30]


def test_a_revision_suspending_1000_licences_tells_each_vendor_of_its_own_only(
    senior, second_senior, official, django_capture_on_commit_callbacks
):
    """1,000 events, one per licence, each fanned out to its own vendor's contact and webhook
    rows only; a third vendor with no licence there hears nothing."""
    acme = register_vendor(by=official)
    globex = register_vendor(by=official, name="Globex", registration_number="51-0000002")
    initech = register_vendor(by=official, name="Initech", registration_number="51-0000003")
    acme_licences = licences_in_bulk(
        vendor=acme, product=register_product(vendor=acme, by=official), count=600
    )
    globex_licences = licences_in_bulk(
        vendor=globex, product=register_product(vendor=globex, by=official), count=400
    )
    for vendor, email in ((globex, "exports@globex.example"), (initech, "x@initech.example")):
        services.update_vendor(vendor=vendor, by=official, reason="contact", contact_email=email)
    cut = propose_removal(code="FR", by=senior)
    OutboxEvent.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        countries_services.approve_revision(revision=cut, by=second_senior)
    assert len(callbacks) >= 1

    suspended = _events("licence.suspended")
    assert len(suspended) == 1000
    by_number = {e.object_reference: e for e in suspended}
    assert set(by_number) == {lic.number for lic in acme_licences + globex_licences}
    for licence in acme_licences:
        assert by_number[licence.number].vendor_id == acme.pk
    for licence in globex_licences:
        assert by_number[licence.number].vendor_id == globex.pk

    while delivery.dispatch_batch():
        pass
    emails = Delivery.objects.filter(event__type="licence.suspended", channel="email")
    assert emails.filter(email="compliance@acme.example").count() == 600
    assert emails.filter(email="exports@globex.example").count() == 400
    assert not emails.filter(email="x@initech.example").exists()
    # Each email row names its own vendor's event.
    assert not emails.filter(email="compliance@acme.example", event__vendor=globex).exists()


def test_officials_are_told_of_a_new_case_and_of_a_revision_to_approve(
    vendor, vendor_user, product, official, senior, second_senior
):
    mail.outbox.clear()
    for user, address in ((official, "o@gov.example"), (second_senior, "s2@gov.example")):
        user.email = address
        history.save(user, by=user, reason="email")
    submit_application(vendor=vendor, product=product, by=vendor_user)
    propose_removal(code="DE", by=senior)
    while delivery.dispatch_batch():
        pass
    emails = set(Delivery.objects.filter(channel="email").values_list("event__type", "email"))
    assert ("application.submitted", "o@gov.example") in emails
    assert ("application.submitted", "compliance@acme.example") in emails
    assert ("revision.proposed", "s2@gov.example") in emails
    # The proposer does not approve their own revision: not told to.
    assert ("revision.proposed", "o@gov.example") not in emails


def test_a_rejected_revision_tells_its_proposer(senior, second_senior):
    senior.email = "proposer@gov.example"
    history.save(senior, by=senior, reason="email")
    revision = propose_removal(code="DE", by=senior)
    countries_services.reject_revision(revision=revision, by=second_senior, note="Not now")
    (event,) = _events("revision.rejected")
    assert event.recipient_id == senior.pk
    while delivery.dispatch_batch():
        pass
    assert list(event.deliveries.values_list("email", flat=True)) == ["proposer@gov.example"]


def test_fanning_out_twice_writes_no_second_delivery(vendor, vendor_user, product, official):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    services.suspend_licence(licence=licence, by=official, reason="Check")
    while delivery.dispatch_batch():
        pass
    count = Delivery.objects.count()
    OutboxEvent.objects.update(dispatched_at=None)
    while delivery.dispatch_batch():
        pass
    assert Delivery.objects.count() == count


def test_events_dated_in_the_past_tell_no_one(vendor, vendor_user, product, official):
    """Only the seed's demo dates records in the past: that past was never live."""
    from registry.audit.chain import backdating

    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    OutboxEvent.objects.all().delete()
    with backdating():
        services.suspend_licence(
            licence=licence, by=official, reason="x", at=timezone.now() - datetime.timedelta(1)
        )
    assert not _events()


def test_suspend_reinstate_revoke_and_surrender_are_told_as_the_contract_lists(
    vendor, vendor_user, product, official
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    OutboxEvent.objects.all().delete()
    services.suspend_licence(licence=licence, by=official, reason="Check")
    services.reinstate_licence(licence=licence, by=official, reason="Checked")
    services.revoke_licence(licence=licence, by=official, reason="Breach")
    other = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    OutboxEvent.objects.exclude(type__startswith="licence.").delete()
    services.surrender_licence(licence=other, by=vendor_user, reason="No longer needed")
    assert [(e.type, e.payload["data"]["status"]) for e in _events()] == [
        ("licence.suspended", "suspended"),
        ("licence.reinstated", "active"),
        ("licence.revoked", "revoked"),
    ]
