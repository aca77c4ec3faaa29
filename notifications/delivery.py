"""Getting each event to its receivers: fan-out, claim, send, record, retry.

1. **Fan-out** (:func:`dispatch_batch`): events not yet dispatched are claimed (on PostgreSQL
   with ``SELECT … FOR UPDATE SKIP LOCKED``, so two workers take different rows) and one
   :class:`~notifications.models.Delivery` is written per subscribed webhook and per email
   recipient. The unique constraints on (event, webhook) and (event, address) make a second
   fan-out of the same event write nothing.
2. **Claim** (:func:`deliver`): a delivery due now is taken under a row lock and marked
   ``sending`` with a lease; a worker that finds it taken, delivered or not yet due does nothing.
3. **Send**, outside any transaction, then record the outcome: ``delivered``; or ``pending``
   again with the next attempt after an exponential backoff with jitter; or, once the delivery
   is older than ``WEBHOOK_RETRY_HOURS``, ``failed``.
4. **Sweep** (:func:`sweep`, periodic): fans out what no message asked for, and queues the
   deliveries due again, including those whose worker died mid-send (its lease ran out).

A delivery is recorded as delivered once. On the wire it is at least once: a worker killed after
the receiver answered but before the answer was recorded leaves a lease that runs out, and the
delivery is sent again, with the same event id, which the receiver uses to ignore a repeat.
"""

from __future__ import annotations

import datetime
import json
import logging
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from notifications import events, safe_http, secrets, signing
from notifications.models import Channel, Delivery, DeliveryStatus, OutboxEvent, Webhook

log = logging.getLogger(__name__)

BATCH = 500
FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 3600
USER_AGENT = "export-licence-registry-webhooks/1"


def _skip_locked(queryset):
    if connection.vendor == "postgresql":
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.select_for_update()


