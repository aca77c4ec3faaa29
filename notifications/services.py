"""Every write of notifications: events into the outbox, webhook subscriptions, redelivery.

:func:`record_event` and :func:`record_events` are called by the apps' services inside their own
transaction, so an event exists if and only if its change was committed. After the commit the
worker is asked to deliver (``transaction.on_commit``); were that message lost, the periodic
sweep finds the event all the same.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from notifications import events, safe_http, secrets
from notifications.models import Delivery, DeliveryStatus, OutboxEvent, Webhook
from registry.audit import history
from registry.errors import DomainError


class NotInTransaction(RuntimeError):
    """An event recorded outside a transaction would be sent whether or not its change holds."""


@dataclass
class Event:
    """One event to record: what happened (``type``) to which object of which vendor."""

    type: str
    object_type: str
    reference: str
    state: dict = field(default_factory=dict)
    vendor_id: int | None = None
    recipient_id: int | None = None
    dedupe_key: str | None = None


_JSON_PLAIN = frozenset({str, int, float, bool, type(None)})
_ENCODER = DjangoJSONEncoder()


def _json_safe(value: dict) -> dict:
    """Dates and decimals as the payload gives them (ISO 8601, strings), fixed at recording.

    A flat state is converted value by value as ``DjangoJSONEncoder`` writes each one, without
    the round trip through JSON text, which cost a revision suspending 100,000 licences seconds;
    a nested one takes the round trip."""
    plain = {}
    for key, item in value.items():
        if type(item) in _JSON_PLAIN:
            plain[key] = item
        elif isinstance(item, str):
            plain[key] = str.__str__(item)  # a choice: its value, as JSON writes it
        elif isinstance(item, dict | list | tuple | int | float):
            return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
        else:
            plain[key] = _ENCODER.default(item)
    return plain


def _build(event: Event, moment: datetime.datetime) -> OutboxEvent:
    if event.type not in events.ROUTES:
        raise ValueError(f"Unknown event type {event.type!r}.")
    row = OutboxEvent(
        type=event.type,
        occurred_at=moment,
        vendor_id=event.vendor_id,
        recipient_id=event.recipient_id,
        object_type=event.object_type,
        object_reference=event.reference,
        dedupe_key=event.dedupe_key,
        payload={},
    )
    row.payload = {
        "id": str(row.event_id),
        "type": event.type,
        "created": moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "data": _json_safe(
            {"object": event.object_type, "reference": event.reference, **event.state}
        ),
    }
    return row


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(
            "Record an event inside the transaction of its change (a service's atomic block)."
        )


def _deliver_after_commit() -> None:
    """Asks the worker, once per transaction, to deliver after the commit."""
    from notifications import tasks

    connection = transaction.get_connection()
    if any(entry[1] is tasks.after_commit for entry in connection.run_on_commit):
        return
    transaction.on_commit(tasks.after_commit, robust=True)


def record_event(
    *,
    type: str,
    object_type: str,
    reference: str,
    state: dict | None = None,
    vendor_id: int | None = None,
    recipient_id: int | None = None,
    at: datetime.datetime | None = None,
) -> OutboxEvent:
    """Writes one event to the outbox, in the caller's transaction."""
    _require_transaction()
    row = _build(
        Event(
            type=type,
            object_type=object_type,
            reference=reference,
            state=state or {},
            vendor_id=vendor_id,
            recipient_id=recipient_id,
        ),
        at or timezone.now(),
    )
    row.save()
    _deliver_after_commit()
    return row


def record_events(
    items: Iterable[Event], *, at: datetime.datetime | None = None, skip_recorded: bool = False
) -> int:
    """Writes many events with a few statements, in the caller's transaction. The outbox is a
    log, not a tracked model, so it is written in bulk. ``skip_recorded`` leaves out those whose
    ``dedupe_key`` is already on record. Returns how many rows were offered."""
    _require_transaction()
    moment = at or timezone.now()
    rows = [_build(item, moment) for item in items]
    if not rows:
        return 0
    # A revision records an event for each of 100,000 licences: one COPY on PostgreSQL, several
    # times faster than the INSERTs. Skipping what is on record needs ON CONFLICT: INSERTs then.
    if skip_recorded or not history.copy_rows(OutboxEvent, rows, OutboxEvent.objects.db):
        OutboxEvent.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=skip_recorded)
    _deliver_after_commit()
    return len(rows)


