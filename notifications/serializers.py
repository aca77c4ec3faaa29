"""Webhooks and their deliveries as the vendors' API reads and writes them."""

from rest_framework import serializers

from notifications import events
from notifications.models import Delivery, Webhook
from registry.api.fields import StrictSerializer


class WebhookSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="key", read_only=True)
    events = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "created_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="Signs every delivery (Registry-Signature). Shown in this answer only: keep it.",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookCreateSerializer(StrictSerializer):
    url = serializers.CharField(
        max_length=2000, help_text="An https URL on a public address; redirects are not followed."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=events.VENDOR_EVENTS),
        min_length=1,
        max_length=len(events.VENDOR_EVENTS),
    )


class DeliveryEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="event_id")
    type = serializers.CharField()
    reference = serializers.CharField(source="object_reference")
    created = serializers.DateTimeField(source="occurred_at")


class DeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="key", read_only=True)
    event = DeliveryEventSerializer(read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "status",
            "attempts",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "response_status",
            "error",
        ]
        read_only_fields = fields
