"""The vendor's webhooks: register, list, remove; each one's deliveries, and redelivery.

Open to vendor users; registering, removing and redelivering need ``notifications.add_webhook``.
Everything is found among the calling vendor's own webhooks, so another vendor's webhook or
delivery answers 404, as if it did not exist.

Registering takes no ``Idempotency-Key``: its answer holds the secret, and a replayed answer
would have to be stored, the secret with it, in clear.
"""

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.response import Response

from notifications import services
from notifications.models import Delivery, Webhook
from notifications.serializers import (
    DeliverySerializer,
    WebhookCreatedSerializer,
    WebhookCreateSerializer,
    WebhookSerializer,
)
from registry.api.exceptions import field_errors
from registry.api.viewsets import VendorViewSet

WRITE = "notifications.add_webhook"


def _key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class _VendorWebhooks(VendorViewSet):
    write_permission = WRITE

    def webhooks(self):
        if getattr(self, "swagger_fake_view", False):
            return Webhook.objects.none()
        return Webhook.objects.filter(vendor=self.vendor, active=True)

    def webhook(self) -> Webhook:
        key = _key(self.kwargs.get("id"))
        found = self.webhooks().filter(key=key).first() if key else None
        if found is None:
            raise exceptions.NotFound("You have no webhook with this id.")
        return found


@extend_schema_view(
    list=extend_schema(summary="List your webhooks"),
    retrieve=extend_schema(summary="One of your webhooks"),
)
class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _VendorWebhooks):
    """A vendor user: the vendor's webhooks (the secret is never shown again)."""

    serializer_class = WebhookSerializer
    lookup_field = "id"

    def get_queryset(self):
        return self.webhooks().order_by("created_at", "pk")

    def get_object(self):
        return self.webhook()

    @extend_schema(
        summary="Register a webhook",
        description=(
            "An https URL on a public address, and the events to send to it. The answer holds "
            "the `secret` that signs every delivery, this once only. A URL that is not https, "
            "or whose host is or resolves to a private, loopback or link-local address, "
            "answers 400."
        ),
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            webhook, secret = services.register_webhook(
                vendor=self.vendor, by=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError(field_errors(error)) from None
        webhook.secret = secret
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove a webhook", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.remove_webhook(webhook=self.webhook(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(summary="The deliveries of one of your webhooks"))
class DeliveryViewSet(mixins.ListModelMixin, _VendorWebhooks):
    """A vendor user: each event sent (or to be sent) to the webhook, newest first."""

    serializer_class = DeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return (
            Delivery.objects.filter(webhook=self.webhook())
            .select_related("event")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        summary="Send a delivery again",
        request=None,
        responses={202: DeliverySerializer},
    )
    def redeliver(self, request, *args, **kwargs):
        key = _key(self.kwargs.get("delivery_id"))
        delivery = self.get_queryset().filter(key=key).first() if key else None
        if delivery is None:
            raise exceptions.NotFound("This webhook has no such delivery.")
        try:
            delivery = services.redeliver(delivery=delivery, by=request.user)
        except DjangoValidationError as error:
            raise exceptions.ValidationError(field_errors(error)) from None
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
