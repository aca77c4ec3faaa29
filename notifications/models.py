"""The outbox, the vendors' webhook subscriptions and the deliveries of each event.

The outbox and the deliveries are an operational log, not records of the registry's decisions:
they are not history-tracked, and the outbox is written in bulk (a revision that suspends 1,000
licences writes 1,000 events with one statement). A webhook subscription is a vendor's decision
about where its data goes, so it is tracked like every record of the domain.
"""

import uuid

from django.conf import settings
from django.db import models

from registry.audit.history import TrackedModel, project_history


class OutboxEvent(models.Model):
    """One event, written in the transaction of the change that causes it.

    ``vendor`` is the vendor the event concerns (its webhooks and its contact are told); an
    officials' event (``match.review``, a revision to approve) has none. ``recipient`` names one
    person to tell (the proposer of a rejected revision). ``payload`` is the JSON a receiver gets.
    """

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    vendor = models.ForeignKey(
        "licenses.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_type = models.CharField(max_length=20)
    object_reference = models.CharField(max_length=60)
    payload = models.JSONField()
    # Set once per event, so a job that runs twice tells no one twice (licence.expiring).
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    # When its deliveries were written; null: waiting for the worker.
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["occurred_at"],
                name="outbox_undispatched",
                condition=models.Q(dispatched_at__isnull=True),
            ),
            models.Index(fields=["vendor", "occurred_at"], name="outbox_vendor_time"),
        ]

    def __str__(self):
        return f"{self.type} {self.object_reference}"


class Webhook(TrackedModel):
    """A vendor's subscription: the events it wants posted, signed, to its https URL.

    The secret is kept encrypted (``notifications.secrets``), not hashed: every delivery is
    signed with it, so the registry must be able to read it back. It is not part of the history.
    A subscription is never deleted: removing it switches it off, and the history says who did.
    """

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    vendor = models.ForeignKey("licenses.Vendor", on_delete=models.PROTECT, related_name="+")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    history = project_history(excluded_fields=["secret_encrypted"])

    class Meta:
        indexes = [models.Index(fields=["vendor", "active"], name="webhook_vendor_active")]

    def __str__(self):
        return self.url


class Channel(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    EMAIL = "email", "Email"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event to one webhook or one email address; at most one per pair.

    A worker claims it (``sending``, with ``lease_until``), sends, and records the outcome: a
    worker killed mid-send leaves a lease that runs out, and the sweep hands it to another.
    """

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The start of the receiver's answer, at most WEBHOOK_MAX_RESPONSE_BYTES.
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    redelivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "webhook"],
                condition=models.Q(webhook__isnull=False),
                name="delivery_once_per_webhook",
            ),
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=models.Q(channel="email"),
                name="delivery_once_per_address",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["webhook", "created_at"], name="delivery_webhook_time"),
        ]

    def __str__(self):
        return f"{self.event} -> {self.webhook or self.email}"
