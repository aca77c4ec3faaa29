from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "licenses"
    verbose_name = "Vendors and licences"

    def ready(self) -> None:
        # A new list snapshot or a change of the concern list screens the parties of pending
        # applications and live licences again (screening never imports licensing).
        from licenses import services
        from screening import rescreen

        rescreen.register(services.rescreen_parties)
        from licenses import selectors
        from registry import metrics

        metrics.register_gauge(
            "registry_overdue_applications",
            "Applications past their working-day target with the clock running.",
            selectors.overdue_count,
        )
