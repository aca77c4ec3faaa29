from django.contrib import admin

from notifications.models import Delivery, OutboxEvent, Webhook
from registry.admin import ReadOnlyHistoryAdmin, RefuseWritesMixin


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyHistoryAdmin):
    """Subscriptions and their history; the encrypted secret is never shown."""

    list_display = ("url", "vendor", "active", "created_at")
    list_filter = ("active",)
    list_select_related = ("vendor",)
    exclude = ("secret_encrypted",)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [name for name in fields if name != "secret_encrypted"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(RefuseWritesMixin, admin.ModelAdmin):
    list_display = ("type", "object_reference", "vendor", "occurred_at", "dispatched_at")
    list_filter = ("type",)
    search_fields = ("object_reference", "event_id")


@admin.register(Delivery)
class DeliveryAdmin(RefuseWritesMixin, admin.ModelAdmin):
    list_display = ("event", "channel", "webhook", "email", "status", "attempts")
    list_filter = ("status", "channel")
    list_select_related = ("event", "webhook")
