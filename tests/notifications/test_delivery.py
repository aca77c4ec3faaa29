"""Deliveries against real receivers on the loopback: signed, verified by the receiver's
documented function, retried with backoff, never stuck on a receiver that hangs, redirects,
fails or floods, and email through a real SMTP server."""

import datetime
import json
import re
import time
from pathlib import Path

import pytest
from django.utils import timezone

from licenses import services
from notifications import delivery, safe_http
from notifications.models import Delivery, DeliveryStatus
from tests.factories import issue_licence, register_webhook

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"


def documented_verifier():
    """The receiver's function as docs/notifications.md prints it, run as a receiver would."""
    text = DOCS.read_text()
    (code,) = re.findall(r"```python\n(# verify_registry_signature.*?)```", text, re.S)
    namespace: dict = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    return namespace["verify_registry_signature"]


@pytest.fixture
def suspended(vendor, vendor_user, product, official):
    """Suspends a licence of ``vendor``; returns a function that sends what is due."""

    def suspend():
        licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
        services.suspend_licence(licence=licence, by=official, reason="End-use check")
        delivery.dispatch_batch()
        return licence

    return suspend


def _webhook(vendor, vendor_user, url):
    return register_webhook(vendor=vendor, by=vendor_user, url=url)


def _send_due():
    return [delivery.deliver(pk) for pk in delivery.due_deliveries()]


def test_a_delivery_is_signed_and_the_documented_receiver_verifies_it(
    vendor, vendor_user, receiver, webhook_settings, suspended
):
    webhook, secret = _webhook(vendor, vendor_user, f"{receiver.url}/ok")
    licence = suspended()
    _send_due()

    (got,) = receiver.received
    verify = documented_verifier()
    header = got.headers["Registry-Signature"]
    assert verify(secret, header, got.body)
    payload = json.loads(got.body)
    assert payload["type"] == "licence.suspended"
    assert payload["data"]["reference"] == licence.number
    assert got.headers["Registry-Event-Id"] == payload["id"]
    assert got.headers["Host"].startswith("127.0.0.1")

    # Tampered, signed with another secret, or replayed later: refused.
    assert not verify(secret, header, got.body.replace(b"suspended", b"reinstated"))
    assert not verify("whsec_other", header, got.body)
    t = int(header.split(",")[0].removeprefix("t="))
    assert not verify(secret, header, got.body, now=t + 3600)
    assert verify(secret, header, got.body, now=t + 60)
    assert not verify(secret, "garbage", got.body)

    row = Delivery.objects.get(webhook=webhook)
    assert (row.status, row.response_status, row.attempts) == ("delivered", 200, 1)


def test_a_receiver_answering_500_is_retried_later_with_backoff(
    vendor, vendor_user, receiver, webhook_settings, suspended
):
    webhook, _ = _webhook(vendor, vendor_user, f"{receiver.url}/error")
    suspended()
    before = timezone.now()
    _send_due()
    row = Delivery.objects.get(webhook=webhook)
    assert row.status == "pending"
    assert row.response_status == 500
    assert "500" in row.error
    wait = (row.next_attempt_at - before).total_seconds()
    assert 15 <= wait <= 31  # the first wait: 30 s, jittered down to no less than half
    assert delivery.due_deliveries() == []


