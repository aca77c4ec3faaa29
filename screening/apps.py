from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Restricted-party screening"

    def ready(self):
        from registry import metrics
        from screening import selectors

        metrics.register_gauge(
            "registry_screening_list_age_seconds",
            "Age of the newest usable Consolidated Screening List snapshot (no sample before "
            "the first).",
            selectors.list_age_seconds,
        )