def match_to_review(
    *, match_reference: str, application_reference: str, entry_name: str, score: float
) -> OutboxEvent:
    """Tells officials that a restricted-party match waits for review (``match.review``).

    For the screening app, inside the transaction that records the match. It has no vendor:
    no vendor hears of it (a vendor sees only "additional checks in progress").
    """
    return record_event(
        type=events.MATCH_REVIEW,
        object_type="match",
        reference=match_reference,
        state={
            "status": "open",
            "application": application_reference,
            "entry": entry_name,
            "score": score,
        },
    )


# --- Webhook subscriptions -------------------------------------------------------------------


def _check_events(names: Sequence[str]) -> list[str]:
    if not isinstance(names, list | tuple) or not names:
        raise ValidationError({"events": "Name at least one event."})
    unknown = sorted({str(n) for n in names} - set(events.VENDOR_EVENTS))
    if unknown:
        raise ValidationError(
            {
                "events": f"Unknown events: {', '.join(unknown)}. "
                f"Choose from {', '.join(events.VENDOR_EVENTS)}."
            }
        )
    return sorted(set(names))


@transaction.atomic
def register_webhook(*, vendor, by, url: str, events: Sequence[str]) -> tuple[Webhook, str]:
    """Subscribes ``url`` to ``events`` for the vendor. Returns the webhook and its secret,
    which is shown this once."""
    url = str(url or "").strip()
    names = _check_events(events)
    try:
        safe_http.check_url(url)
    except safe_http.UnsafeURL as error:
        raise ValidationError({"url": str(error)}) from None
    if getattr(by, "vendor_id", None) != vendor.pk:
        raise DomainError("Only the vendor's own users manage its webhooks.")
    # One registration at a time per vendor, so the limit holds.
    list(type(vendor).objects.select_for_update().filter(pk=vendor.pk).values_list("pk"))
    if (
        Webhook.objects.filter(vendor=vendor, active=True).count()
        >= settings.WEBHOOK_MAX_PER_VENDOR
    ):
        raise ValidationError(
            {"url": f"A vendor has at most {settings.WEBHOOK_MAX_PER_VENDOR} webhooks."}
        )
    secret = secrets.new_secret()
    webhook = Webhook(
        vendor=vendor,
        url=url,
        events=names,
        secret_encrypted=secrets.encrypt(secret),
        created_by=by,
        created_at=timezone.now(),
    )
    webhook.full_clean(exclude=["vendor", "created_by"])
    history.save(webhook, by=by, reason=f"Webhook registered for {', '.join(names)}")
    return webhook, secret


@transaction.atomic
def remove_webhook(*, webhook: Webhook, by) -> Webhook:
    """Switches a subscription off; its pending deliveries are not sent."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    if getattr(by, "vendor_id", None) != webhook.vendor_id:
        raise DomainError("Only the vendor's own users manage its webhooks.")
    if not webhook.active:
        return webhook
    webhook.active = False
    webhook.removed_at = timezone.now()
    history.save(webhook, by=by, reason="Webhook removed", update_fields=["active", "removed_at"])
    return webhook


@transaction.atomic
def redeliver(*, delivery: Delivery, by) -> Delivery:
    """Sends a delivery again, now, whatever became of it (the receiver lost it, say)."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("webhook")
        .get(pk=delivery.pk)
    )
    if delivery.webhook is None or getattr(by, "vendor_id", None) != delivery.webhook.vendor_id:
        raise DomainError("Only the vendor's own users redeliver its webhooks' events.")
    if not delivery.webhook.active:
        raise DomainError("This webhook was removed: its events are no longer sent.")
    if delivery.status == DeliveryStatus.SENDING:
        raise DomainError("This delivery is being sent now.")
    now = timezone.now()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    # The retry window starts again from the request.
    delivery.created_at = now
    delivery.redelivered_by = by
    delivery.save(update_fields=["status", "next_attempt_at", "created_at", "redelivered_by"])
    from notifications import tasks

    transaction.on_commit(lambda: tasks.enqueue_deliveries([delivery.pk]), robust=True)
    return delivery
