from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        import registry.sessions  # noqa: F401  (starts the session clocks at sign-in)
        from registry import history  # noqa: F401  (connects the history guarantees)
        from registry.api import credentials

        credentials.connect()