def _official_addresses(permission: str) -> list[str]:
    users = get_user_model().objects.with_perm(
        permission, include_superusers=False, backend="django.contrib.auth.backends.ModelBackend"
    )
    return sorted(
        set(
            users.filter(is_active=True, vendor__isnull=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def _deliveries_for(event: OutboxEvent, webhooks: dict, now, officials: dict) -> list[Delivery]:
    route = events.ROUTES.get(event.type, events.Route())
    rows: list[Delivery] = []

    def add(**fields):
        rows.append(Delivery(event=event, created_at=now, next_attempt_at=now, **fields))

    if route.vendor and event.vendor_id:
        for webhook in webhooks.get(event.vendor_id, ()):
            if event.type in webhook.events:
                add(channel=Channel.WEBHOOK, webhook=webhook)
        if settings.NOTIFICATION_EMAILS and event.vendor.contact_email:
            add(channel=Channel.EMAIL, email=event.vendor.contact_email)
    if not settings.NOTIFICATION_EMAILS:
        return rows
    addresses: set[str] = set()
    if route.officials and (
        route.officials_when_status is None
        or event.payload.get("data", {}).get("status") == route.officials_when_status
    ):
        if route.officials not in officials:
            officials[route.officials] = _official_addresses(route.officials)
        addresses.update(officials[route.officials])
    if route.recipient and event.recipient_id and event.recipient.email:
        addresses.add(event.recipient.email)
    for address in sorted(addresses):
        add(channel=Channel.EMAIL, email=address)
    return rows


def dispatch_batch(limit: int = BATCH) -> list[int]:
    """Fans out up to ``limit`` undispatched events; returns the ids of their deliveries due."""
    now = timezone.now()
    with transaction.atomic():
        batch = list(
            _skip_locked(OutboxEvent.objects.filter(dispatched_at__isnull=True))
            .select_related("vendor", "recipient")
            .order_by("occurred_at", "pk")[:limit]
        )
        if not batch:
            return []
        webhooks: dict[int, list[Webhook]] = {}
        vendor_ids = {event.vendor_id for event in batch if event.vendor_id}
        for webhook in Webhook.objects.filter(vendor_id__in=vendor_ids, active=True):
            webhooks.setdefault(webhook.vendor_id, []).append(webhook)
        officials: dict[str, list[str]] = {}
        rows = [row for e in batch for row in _deliveries_for(e, webhooks, now, officials)]
        Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        ids = [event.pk for event in batch]
        OutboxEvent.objects.filter(pk__in=ids).update(dispatched_at=now)
        return list(
            Delivery.objects.filter(event_id__in=ids, status=DeliveryStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _lease_seconds() -> float:
    """Longer than any attempt can take (the watchdog ends it at WEBHOOK_TIMEOUT)."""
    return settings.WEBHOOK_TIMEOUT + settings.WEBHOOK_CONNECT_TIMEOUT + 5


def _due(now):
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )


def backoff_seconds(attempt: int) -> float:
    """The wait before attempt ``attempt + 1``: doubling from 30 s up to an hour, each a random
    time between half and all of it (jitter), so receivers that come back are not flooded."""
    ceiling = min(LONGEST_WAIT_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


def _claim(delivery_id: int) -> Delivery | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            _skip_locked(Delivery.objects.filter(pk=delivery_id).filter(_due(now)))
            .select_related("event", "webhook")
            .first()
        )
        if delivery is None:
            return None
        if delivery.channel == Channel.WEBHOOK and not delivery.webhook.active:
            delivery.status = DeliveryStatus.FAILED
            delivery.error = "The webhook was removed before this was sent."
            delivery.lease_until = None
            delivery.save(update_fields=["status", "error", "lease_until"])
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.lease_until = now + datetime.timedelta(seconds=_lease_seconds())
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.save(update_fields=["status", "lease_until", "attempts", "last_attempt_at"])
        return delivery


def body_of(event: OutboxEvent) -> bytes:
    return json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()


def _send_webhook(delivery: Delivery) -> safe_http.Answer:
    body = body_of(delivery.event)
    secret = secrets.decrypt(delivery.webhook.secret_encrypted)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.HEADER: signing.signature(secret, body),
        "Registry-Event-Id": str(delivery.event.event_id),
        "Registry-Event-Type": delivery.event.type,
        "Registry-Delivery-Attempt": str(delivery.attempts),
    }
    return safe_http.post(delivery.webhook.url, body, headers)


def email_text(event: OutboxEvent) -> tuple[str, str]:
    data = event.payload.get("data", {})
    subject = events.subject(event.type, data)
    lines = [subject + ".", ""]
    lines += [f"{key.replace('_', ' ').capitalize()}: {value}" for key, value in data.items()]
    lines += ["", f"Event {event.event_id} ({event.type}), {event.payload.get('created')}."]
    return f"[Export-licence registry] {subject}", "\n".join(lines)


def _send_email(delivery: Delivery) -> safe_http.Answer:
    subject, text = email_text(delivery.event)
    message = EmailMessage(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [delivery.email],
        headers={"Registry-Event-Id": str(delivery.event.event_id)},
    )
    try:
        message.send(fail_silently=False)
    except Exception as error:  # any backend's failure: SMTP, DNS, a refused connection
        return safe_http.Answer(None, "", f"{type(error).__name__}: {error}"[:500], 0)
    return safe_http.Answer(250, "", "", 0)


def deliver(delivery_id: int) -> str | None:
    """Sends one delivery if it is due and nobody else holds it; returns its new status."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    try:
        if delivery.channel == Channel.WEBHOOK:
            answer = _send_webhook(delivery)
        else:
            answer = _send_email(delivery)
    except Exception as error:  # a fault here must not leave the delivery held
        log.exception("delivery %s failed to send", delivery.pk)
        answer = safe_http.Answer(None, "", f"{type(error).__name__}: {error}"[:500], 0)
    return _record(delivery, answer)


def _record(delivery: Delivery, answer: safe_http.Answer) -> str:
    now = timezone.now()
    changes = {
        "response_status": answer.status,
        "response_excerpt": answer.excerpt,
        "error": answer.error,
        "lease_until": None,
    }
    if answer.ok:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=now)
    elif now - delivery.created_at >= datetime.timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
        changes.update(status=DeliveryStatus.FAILED)
    else:
        wait = backoff_seconds(delivery.attempts)
        changes.update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now + datetime.timedelta(seconds=wait),
        )
    # Only the claim this worker holds is recorded: a lease that ran out was taken by another.
    Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    ).update(**changes)
    return changes["status"]


def due_deliveries(limit: int = 5000) -> list[int]:
    return list(
        Delivery.objects.filter(_due(timezone.now()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
