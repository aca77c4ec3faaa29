from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "licenses"
    verbose_name = "Vendors and licences"

    def ready(self) -> None:
        from licenses import selectors
        from registry import metrics

        metrics.register_gauge(
            "registry_overdue_applications",
            "Applications past their working-day target with the clock running.",
            selectors.overdue_count,
        )
