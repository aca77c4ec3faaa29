from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications: the outbox, webhooks and email"

    def ready(self):
        from notifications import selectors
        from registry import metrics

        metrics.register_gauge(
            "registry_outbox_backlog",
            "Events committed and not yet fanned out to their deliveries.",
            lambda: selectors.backlog()["undispatched_events"],
        )
        metrics.register_gauge(
            "registry_outbox_deliveries",
            "Webhook and email deliveries by state (pending and sending wait; failed gave up).",
            selectors.deliveries_by_state,
            labels=("state",),
        )
