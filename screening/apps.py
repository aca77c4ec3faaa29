from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Restricted-party screening"

    def ready(self) -> None:
        from django.utils import timezone

        from registry import metrics
        from screening import selectors

        def list_age() -> float | None:
            snapshot = selectors.snapshot_in_use()
            if snapshot is None:
                return None
            return (timezone.now() - snapshot.fetched_at).total_seconds()

        # For /metrics (registry.metrics; alerts in docs/operations/).
        metrics.register_gauge(
            "registry_screening_list_age_seconds",
            "Age of the newest usable Consolidated Screening List snapshot; none before the first.",
            list_age,
        )
        metrics.register_gauge(
            "registry_screening_list_usable",
            "1 when screening can rely on the list now, 0 when it fails safe.",
            lambda: 1 if selectors.list_status().usable else 0,
        )
