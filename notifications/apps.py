from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications: the outbox, webhooks and email"

    def ready(self) -> None:
        from notifications import selectors
        from registry import metrics

        def backlog():
            counts = selectors.backlog()
            return {
                ("events",): counts["undispatched_events"],
                ("deliveries",): counts["pending_deliveries"],
            }

        # The outbox's backlog for /metrics (registry.metrics; alerts in docs/operations/).
        metrics.register_gauge(
            "registry_outbox_backlog",
            "Outbox events not yet fanned out, and webhook deliveries not yet made.",
            backlog,
            labels=("kind",),
        )
        metrics.register_gauge(
            "registry_outbox_oldest_undispatched_seconds",
            "Age of the oldest outbox event not yet fanned out (0 when none waits).",
            lambda: selectors.backlog()["oldest_undispatched_seconds"],
        )
        metrics.register_gauge(
            "registry_webhook_deliveries_failed",
            "Webhook deliveries that gave up after their retries.",
            lambda: selectors.backlog()["failed_deliveries"],
        )
