"""The outbox delivered by real Celery workers (a Redis broker, PostgreSQL, receivers on the
loopback): a revision that removes a destination sends one signed ``licence.suspended`` webhook
and one email per affected licence to the right vendor, none to others; a worker killed mid-way
and a new one started deliver the rest."""

import collections
import json

import pytest

from countries import services as countries_services
from licenses import services
from notifications.models import Delivery, DeliveryStatus, OutboxEvent
from tests.factories import (
    licences_in_bulk,
    propose_removal,
    register_product,
    register_vendor,
    register_webhook,
    user_with_role,
)
from tests.notifications.conftest import wait_for
from tests.notifications.test_delivery import documented_verifier

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _vendor(official, name, number, email, count, destination="FR"):
    from registry import roles

    vendor = register_vendor(by=official, name=name, registration_number=number)
    services.update_vendor(vendor=vendor, by=official, reason="contact", contact_email=email)
    user = user_with_role(role=roles.VENDORS, username=f"user-{number}", vendor=vendor)
    product = register_product(vendor=vendor, by=user)
    licences = licences_in_bulk(
        vendor=vendor, product=product, count=count, destination=destination
    )
    return vendor, user, licences


def test_a_revision_is_delivered_once_per_licence_to_its_vendor_even_when_a_worker_dies(
    senior, second_senior, official, receiver, smtp, webhook_settings, start_worker, capsys
):
    acme, acme_user, acme_licences = _vendor(official, "Acme", "51-1", "a@acme.example", 30)
    globex, globex_user, globex_licences = _vendor(
        official, "Globex", "51-2", "g@globex.example", 20
    )
    # Initech's licences are to Germany, which stays: it hears nothing.
    initech, initech_user, _ = _vendor(official, "Initech", "51-3", "i@initech.example", 5, "DE")
    secrets = {}
    for vendor, user, path in (
        (acme, acme_user, "/acme/slow"),
        (globex, globex_user, "/globex/slow"),
        (initech, initech_user, "/initech/slow"),
    ):
        _, secrets[path] = register_webhook(vendor=vendor, by=user, url=f"{receiver.url}{path}")
    cut = propose_removal(code="FR", by=senior)
    OutboxEvent.objects.all().delete()

    first = start_worker("first")
    countries_services.approve_revision(revision=cut, by=second_senior)
    assert OutboxEvent.objects.filter(type="licence.suspended").count() == 50

    # Mid-way: some delivered, not all; then the worker dies without a word.
    wait_for(
        lambda: len(receiver.received) >= 10, timeout=60, what="first deliveries", worker=first
    )
    first.kill()
    done_at_kill = Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
    expected_deliveries = 50 * 2  # a webhook and an email per licence
    assert done_at_kill < expected_deliveries

    second = start_worker("second")
    wait_for(
        lambda: (
            Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == expected_deliveries
        ),
        timeout=90,
        what="every delivery after the restart",
        worker=second,
    )

    # The registry's record: one delivery per (event, receiver), each delivered.
    rows = Delivery.objects.filter(event__type="licence.suspended")
    assert rows.count() == expected_deliveries
    assert not rows.exclude(status=DeliveryStatus.DELIVERED).exists()

    # The webhooks: signed, each licence of the vendor's own, none to Initech.
    verify = documented_verifier()
    seen = collections.defaultdict(collections.Counter)
    for got in receiver.received:
        assert verify(secrets[got.path], got.headers["Registry-Signature"], got.body)
        payload = json.loads(got.body)
        assert payload["type"] == "licence.suspended"
        seen[got.path][payload["data"]["reference"]] += 1
    assert set(seen) == {"/acme/slow", "/globex/slow"}
    assert set(seen["/acme/slow"]) == {lic.number for lic in acme_licences}
    assert set(seen["/globex/slow"]) == {lic.number for lic in globex_licences}

    # The emails: one per licence to the vendor's contact, none to Initech.
    mails = collections.defaultdict(collections.Counter)
    for message in smtp.messages:
        for rcpt in message.rcpt_tos:
            subject = next(
                line
                for line in message.content.decode().splitlines()
                if line.startswith("Subject:")
            )
            mails[rcpt][subject.split("Licence ")[1].split(" ")[0]] += 1
    assert set(mails) == {"a@acme.example", "g@globex.example"}
    assert set(mails["a@acme.example"]) == {lic.number for lic in acme_licences}
    assert set(mails["g@globex.example"]) == {lic.number for lic in globex_licences}

    # None twice, but for what was on the wire when the worker died (two processes, so at most
    # two): sent, answered, not yet recorded; sent again with the same event id, which the
    # receiver ignores (docs/notifications.md).
    repeats = sum(n - 1 for counter in (*seen.values(), *mails.values()) for n in counter.values())
    assert repeats <= 2, (repeats, seen, mails)
    with capsys.disabled():
        print(
            f"\nWorker killed after {done_at_kill} of {expected_deliveries} deliveries; "
            f"sent again on the wire after the restart: {repeats}"
        )
