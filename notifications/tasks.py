"""The Celery tasks of the outbox (found by ``registry.celery``'s autodiscovery)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from notifications import delivery
from notifications.models import Delivery

# Retries due within this many seconds are queued with a countdown; later ones wait for the sweep.
SHORT_WAIT_SECONDS = 300


def enqueue_deliveries(ids) -> None:
    for delivery_id in ids:
        deliver.delay(delivery_id)


def after_commit() -> None:
    """Run once after a transaction that recorded events commits."""
    dispatch.delay()


@shared_task(name="notifications.tasks.dispatch")
def dispatch() -> int:
    """Fans out every undispatched event, then queues its deliveries."""
    total = 0
    while ids := delivery.dispatch_batch():
        enqueue_deliveries(ids)
        total += len(ids)
    return total


@shared_task(name="notifications.tasks.deliver")
def deliver(delivery_id: int) -> str | None:
    status = delivery.deliver(delivery_id)
    # Without a broker a countdown would run at once: the retry waits for the sweep instead.
    if status == "pending" and not settings.CELERY_TASK_ALWAYS_EAGER:
        when = (
            Delivery.objects.filter(pk=delivery_id)
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        wait = (when - timezone.now()).total_seconds() if when else None
        if wait is not None and wait <= SHORT_WAIT_SECONDS:
            deliver.apply_async((delivery_id,), countdown=max(0.0, wait))
    return status


@shared_task(name="notifications.tasks.sweep")
def sweep() -> dict:
    """Periodic: fans out what no message asked for, and queues every delivery due again (a
    retry whose time has come, or one whose worker died mid-send)."""
    dispatched = dispatch()
    due = delivery.due_deliveries()
    enqueue_deliveries(due)
    return {"dispatched": dispatched, "queued": len(due)}
