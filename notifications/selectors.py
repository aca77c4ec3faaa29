"""Reads of the outbox: its backlog, for the metrics and the operators."""

from django.db.models import Count
from django.utils import timezone

from notifications.models import Delivery, DeliveryStatus, OutboxEvent


def backlog() -> dict:
    """The outbox's backlog, for the metrics: events waiting for fan-out, deliveries waiting."""
    oldest = (
        OutboxEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return {
        "undispatched_events": OutboxEvent.objects.filter(dispatched_at__isnull=True).count(),
        "oldest_undispatched_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0,
        "pending_deliveries": Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        ).count(),
        "failed_deliveries": Delivery.objects.filter(status=DeliveryStatus.FAILED).count(),
    }


def deliveries_by_state() -> dict[tuple[str], int]:
    """``{(state,): count}`` of the deliveries waiting or given up, in one query."""
    waiting = [DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED]
    counts = dict.fromkeys(waiting, 0)
    rows = (
        Delivery.objects.filter(status__in=waiting)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update(dict(rows))
    return {(str(state),): n for state, n in counts.items()}