def test_backoff_doubles_up_to_an_hour_with_jitter():
    for attempt, ceiling in ((1, 30), (2, 60), (5, 480), (8, 3600), (20, 3600)):
        waits = [delivery.backoff_seconds(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(set(waits)) > 1


def test_after_the_retry_window_a_delivery_has_failed(
    vendor, vendor_user, receiver, webhook_settings, suspended
):
    webhook, _ = _webhook(vendor, vendor_user, f"{receiver.url}/error")
    suspended()
    Delivery.objects.filter(webhook=webhook).update(
        created_at=timezone.now() - datetime.timedelta(hours=24, minutes=1)
    )
    _send_due()
    assert Delivery.objects.get(webhook=webhook).status == DeliveryStatus.FAILED


def test_a_redirect_is_not_followed(vendor, vendor_user, receiver, webhook_settings, suspended):
    webhook, _ = _webhook(vendor, vendor_user, f"{receiver.url}/redirect")
    suspended()
    _send_due()
    assert [r.path for r in receiver.received] == ["/redirect"]
    row = Delivery.objects.get(webhook=webhook)
    assert row.status == "pending"
    assert "redirects are not followed" in row.error


def test_a_receiver_that_hangs_or_drips_is_cut_off_at_the_time_limit(
    vendor, vendor_user, receiver, webhook_settings, suspended
):
    webhook_settings.WEBHOOK_TIMEOUT = 1
    for path in ("/hang", "/drip"):
        started = time.monotonic()
        answer = safe_http.post(f"{receiver.url}{path}", b"{}", {})
        assert time.monotonic() - started < 5
        assert answer.status is None or not answer.ok or len(answer.excerpt) < 100
        assert "within 1 seconds" in answer.error, answer


def test_a_10_mb_answer_is_read_only_up_to_the_bound(
    vendor, vendor_user, receiver, webhook_settings, suspended
):
    webhook, _ = _webhook(vendor, vendor_user, f"{receiver.url}/huge")
    suspended()
    _send_due()
    row = Delivery.objects.get(webhook=webhook)
    assert row.status == "delivered"
    assert len(row.response_excerpt) == webhook_settings.WEBHOOK_MAX_RESPONSE_BYTES


def test_the_address_is_checked_again_at_each_attempt(
    vendor, vendor_user, receiver, webhook_settings, suspended
):
    """Registered while private addresses were allowed, sent after they no longer are."""
    webhook, _ = _webhook(vendor, vendor_user, f"{receiver.url}/ok")
    suspended()
    webhook_settings.WEBHOOK_ALLOW_PRIVATE = False
    _send_due()
    assert receiver.received == []
    assert "private or loopback" in Delivery.objects.get(webhook=webhook).error


def test_a_receiver_with_an_untrusted_certificate_is_not_sent_to(
    vendor, vendor_user, receiver, webhook_settings, suspended
):
    webhook, _ = _webhook(vendor, vendor_user, f"{receiver.url}/ok")
    suspended()
    webhook_settings.WEBHOOK_CA_BUNDLE = ""
    _send_due()
    assert receiver.received == []
    assert "CERTIFICATE" in Delivery.objects.get(webhook=webhook).error.upper()


def test_a_removed_webhook_is_not_sent_to(
    vendor, vendor_user, receiver, webhook_settings, suspended
):
    from notifications.services import remove_webhook

    webhook, _ = _webhook(vendor, vendor_user, f"{receiver.url}/ok")
    suspended()
    remove_webhook(webhook=webhook, by=vendor_user)
    _send_due()
    assert receiver.received == []
    assert Delivery.objects.get(webhook=webhook).status == "failed"


def test_email_goes_through_a_real_smtp_server_to_the_vendors_contact(vendor, smtp, suspended):
    licence = suspended()
    _send_due()
    suspensions = [m for m in smtp.messages if licence.number in m.content.decode()]
    assert len(suspensions) == 1
    (message,) = suspensions
    assert message.rcpt_tos == ["compliance@acme.example"]
    text = message.content.decode()
    assert f"Subject: [Export-licence registry] Licence {licence.number} suspended" in text
    assert "Registry-Event-Id:" in text
    row = Delivery.objects.get(event__type="licence.suspended", channel="email")
    assert row.status == "delivered"


def test_an_smtp_server_that_is_down_means_a_retry(vendor, settings, suspended):
    from tests.support.receivers import _free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    suspended()
    _send_due()
    row = Delivery.objects.get(event__type="licence.suspended", channel="email")
    assert row.status == "pending"
    assert "Connection" in row.error or "refused" in row.error.lower()
