"""Two workers at once never take the same event or send the same delivery (PostgreSQL's
SKIP LOCKED and the lease); the backlog the metrics read; officials' match reviews."""

import pytest
from django.db import transaction

from licenses import services
from notifications import delivery, selectors
from notifications.models import Delivery, OutboxEvent
from notifications.services import match_to_review
from tests.factories import issue_licence, licences_in_bulk, propose_removal, register_webhook
from tests.support.concurrency import run_together


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_fan_out_and_send_each_delivery_once(
    vendor, vendor_user, product, official, senior, second_senior, receiver, webhook_settings
):
    from countries import services as countries_services

    register_webhook(vendor=vendor, by=vendor_user, url=f"{receiver.url}/ok")
    licences_in_bulk(vendor=vendor, product=product, count=120)
    cut = propose_removal(code="FR", by=senior)
    webhook_settings.NOTIFICATION_EMAILS = False
    # The outbox is written; no one is asked to deliver yet (the tasks run in this process).
    OutboxEvent.objects.all().delete()
    with transaction.atomic():
        countries_services.approve_revision(revision=cut, by=second_senior)
        transaction.get_connection().run_on_commit.clear()

    def fan_out():
        ids = []
        while batch := delivery.dispatch_batch(limit=20):
            ids += batch
        return ids

    first, second = run_together(fan_out, fan_out)
    assert not isinstance(first, Exception) and not isinstance(second, Exception)
    assert len(first) + len(second) == 120
    assert not set(first) & set(second)

    ids = sorted(Delivery.objects.values_list("pk", flat=True))

    def send_all():
        return [delivery.deliver(pk) for pk in ids]

    run_together(send_all, send_all)
    assert Delivery.objects.filter(status="delivered").count() == 120
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [1] * 120
    assert len(receiver.received) == 120


@pytest.mark.django_db
def test_the_backlog_counts_what_waits(vendor, vendor_user, product, official):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    services.suspend_licence(licence=licence, by=official, reason="Check")
    waiting = selectors.backlog()
    assert waiting["undispatched_events"] >= 1
    assert waiting["oldest_undispatched_seconds"] >= 0
    while delivery.dispatch_batch():
        pass
    after = selectors.backlog()
    assert after["undispatched_events"] == 0
    assert after["pending_deliveries"] >= 1


@pytest.mark.django_db
def test_a_match_to_review_tells_officials_and_no_vendor(official):
    official.email = "officer@gov.example"
    from registry.audit import history

    history.save(official, by=official, reason="email")
    with transaction.atomic():
        event = match_to_review(
            match_reference="4b1f",
            application_reference="APP-2026-000001",
            entry_name="Example Trading LLC",
            score=93.5,
        )
    assert event.vendor_id is None
    while delivery.dispatch_batch():
        pass
    assert list(event.deliveries.values_list("channel", "email")) == [
        ("email", "officer@gov.example")
    ]
